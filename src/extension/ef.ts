import { tlvLength } from '../apdu/tlv.js';
import { issuerSignatureHolds } from '../cert/issuers.js';
import { parseCertificate } from '../cert/x509.js';

/**
 * How a certificate goes into EF 1101 so that every interrupted state can be told from the card
 * alone, without the journal of the machine that started: first the whole range is zeroed (from
 * the front, so the DER header goes first), then the certificate is written from its fifth
 * byte, and its 4-byte header (30 82 LL LL) last. Until that last step the EF starts with zeros:
 * no reader takes it for a certificate. Once the body is complete, the header follows from it.
 */
export const CERT_HEADER = 4;

export interface WriteStep {
  offset: number;
  data: Buffer;
  /** What the step does, for progress. */
  what: 'invalidate' | 'body' | 'header';
}

export function writePlan(image: Buffer): WriteStep[] {
  const head = Math.min(CERT_HEADER, image.length);
  return [
    { offset: 0, data: Buffer.alloc(image.length), what: 'invalidate' },
    { offset: head, data: image.subarray(head), what: 'body' },
    { offset: 0, data: image.subarray(0, head), what: 'header' },
  ];
}

/**
 * EF 1101 as an interrupted write leaves it: a zeroed header with a certificate body after it.
 * `certificate` is the whole certificate when the body is complete (only the header is missing)
 * and its issuer's signature verifies; null when it is not (zeros where the rest should be, or an
 * issuer this installation cannot check: then only the backup can put the card right).
 */
export function interruptedWrite(ef: Buffer): { certificate: Buffer | null } | null {
  if (ef.length <= CERT_HEADER || !ef.subarray(0, CERT_HEADER).every((b) => b === 0)) return null;
  const body = ef.subarray(CERT_HEADER);
  if (body.every((b) => b === 0 || b === 0xff)) return null; // an empty EF, not an interrupted write
  let at = 0;
  for (const tag of [0x30, 0x30, 0x03]) {
    // tbsCertificate, signatureAlgorithm, signatureValue
    const len = body[at] === tag ? tlvLength(body.subarray(at)) : undefined;
    if (len === undefined || at + len > body.length) return { certificate: null };
    at += len;
  }
  if (at < 0x100 || at > 0xffff) return { certificate: null };
  const der = Buffer.concat([Buffer.from([0x30, 0x82, at >> 8, at & 0xff]), body.subarray(0, at)]);
  try {
    // the body's lengths were written with its first chunk: a last chunk never written leaves
    // zeros that still parse. Only a certificate whose issuer's signature verifies is complete.
    if (issuerSignatureHolds(parseCertificate(der)) !== true) return { certificate: null };
    return { certificate: der };
  } catch {
    return { certificate: null };
  }
}
