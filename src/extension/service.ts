import { type KeyObject, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCnsCommonName } from '../cert/cnsSubject.js';
import { issueCertificate } from '../cert/issue.js';
import { type ParsedCertificate, parseCertificate, signedBy } from '../cert/x509.js';
import { writeFileAtomic } from '../util/fs.js';
import { EXTENDED_NOT_AFTER, OID_EXTENDED_MARKER } from './constants.js';
import { parseExtensionCsr } from './csr.js';
import { evaluateEligibility, type RuleResult } from './rules.js';

/**
 * The reference extension service: plays the retired Sistema TS side of the 2023 extension.
 *
 *   GET  /v1/ca      -> 200 { caCertificate }
 *   POST /v1/extend  { csr, certificate }  (base64 DER: the PKCS#10 request signed by the card,
 *                    and the card's current certificate)
 *                    -> 200 { certificate, caCertificate, serialNumber, notAfter }
 *   errors           -> { error: { code, message, reasons? } }
 *     400 BAD_REQUEST, BAD_SIGNATURE, KEY_MISMATCH, SUBJECT_MISMATCH
 *     403 NOT_ELIGIBLE (reasons[] as in `cns extend --check`), REVOKED
 *     404 UNKNOWN_CERTIFICATE (not issued by this CA), NOT_FOUND
 *     409 ALREADY_EXTENDED
 *     413 TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE (not application/json), 500 INTERNAL
 *
 * One extension per certificate: the certificate issued for a serial is remembered (`issued`,
 * kept in a file by the CLI), and a repeated request (a replay, or the client's retry after a
 * lost answer) gets that same certificate back, never a second one.
 */
export interface ServiceOptions {
  caCert: Buffer;
  caKey: KeyObject;
  revoked: Set<string>;
  now: () => Date;
  log?: (line: string) => void;
  issued?: IssuedStore;
}

/** Certificates issued, by the serial of the certificate they extend. */
export interface IssuedStore {
  get(oldSerial: string): Buffer | undefined;
  put(oldSerial: string, der: Buffer): void;
}

