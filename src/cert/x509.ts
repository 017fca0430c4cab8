import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateError } from './errors.js';

export { CertificateError };

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
  pkijs: pkijs.Certificate;
}


function attrs(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => {
    const v = tv.value as { valueBlock?: { value?: unknown } };
    const value = typeof v.valueBlock?.value === 'string' ? v.valueBlock.value : String(v.valueBlock?.value ?? '');
    return { oid: tv.type, type: OID_NAMES[tv.type] ?? tv.type, value };
  });
}

export function nameToString(a: NameAttribute[]): string {
  return a.map((x) => `${x.type}=${x.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
}

function stripLeadingZero(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

export function parseCertificate(derInput: Uint8Array): ParsedCertificate {
  const der = Buffer.from(derInput);
  let cert: pkijs.Certificate;
  try {
    const asn = asn1js.fromBER(new Uint8Array(der).buffer);
    if (asn.offset === -1) throw new Error('bad BER');
    cert = new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw new CertificateError(`not an X.509 certificate: ${(e as Error).message}`);
  }
  const subject = attrs(cert.subject);
  const issuer = attrs(cert.issuer);
  const spki = Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  let modulus: Buffer | undefined;
  let publicExponent: Buffer | undefined;
  if (cert.subjectPublicKeyInfo.algorithm.algorithmId === '1.2.840.113549.1.1.1') {
    const rsa = cert.subjectPublicKeyInfo.parsedKey as pkijs.RSAPublicKey | undefined;
    if (rsa) {
      modulus = stripLeadingZero(Buffer.from(rsa.modulus.valueBlock.valueHexView));
      publicExponent = stripLeadingZero(Buffer.from(rsa.publicExponent.valueBlock.valueHexView));
    }
  }
  let keyUsage: string[] | undefined;
  const ku = cert.extensions?.find((e) => e.extnID === '2.5.29.15');
  if (ku) {
    const bits = ku.parsedValue as asn1js.BitString | undefined;
    if (bits) {
      const bytes = Buffer.from(bits.valueBlock.valueHexView);
      keyUsage = KU_NAMES.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
    }
  }
  return {
    der,
    subject,
    issuer,
    subjectString: nameToString(subject),
    issuerString: nameToString(issuer),
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    modulus,
    publicExponent,
    keyBits: modulus ? modulus.length * 8 - Math.clz32(modulus[0]!) + 24 : undefined,
    spki,
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    keyUsage,
    pkijs: cert,
  };
}

/** Verify `cert`'s signature with `issuer`'s public key (node's verifier, no network). */
export function signedBy(certDer: Uint8Array, issuerDer: Uint8Array): boolean {
  try {
    return new X509Certificate(Buffer.from(certDer)).verify(new X509Certificate(Buffer.from(issuerDer)).publicKey);
  } catch {
    return false;
  }
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
