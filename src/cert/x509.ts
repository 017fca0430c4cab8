import { nodeCrypto } from '../util/crypto.js';
import { sha256 } from '../util/digest.js';
import { isDigits, printable } from '../util/text.js';
import { checkDer, type Der, parseDer } from './der.js';
import { CertificateError } from './errors.js';
import { rsaSha256Verifies } from './rsa.js';

export { CertificateError };

/**
 * A small, strict DER reader for the fields the tool shows. Reading a certificate is on the path
 * of `cns status`; pkijs and asn1js cost ~36 ms to load, so they are kept for building
 * certificates and requests, and this reader (over der.ts) does the rest. node:crypto costs ~3 ms
 * to load (issue 27): status and cert check hash in JavaScript (util/digest.ts) and check a
 * known issuer's SHA-256 RSA signature in JavaScript too (rsa.ts); OpenSSL checks any other.
 */

const OID_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export interface NameAttribute {
  type: string;
  oid: string;
  value: string;
}

export interface ParsedCertificate {
  der: Buffer;
  subject: NameAttribute[];
  issuer: NameAttribute[];
  subjectString: string;
  issuerString: string;
  /** Hex, upper case, no separators. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** RSA modulus, big-endian without leading zero, and its size in bits. */
  modulus?: Buffer;
  publicExponent?: Buffer;
  keyBits?: number;
  spki: Buffer;
  sha256: string;
  keyUsage?: string[];
  /** OIDs of the extensions present. */
  extensionOids: string[];
  /** Raw DER of the subject Name (to compare subjects byte for byte). */
  subjectDer: Buffer;
}

/**
 * Dotted OID. A sub-identifier is a number while it is exact (under 2^53), a BigInt past that, so
 * 2.25.<uuid> arcs come out exact without a BigInt for every byte of the usual short ones.
 */
export function decodeOid(b: Buffer): string {
  if (b.length === 0) throw new CertificateError('empty OID', { id: 'xMalformed', facts: { what: 'OID' } });
  let out = '';
  let v = 0;
  let big: bigint | undefined;
  for (let i = 0; i < b.length; i++) {
    const byte = b[i]!;
    if (big === undefined && v >= 2 ** 45) big = BigInt(v);
    if (big === undefined) v = v * 128 + (byte & 0x7f);
    else big = (big << 7n) | BigInt(byte & 0x7f);
    if (byte & 0x80) continue;
    if (out === '') {
      // the first sub-identifier holds the first two arcs (X.690 8.19.4)
      if (big === undefined) out = v < 80 ? `${Math.floor(v / 40)}.${v % 40}` : `2.${v - 80}`;
      else out = `2.${big - 80n}`;
    } else out += `.${big ?? v}`;
    v = 0;
    big = undefined;
  }
  // as before: a last sub-identifier left open (bit 8 set on its final byte) is dropped, and
  // bytes that close none read as 0.0
  return out || '0.0';
}

/** An attribute value as text, safe to print (a certificate comes from the card). */
function decodeString(t: Der): string {
  switch (t.tag) {
    case 0x1e: {
      // BMPString: UTF-16BE
      const swapped = Buffer.from(t.value);
      swapped.swap16();
      return printable(swapped.toString('utf16le'));
    }
    case 0x0c:
      return printable(t.value.toString('utf8'));
    default:
      return printable(t.value.toString('latin1'));
  }
}

/**
 * UTCTime YYMMDDHHMM[SS]Z or GeneralizedTime YYYYMMDDHHMM[SS][.fraction]Z, read position by
 * position (no regular expression: util/text.ts says why).
 */
function decodeTime(t: Der): Date {
  const s = t.value.toString('latin1');
  const utc = t.tag === 0x17;
  const y = utc ? 2 : 4;
  let body = s.endsWith('Z') ? s.slice(0, -1) : '';
  const dot = utc ? -1 : body.indexOf('.');
  if (dot !== -1) body = isDigits(body.slice(dot + 1)) ? body.slice(0, dot) : '';
  if (!isDigits(body) || (body.length !== y + 8 && body.length !== y + 10))
    throw new CertificateError(`unsupported time ${s}`, { id: 'xTime' });
  const n = (at: number, len = 2): number => Number(body.slice(at, at + len));
  let year = n(0, y);
  if (utc) year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
  return new Date(Date.UTC(year, n(y) - 1, n(y + 2), n(y + 4), n(y + 6), body.length === y + 10 ? n(y + 8) : 0));
}

function need(t: Der | undefined, what: string, tag?: number): Der {
  if (!t || (tag !== undefined && t.tag !== tag))
    throw new CertificateError(`malformed certificate: ${what}`, { id: 'xMalformed', facts: { what } });
  return t;
}

