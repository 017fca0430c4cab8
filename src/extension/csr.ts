import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { usePkijsEngine } from '../cert/issue.js';
import { OID_ATTR_CARD_ID, OID_ATTR_SERIAL } from './constants.js';

const SHA256_RSA = '1.2.840.113549.1.1.11';

/**
 * A PKCS#10 request for the card's existing key, carrying the card id and the current
 * certificate's serial, signed by the card (proof of possession): `sign` receives the DER of
 * CertificationRequestInfo and returns an RSASSA-PKCS1-v1_5 / SHA-256 signature made by the card.
 */
export async function buildExtensionCsr(opts: {
  subjectDer: Buffer;
  spki: Buffer;
  cardId: string;
  serialNumber: string;
  sign: (tbs: Buffer) => Promise<Buffer>;
}): Promise<Buffer> {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array(opts.subjectDer).buffer);
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(opts.spki).buffer);
  csr.attributes = [
    new pkijs.Attribute({ type: OID_ATTR_CARD_ID, values: [new asn1js.PrintableString({ value: opts.cardId })] }),
    new pkijs.Attribute({ type: OID_ATTR_SERIAL, values: [new asn1js.PrintableString({ value: opts.serialNumber })] }),
  ];
  csr.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_RSA, algorithmParams: new asn1js.Null() });
  const tbs = Buffer.from((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.tbsView = new Uint8Array(tbs);
  const sig = await opts.sign(tbs);
  csr.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array(sig).buffer });
  return Buffer.from(csr.toSchema().toBER(false));
}

export interface ParsedCsr {
  spki: Buffer;
  subjectDer: Buffer;
  cardId: string | null;
  serialNumber: string | null;
  signatureValid: boolean;
}

/** The service's side: parse a request and check its self-signature (proof of possession). */
export async function parseExtensionCsr(der: Buffer): Promise<ParsedCsr> {
  usePkijsEngine();
  const csr = pkijs.CertificationRequest.fromBER(new Uint8Array(der).buffer);
  // asn1js prints long sub-identifiers (our 2.25.<uuid> arc) in its own form: compare in that form
  const canonical = (oid: string): string =>
    (asn1js.fromBER(new asn1js.ObjectIdentifier({ value: oid }).toBER(false)).result as asn1js.ObjectIdentifier).valueBlock.toString();
  const attr = (oid: string): string | null => {
    const want = canonical(oid);
    const a = csr.attributes?.find((x) => x.type === want || x.type === oid);
    const v = a?.values[0] as { valueBlock?: { value?: unknown } } | undefined;
    return typeof v?.valueBlock?.value === 'string' ? v.valueBlock.value : null;
  };
  let signatureValid = false;
  try {
    signatureValid = csr.signatureAlgorithm.algorithmId === SHA256_RSA && (await csr.verify());
  } catch {
    signatureValid = false;
  }
  return {
    spki: Buffer.from(csr.subjectPublicKeyInfo.toSchema().toBER(false)),
    subjectDer: Buffer.from(csr.subject.toSchema().toBER(false)),
    cardId: attr(OID_ATTR_CARD_ID),
    serialNumber: attr(OID_ATTR_SERIAL),
    signatureValid,
  };
}
