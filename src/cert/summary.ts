import { parseCnsCommonName } from './cnsSubject.js';
import { OID_EXTENDED_MARKER } from './oids.js';
import { type ParsedCertificate, parseCertificate, type ValidityState, validity } from './x509.js';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  state: ValidityState;
  /** Split out of the CNS common name; null when the CN does not follow the CNS pattern. */
  codiceFiscale: string | null;
  cardId: string | null;
  datiPersonaliHash: string | null;
  commonName: string | null;
  keyBits: number | null;
  keyUsage: string[];
  sha256: string;
  /** An extended certificate of the 2023 extension (carries the project's marker extension). */
  extended: boolean;
}

export function summarize(cert: ParsedCertificate, now: Date, warnDays: number): CertificateSummary {
  const cn = cert.subject.find((a) => a.type === 'CN')?.value ?? null;
  const parts = cn ? parseCnsCommonName(cn) : undefined;
  const v = validity(cert.notBefore, cert.notAfter, now, warnDays);
  return {
    subject: cert.subjectString,
    issuer: cert.issuerString,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysLeft: v.daysLeft,
    state: v.state,
    codiceFiscale: parts?.codiceFiscale ?? null,
    cardId: parts?.cardId ?? null,
    datiPersonaliHash: parts?.datiPersonaliHash ?? null,
    commonName: cn,
    keyBits: cert.keyBits ?? null,
    keyUsage: cert.keyUsage ?? [],
    // on first use (~0.5 ms to hash): `cert check` and the text of `status` do not show it
    get sha256(): string {
      return cert.sha256;
    },
    extended: cert.extensionOids.includes(OID_EXTENDED_MARKER),
  };
}

export function summarizeDer(der: Uint8Array, now: Date, warnDays: number): { parsed: ParsedCertificate; summary: CertificateSummary } {
  const parsed = parseCertificate(der);
  return { parsed, summary: summarize(parsed, now, warnDays) };
}
