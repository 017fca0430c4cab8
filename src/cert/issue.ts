import { createPublicKey, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

let engineReady = false;
/** pkijs needs a WebCrypto engine for signing and verifying; Node's, set once. */
export function usePkijsEngine(): void {
  if (engineReady) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
  engineReady = true;
}

export interface NameSpec {
  type: 'C' | 'O' | 'OU' | 'CN' | 'SN' | 'GN' | 'serialNumber' | 'dnQualifier';
  value: string;
}

const OIDS: Record<NameSpec['type'], string> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  GN: '2.5.4.42',
  serialNumber: '2.5.4.5',
  dnQualifier: '2.5.4.46',
};

/** One attribute per RDN, as X.509 names normally are (pkijs would put them all in one SET). */
function buildName(spec: NameSpec[]): pkijs.RelativeDistinguishedNames {
  const rdns = spec.map((a) => {
    const value =
      a.type === 'C' || a.type === 'dnQualifier'
        ? new asn1js.PrintableString({ value: a.value })
        : new asn1js.Utf8String({ value: a.value });
    return new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type: OIDS[a.type], value }).toSchema()] });
  });
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

export interface IssueOptions {
  subject: NameSpec[] | pkijs.RelativeDistinguishedNames;
  /** SPKI DER or a public KeyObject of the subject. */
  subjectPublicKey: Buffer | KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** Issuer certificate DER; omitted for a self-signed CA. */
  issuerCert?: Buffer;
  issuerKey: KeyObject;
  serialNumber?: Buffer;
  ca?: boolean;
  /** A qualified-signature certificate: keyUsage nonRepudiation, no client-authentication EKU. */
  nonRepudiation?: boolean;
  /** Extra non-critical extensions (OID -> DER value). */
  extraExtensions?: { oid: string; der: Buffer }[];
}

function spkiDer(k: Buffer | KeyObject): Buffer {
  if (Buffer.isBuffer(k)) return k;
  return (k.type === 'public' ? k : createPublicKey(k)).export({ type: 'spki', format: 'der' });
}

async function keyId(spki: Buffer): Promise<ArrayBuffer> {
  const info = pkijs.PublicKeyInfo.fromBER(new Uint8Array(spki).buffer);
  return webcrypto.subtle.digest('SHA-1', info.subjectPublicKey.valueBlock.valueHexView);
}

/** Issue an X.509 v3 certificate signed with RSA PKCS#1 v1.5 / SHA-256. */
export async function issueCertificate(o: IssueOptions): Promise<Buffer> {
  usePkijsEngine();
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = o.serialNumber ?? Buffer.concat([Buffer.from([0x01]), randomBytes(15)]);
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  cert.subject = Array.isArray(o.subject) ? buildName(o.subject) : o.subject;
  const subjectSpki = spkiDer(o.subjectPublicKey);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(new Uint8Array(subjectSpki).buffer);
  let issuerSpki: Buffer;
  if (o.issuerCert) {
    const issuer = pkijs.Certificate.fromBER(new Uint8Array(o.issuerCert).buffer);
    cert.issuer = issuer.subject;
    issuerSpki = Buffer.from(issuer.subjectPublicKeyInfo.toSchema().toBER(false));
  } else {
    cert.issuer = cert.subject;
    issuerSpki = subjectSpki;
  }
  // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050
  const time = (d: Date): pkijs.Time => new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d });
  cert.notBefore = time(o.notBefore);
  cert.notAfter = time(o.notAfter);
  const ext: pkijs.Extension[] = [];
  ext.push(
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: !!o.ca }).toSchema().toBER(false),
    }),
  );
  // keyUsage: CA keyCertSign+cRLSign (bits 5,6); end entity digitalSignature (bit 0)
  const kuBits = o.ca ? new Uint8Array([0x06]) : o.nonRepudiation ? new Uint8Array([0x40]) : new Uint8Array([0x80]);
  const ku = new asn1js.BitString({ valueHex: kuBits.buffer, unusedBits: o.ca ? 1 : o.nonRepudiation ? 6 : 7 });
  ext.push(new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: ku.toBER(false) }));
  ext.push(
    new pkijs.Extension({ extnID: '2.5.29.14', extnValue: new asn1js.OctetString({ valueHex: await keyId(subjectSpki) }).toBER(false) }),
  );
  if (!o.ca) {
    ext.push(
      new pkijs.Extension({
        extnID: '2.5.29.35',
        extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: await keyId(issuerSpki) }) })
          .toSchema()
          .toBER(false),
      }),
    );
    if (!o.nonRepudiation)
      ext.push(
        new pkijs.Extension({
          extnID: '2.5.29.37',
          extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.2'] }).toSchema().toBER(false),
        }),
      );
  }
  for (const x of o.extraExtensions ?? []) {
    ext.push(new pkijs.Extension({ extnID: x.oid, extnValue: new Uint8Array(x.der).buffer }));
  }
  cert.extensions = ext;
  const pkcs8 = o.issuerKey.export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  await cert.sign(signingKey as unknown as CryptoKey, 'SHA-256');
  return Buffer.from(cert.toSchema(true).toBER(false));
}
