import { type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCnsCommonName } from '../cert/cnsSubject.js';
import { issueCertificate } from '../cert/issue.js';
import { type ParsedCertificate, parseCertificate, signedBy } from '../cert/x509.js';
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
 *     413 TOO_LARGE, 500 INTERNAL
 */
export interface ServiceOptions {
  caCert: Buffer;
  caKey: KeyObject;
  revoked: Set<string>;
  now: () => Date;
  log?: (line: string) => void;
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'TOO_LARGE', 'request body too large'));
        req.destroy();
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
  o.log?.(`extended ${cert.serialNumber} -> ${serial.toString('hex').toUpperCase()} (card ${cn.cardId})`);
  return {
    certificate: issued.toString('base64'),
    caCertificate: o.caCert.toString('base64'),
    serialNumber: serial.toString('hex').toUpperCase(),
    notAfter: EXTENDED_NOT_AFTER.toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createExtensionService(o: ServiceOptions): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/v1/ca') return send(res, 200, { caCertificate: o.caCert.toString('base64') });
        if (req.method === 'POST' && req.url === '/v1/extend') {
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