/** An IssuedStore in a JSON file, written atomically after every issue. */
export function fileIssuedStore(path: string): IssuedStore {
  let map: Record<string, string> = {};
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (j && typeof j === 'object') map = j as Record<string, string>;
  } catch {
    /* none yet */
  }
  return {
    get: (s) => (typeof map[s] === 'string' ? Buffer.from(map[s], 'base64') : undefined),
    put: (s, der) => {
      map[s] = der.toString('base64');
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileAtomic(path, JSON.stringify(map));
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reasons?: RuleResult[],
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

/** A body over MAX_BODY is refused, its rest read and dropped up to this, so the 413 reaches the client. */
const MAX_DRAIN = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (refused) {
        if (size > MAX_BODY + MAX_DRAIN) req.destroy();
        return;
      }
      if (size > MAX_BODY) {
        refused = true;
        chunks.length = 0;
        reject(new HttpError(413, 'TOO_LARGE', `request body larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function b64(field: unknown, name: string): Buffer {
  if (typeof field !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(field))
    throw new HttpError(400, 'BAD_REQUEST', `${name}: base64 DER expected`);
  return Buffer.from(field, 'base64');
}

function markerValue(serial: string): Buffer {
  return Buffer.from(new asn1js.PrintableString({ value: serial }).toBER(false));
}

export async function extend(body: unknown, o: ServiceOptions): Promise<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null) throw new HttpError(400, 'BAD_REQUEST', 'JSON object expected');
  const { csr: csrField, certificate: certField } = body as Record<string, unknown>;
  const certDer = b64(certField, 'certificate');
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(certDer);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'certificate: not an X.509 certificate');
  }
  if (!signedBy(certDer, o.caCert)) throw new HttpError(404, 'UNKNOWN_CERTIFICATE', 'this certificate was not issued by this service');
  let csr: Awaited<ReturnType<typeof parseExtensionCsr>>;
  try {
    csr = await parseExtensionCsr(b64(csrField, 'csr'));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'csr: not a PKCS#10 request');
  }
  if (!csr.signatureValid) throw new HttpError(400, 'BAD_SIGNATURE', 'the request is not signed by the key it carries');
  if (!csr.spki.equals(cert.spki)) throw new HttpError(400, 'KEY_MISMATCH', 'the request is not for the key of this certificate');
  if (!csr.subjectDer.equals(cert.subjectDer))
    throw new HttpError(400, 'SUBJECT_MISMATCH', 'the request subject differs from the certificate subject');
  const cn = parseCnsCommonName(cert.subject.find((a) => a.type === 'CN')?.value ?? '');
  if (!cn || csr.cardId !== cn.cardId || csr.serialNumber !== cert.serialNumber) {
    throw new HttpError(400, 'BAD_REQUEST', 'card id or serial number in the request do not match the certificate');
  }
  const extended = cert.extensionOids.includes(OID_EXTENDED_MARKER);
  if (extended) throw new HttpError(409, 'ALREADY_EXTENDED', 'this certificate is already an extended one');
  const before = o.issued?.get(cert.serialNumber);
  if (before) {
    // the same request again: the certificate already issued for it, not a second one
    const p = parseCertificate(before);
    o.log?.(`repeated request for ${cert.serialNumber}: ${p.serialNumber} again`);
    return {
      certificate: before.toString('base64'),
      caCertificate: o.caCert.toString('base64'),
      serialNumber: p.serialNumber,
      notAfter: p.notAfter.toISOString(),
    };
  }
  const revoked = o.revoked.has(cert.serialNumber.replace(/^0+/, '')) || o.revoked.has(cert.serialNumber);
  if (revoked) throw new HttpError(403, 'REVOKED', `certificate ${cert.serialNumber} is revoked`);
  const now = o.now();
  const e = evaluateEligibility({
    at: now,
    certificate: { notBefore: cert.notBefore, notAfter: cert.notAfter, extended, serialNumber: cert.serialNumber },
    cardExpiry: null,
    revoked,
    pin: { blocked: false },
    puk: { blocked: false },
  });
  if (!e.eligible)
    throw new HttpError(
      403,
      'NOT_ELIGIBLE',
      'the card is not eligible for the extension',
      e.reasons.filter((r) => r.ok === false),
    );
  // one old certificate, one new one: concurrent requests for the same serial wait for the first
  const pending = inFlight(o);
  const running = pending.get(cert.serialNumber);
  if (running !== undefined) {
    const r = await running;
    o.log?.(`concurrent request for ${cert.serialNumber}: ${String(r.serialNumber)} again`);
    return r;
  }
  const issuing = issueFor(o, cert, cn.cardId, now);
  pending.set(cert.serialNumber, issuing);
  try {
    return await issuing;
  } finally {
    pending.delete(cert.serialNumber);
  }
}

/** Issuances under way, per service (its options), by the serial of the certificate they extend. */
const IN_FLIGHT = new WeakMap<ServiceOptions, Map<string, Promise<Record<string, unknown>>>>();

function inFlight(o: ServiceOptions): Map<string, Promise<Record<string, unknown>>> {
  let m = IN_FLIGHT.get(o);
  if (!m) {
    m = new Map();
    IN_FLIGHT.set(o, m);
  }
  return m;
}

async function issueFor(
  o: ServiceOptions,
  cert: ReturnType<typeof parseCertificate>,
  cardId: string,
  now: Date,
): Promise<Record<string, unknown>> {
  const serial = Buffer.concat([Buffer.from([0x02]), randomBytes(15)]);
  const issued = await issueCertificate({
    subject: pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array(cert.subjectDer).buffer),
    subjectPublicKey: cert.spki,
    notBefore: now,
    notAfter: EXTENDED_NOT_AFTER,
    issuerCert: o.caCert,
    issuerKey: o.caKey,
    serialNumber: serial,
    extraExtensions: [{ oid: OID_EXTENDED_MARKER, der: markerValue(cert.serialNumber) }],
  });
  o.issued?.put(cert.serialNumber, issued);
  o.log?.(`extended ${cert.serialNumber} -> ${serial.toString('hex').toUpperCase()} (card ${cardId})`);
  return {
    certificate: issued.toString('base64'),
    caCertificate: o.caCert.toString('base64'),
    serialNumber: serial.toString('hex').toUpperCase(),
    notAfter: EXTENDED_NOT_AFTER.toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // after a refused body the connection is not reused: what the client still sends is not read
  const close = status === 413 ? { connection: 'close' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...close });
  res.end(text);
}

export function createExtensionService(o: ServiceOptions): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/v1/ca') return send(res, 200, { caCertificate: o.caCert.toString('base64') });
        if (req.method === 'POST' && req.url === '/v1/extend') {
          if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
            req.resume(); // drop the body: the answer is the refusal
            throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type application/json expected');
          }
          let body: unknown;
          try {
            body = JSON.parse((await readBody(req)).toString('utf8'));
          } catch (e) {
            if (e instanceof HttpError) throw e;
            throw new HttpError(400, 'BAD_REQUEST', 'JSON body expected');
          }
          return send(res, 200, await extend(body, o));
        }
        throw new HttpError(404, 'NOT_FOUND', `no ${req.method} ${req.url}`);
      } catch (e) {
        if (e instanceof HttpError) {
          o.log?.(`${req.method} ${req.url} -> ${e.status} ${e.code}`);
          return send(res, e.status, { error: { code: e.code, message: e.message, ...(e.reasons ? { reasons: e.reasons } : {}) } });
        }
        o.log?.(`${req.method} ${req.url} -> 500 ${(e as Error).message}`);
        return send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      }
    })();
  });
}