/** An AlgorithmIdentifier's OID: SEQUENCE { OID, parameters OPTIONAL }. */
function algorithmOf(t: Der, what: string): string {
  const [oid, ...rest] = t.children;
  if (oid?.tag !== 0x06 || rest.length > 1) need(undefined, what);
  return decodeOid(oid!.value);
}

/** A BIT STRING with its count of unused bits (0 to 7, none in an empty one). */
function bitString(t: Der, what: string): void {
  const unused = t.value[0];
  if (unused === undefined || unused > 7 || (t.value.length === 1 && unused !== 0)) need(undefined, what);
}

function decodeName(t: Der): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of need(t, 'name', 0x30).children) {
    for (const atv of rdn.children) {
      const [oid, value] = atv.children;
      const o = decodeOid(need(oid, 'attribute type', 0x06).value);
      out.push({ oid: o, type: OID_NAMES[o] ?? o, value: decodeString(need(value, 'attribute value')) });
    }
  }
  return out;
}

/** The characters RFC 4514 escapes with a backslash in a name's value. */
const DN_SPECIAL = ',+"\\<>;';

export function nameToString(a: NameAttribute[]): string {
  return a
    .map((x) => {
      let v = '';
      for (const c of x.value) v += DN_SPECIAL.includes(c) ? `\\${c}` : c;
      return `${x.type}=${v}`;
    })
    .join(', ');
}

function stripLeadingZero(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

const KU_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** What a certificate's signature covers and is, kept by parseCertificate() for signatureHolds(). */
interface SignedParts {
  tbs: Buffer;
  algorithm: string;
  /** The signed part's algorithm is the outer one, byte for byte. */
  sameAlgorithms: boolean;
  /** The signature BIT STRING's contents (its unused-bits byte first). */
  signature: Buffer;
}

const signedParts = new WeakMap<ParsedCertificate, SignedParts>();

export function parseCertificate(derInput: Uint8Array): ParsedCertificate {
  const der = Buffer.from(derInput);
  const cert = parseDer(der);
  checkDer(cert);
  const [tbsTlv, sigAlg, signature] = cert.children;
  if (cert.tag !== 0x30 || cert.children.length !== 3 || tbsTlv?.tag !== 0x30 || sigAlg?.tag !== 0x30 || signature?.tag !== 0x03) {
    throw new CertificateError('not an X.509 certificate: not a SEQUENCE of tbsCertificate, algorithm and signature', { id: 'xNotCert' });
  }
  const tbs = tbsTlv.children;
  let i = 0;
  if (tbs[0]?.tag === 0xa0) {
    // [0] EXPLICIT Version: v1, v2 or v3
    const v = tbs[i++]!.children;
    if (v.length !== 1 || v[0]!.tag !== 0x02 || v[0]!.value.length !== 1 || v[0]!.value[0]! > 2) need(undefined, 'version');
  }
  const serial = need(tbs[i++], 'serialNumber', 0x02);
  if (serial.value.length === 0) need(undefined, 'serialNumber');
  algorithmOf(need(tbs[i++], 'signature algorithm', 0x30), 'signature algorithm');
  algorithmOf(sigAlg, 'signature algorithm');
  const issuer = decodeName(need(tbs[i++], 'issuer'));
  const validity = need(tbs[i++], 'validity', 0x30).children;
  if (validity.length !== 2) need(undefined, 'validity');
  const subjectTlv = need(tbs[i++], 'subject');
  const subject = decodeName(subjectTlv);
  const spkiTlv = need(tbs[i++], 'subjectPublicKeyInfo', 0x30);
  // then only the optional [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions, in order
  let last = 0;
  for (const t of tbs.slice(i)) {
    const n = t.tag === 0x81 || t.tag === 0xa1 ? 1 : t.tag === 0x82 || t.tag === 0xa2 ? 2 : t.tag === 0xa3 ? 3 : 0;
    if (n <= last) need(undefined, 'tbsCertificate');
    last = n;
  }
  bitString(signature, 'signature');
  let modulus: Buffer | undefined;
  let publicExponent: Buffer | undefined;
  const [alg, key] = spkiTlv.children;
  if (spkiTlv.children.length !== 2) need(undefined, 'subjectPublicKeyInfo');
  const algOid = algorithmOf(need(alg, 'subjectPublicKeyInfo', 0x30), 'subjectPublicKeyInfo');
  const bits = need(key, 'subjectPublicKey', 0x03);
  bitString(bits, 'subjectPublicKey');
  if (algOid === '1.2.840.113549.1.1.1') {
    const rsa = parseDer(bits.value.subarray(1)).children;
    if (rsa.length === 2) {
      modulus = stripLeadingZero(rsa[0]!.value);
      publicExponent = stripLeadingZero(rsa[1]!.value);
    }
  }
  let keyUsage: string[] | undefined;
  const extensionOids: string[] = [];
  const extsTlv = tbs.find((t) => t.tag === 0xa3);
  if (extsTlv && (extsTlv.children.length !== 1 || extsTlv.children[0]!.tag !== 0x30)) need(undefined, 'extensions');
  const exts = extsTlv?.children[0]?.children ?? [];
  for (const ext of exts) {
    const parts = ext.children;
    // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const shape = parts.map((t) => t.tag).join();
    if (ext.tag !== 0x30 || (shape !== '6,4' && shape !== '6,1,4')) need(undefined, 'extension');
    const oid = parts[0]?.tag === 0x06 ? decodeOid(parts[0].value) : undefined;
    if (oid !== undefined) extensionOids.push(oid);
    if (oid === '2.5.29.15') {
      const bs = parseDer(parts[parts.length - 1]!.value);
      if (bs.tag === 0x03) {
        const bytes = bs.value.subarray(1);
        keyUsage = KU_NAMES.filter((_, k) => ((bytes[k >> 3] ?? 0) >> (7 - (k & 7))) & 1);
      }
    }
  }
  let fingerprint: string | undefined;
  const parsed: ParsedCertificate = {
    der,
    subject,
    issuer,
    subjectString: nameToString(subject),
    issuerString: nameToString(issuer),
    serialNumber: serial.value.toString('hex').toUpperCase(),
    notBefore: decodeTime(need(validity[0], 'notBefore')),
    notAfter: decodeTime(need(validity[1], 'notAfter')),
    modulus,
    publicExponent,
    keyBits: modulus ? modulus.length * 8 - (Math.clz32(modulus[0]!) - 24) : undefined,
    spki: Buffer.from(spkiTlv.raw),
    // on first use: an issuer's certificate is parsed to check a signature, never shown
    get sha256(): string {
      fingerprint ??= sha256(der).toString('hex').toUpperCase();
      return fingerprint;
    },
    keyUsage,
    extensionOids,
    subjectDer: Buffer.from(subjectTlv.raw),
  };
  signedParts.set(parsed, {
    tbs: tbsTlv.raw,
    algorithm: decodeOid(sigAlg.children[0]!.value),
    sameAlgorithms: tbs[tbs[0]?.tag === 0xa0 ? 2 : 1]!.raw.equals(sigAlg.raw),
    signature: signature.value,
  });
  return parsed;
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** What checking a signature needs of the issuer's certificate: its RSA key, and all of it for OpenSSL. */
export type IssuerKey = Pick<ParsedCertificate, 'der' | 'modulus' | 'publicExponent'>;

/**
 * Whether `issuer`'s public key verifies `cert`'s signature, `cert` as parseCertificate() gave it
 * (no network). A SHA-256 RSA signature (what the known issuers use) by an RSA issuer is checked
 * here (rsa.ts), the signed part's algorithm being the outer one byte for byte; any other
 * algorithm or key goes to OpenSSL.
 */
export function signatureHolds(cert: ParsedCertificate, issuer: IssuerKey): boolean {
  const parts = signedParts.get(cert);
  if (parts && parts.algorithm === SHA256_WITH_RSA && issuer.modulus && issuer.publicExponent) {
    if (!parts.sameAlgorithms || parts.signature[0] !== 0) return false;
    return rsaSha256Verifies(issuer.modulus, issuer.publicExponent, parts.tbs, parts.signature.subarray(1));
  }
  return opensslVerifies(cert.der, issuer.der);
}

function opensslVerifies(certDer: Uint8Array, issuerDer: Uint8Array): boolean {
  try {
    const { X509Certificate } = nodeCrypto();
    return new X509Certificate(Buffer.from(certDer)).verify(new X509Certificate(Buffer.from(issuerDer)).publicKey);
  } catch {
    return false;
  }
}

/** signatureHolds() for DER; what this reader cannot parse goes to OpenSSL whole. False for what neither loads. */
export function signedBy(certDer: Uint8Array, issuerDer: Uint8Array): boolean {
  let cert: ParsedCertificate;
  let issuer: ParsedCertificate;
  try {
    cert = parseCertificate(certDer);
    issuer = parseCertificate(issuerDer);
  } catch {
    return opensslVerifies(certDer, issuerDer);
  }
  return signatureHolds(cert, issuer);
}

export type ValidityState = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

export interface Validity {
  state: ValidityState;
  /** Whole days from `now` to notAfter, rounded down; negative once expired. */
  daysLeft: number;
}

const DAY_MS = 86400000;

export function validity(notBefore: Date, notAfter: Date, now: Date, warnDays: number): Validity {
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  let state: ValidityState;
  if (now < notBefore) state = 'not-yet-valid';
  else if (now > notAfter) state = 'expired';
  else if (notAfter.getTime() - now.getTime() <= warnDays * DAY_MS) state = 'expiring';
  else state = 'valid';
  return { state, daysLeft };
}
