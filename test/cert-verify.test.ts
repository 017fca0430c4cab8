import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDer } from '../src/cert/der.js';
import { issueCertificate } from '../src/cert/issue.js';
import { issuerSignatureHolds } from '../src/cert/issuers.js';
import { fromPem } from '../src/cert/pem.js';
import { rsaSha256Verifies } from '../src/cert/rsa.js';
import { TEST_CA } from '../src/cert/testCa.js';
import { decodeOid, parseCertificate, signedBy } from '../src/cert/x509.js';
import { defaultCa } from '../src/sim/create.js';
import { sha1, sha256 } from '../src/util/digest.js';

// Issue 27: status and cert check hash and check a known issuer's signature in JavaScript instead
// of loading node:crypto. Every answer here is compared with OpenSSL's for the same input.

describe('SHA-1 and SHA-256 in JavaScript', () => {
  it('give what OpenSSL gives for every length across the block boundaries, and for 100 KB', () => {
    const inputs = [...Array.from({ length: 300 }, (_, n) => randomBytes(n)), randomBytes(100_000), Buffer.from('abc')];
    for (const b of inputs) {
      expect(sha256(b).toString('hex')).toBe(createHash('sha256').update(b).digest('hex'));
      expect(sha1(b).toString('hex')).toBe(createHash('sha1').update(b).digest('hex'));
    }
    // FIPS 180-4's own example
    expect(sha256(Buffer.from('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

/** X.690 8.19 as written, all in BigInt: what decodeOid() gave before it used numbers where exact. */
function oidReference(b: Buffer): string {
  const parts: bigint[] = [];
  let v = 0n;
  for (const byte of b) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0n;
    }
  }
  const first = parts.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...parts].join('.');
}

describe('OIDs', () => {
  it('decode as X.690 says, exactly past 2^53 (2.25.<uuid>), as the all-BigInt reading did', () => {
    expect(decodeOid(Buffer.from('2a864886f70d01010b', 'hex'))).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(Buffer.from('551d0f', 'hex'))).toBe('2.5.29.15');
    // 2.25 with a 128-bit UUID arc (X.667)
    const uuid = 0xf81d4fae7dec11d0a76500a0c91e6bf6n;
    const arc: number[] = [];
    for (let x = uuid; x > 0n; x >>= 7n) arc.unshift(Number(x & 0x7fn) | (arc.length ? 0x80 : 0));
    expect(decodeOid(Buffer.from([0x69, ...arc]))).toBe(`2.25.${uuid}`);
    // random bytes: long and short arcs, a first arc past 80, a last one left open, none closed
    for (let n = 0; n < 3000; n++) {
      const len = 1 + (n % 24);
      const b = randomBytes(len);
      if (n % 3 === 0) for (let k = 0; k < len; k++) b[k]! |= k % 9 === 8 ? 0 : 0x80;
      expect(decodeOid(b)).toBe(oidReference(b));
    }
  });
});

function rsa(bits: number, e = 65537): { key: KeyObject; modulus: Buffer; exponent: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = publicKey.export({ format: 'jwk' });
  return { key: privateKey, modulus: Buffer.from(jwk.n!, 'base64url'), exponent: Buffer.from(jwk.e!, 'base64url') };
}

describe('RSASSA-PKCS1-v1_5 SHA-256 verification in JavaScript', () => {
  const keys = [rsa(1024), rsa(2048), rsa(3072), rsa(2048, 3)];

  it('accepts what OpenSSL signed, for 1024 to 3072 bits and e = 65537 or 3', () => {
    for (const k of keys) {
      for (let i = 0; i < 5; i++) {
        const msg = randomBytes(1 + i * 300);
        expect(rsaSha256Verifies(k.modulus, k.exponent, msg, sign('sha256', msg, k.key))).toBe(true);
      }
    }
  });

  it('refuses another message, a changed bit, the signature plus n, a wrong length, another key', () => {
    const [k, other] = [keys[1]!, keys[2]!];
    const msg = randomBytes(200);
    const sig = sign('sha256', msg, k.key);
    expect(rsaSha256Verifies(k.modulus, k.exponent, Buffer.concat([msg, Buffer.from([0])]), sig)).toBe(false);
    for (const at of [0, 17, sig.length - 1]) {
      const bad = Buffer.from(sig);
      bad[at]! ^= 0x01;
      expect(rsaSha256Verifies(k.modulus, k.exponent, msg, bad)).toBe(false);
    }
    const plusN = (BigInt(`0x${sig.toString('hex')}`) + BigInt(`0x${k.modulus.toString('hex')}`)).toString(16);
    expect(rsaSha256Verifies(k.modulus, k.exponent, msg, Buffer.from(plusN.padStart(plusN.length + (plusN.length % 2), '0'), 'hex'))).toBe(
      false,
    );
    expect(rsaSha256Verifies(k.modulus, k.exponent, msg, sig.subarray(1))).toBe(false);
    expect(rsaSha256Verifies(k.modulus, k.exponent, msg, Buffer.concat([Buffer.from([0]), sig]))).toBe(false);
    expect(rsaSha256Verifies(other.modulus, other.exponent, msg, sign('sha256', msg, k.key))).toBe(false);
    // SHA-1 and SHA-512 signatures of the same message are not SHA-256 ones
    expect(rsaSha256Verifies(k.modulus, k.exponent, msg, sign('sha1', msg, k.key))).toBe(false);
    expect(rsaSha256Verifies(k.modulus, k.exponent, msg, sign('sha512', msg, k.key))).toBe(false);
    // an exponent of 1 or an even one, an empty modulus: no key
    expect(rsaSha256Verifies(k.modulus, Buffer.from([1]), msg, sig)).toBe(false);
    expect(rsaSha256Verifies(k.modulus, Buffer.from([2]), msg, sig)).toBe(false);
    expect(rsaSha256Verifies(Buffer.alloc(0), k.exponent, msg, sig)).toBe(false);
  });
});

/** A certificate's DER with its signed part replaced and signed again with `hash` (the algorithm fields as given). */
function resigned(der: Buffer, key: KeyObject, hash: string, edit: (tbs: Buffer) => Buffer): Buffer {
  const cert = parseDer(der);
  const [tbs, alg] = cert.children;
  const newTbs = edit(Buffer.from(tbs!.raw));
  const sig = sign(hash, newTbs, key);
  const bits = Buffer.concat([Buffer.from([0x03, 0x82, (sig.length + 1) >> 8, (sig.length + 1) & 0xff, 0x00]), sig]);
  const body = Buffer.concat([newTbs, edit(Buffer.from(alg!.raw)), bits]);
  return Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]);
}

/** sha256WithRSAEncryption's OID (…01 01 0B) made another PKCS#1 one (05: SHA-1, 0D: SHA-512). */
const withAlg = (last: number) => (b: Buffer) => {
  const oid = Buffer.from('2a864886f70d01010b', 'hex');
  const out = Buffer.from(b);
  for (let at = out.indexOf(oid); at >= 0; at = out.indexOf(oid, at + 1)) out[at + oid.length - 1] = last;
  return out;
};

describe('signedBy: JavaScript for SHA-256 RSA, OpenSSL for the rest, the same answers as OpenSSL', async () => {
  const pem = defaultCa();
  const ca = { cert: fromPem(pem.cert) };
  const caKey = createPrivateKey(pem.key);
  const other = rsa(2048);
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = new Date();
  const leaf = await issueCertificate({
    subject: [{ type: 'CN', value: 'ROSSI MARIO' }],
    subjectPublicKey: publicKey,
    issuerCert: ca.cert,
    issuerKey: caKey,
    notBefore: now,
    notAfter: new Date(now.getTime() + 86400000),
  });
  const openssl = (c: Buffer, i: Buffer) => {
    try {
      return new X509Certificate(c).verify(new X509Certificate(i).publicKey);
    } catch {
      return false;
    }
  };
  const flip = (at: number) => (b: Buffer) => {
    const out = Buffer.from(b);
    out[at]! ^= 0x20;
    return out;
  };
  const cases: [string, Buffer, boolean][] = [
    ['issued by the CA', leaf, true],
    ['the CA itself', ca.cert, true],
    ['a byte of the signed part changed', Buffer.concat([leaf.subarray(0, 60), flip(0)(leaf.subarray(60, 61)), leaf.subarray(61)]), false],
    [
      'a bit of the signature changed',
      Buffer.concat([leaf.subarray(0, leaf.length - 5), flip(0)(leaf.subarray(-5, -4)), leaf.subarray(-4)]),
      false,
    ],
    ['signed by another key', resigned(leaf, other.key, 'sha256', (b) => b), false],
    ['signed with SHA-1 (OpenSSL checks it)', resigned(leaf, caKey, 'sha1', withAlg(0x05)), true],
    ['signed with SHA-512 (OpenSSL checks it)', resigned(leaf, caKey, 'sha512', withAlg(0x0d)), true],
  ];

  it.each(cases)('%s', (_, cert, holds) => {
    expect(signedBy(cert, ca.cert)).toBe(holds);
    expect(openssl(cert, ca.cert)).toBe(holds);
    // the test CA as the tool keeps it in its code (testCa.ts) gives the same answers; what this
    // reader refuses to parse (the changed byte may be a length) never gets that far
    let parsed: ReturnType<typeof parseCertificate> | undefined;
    try {
      parsed = parseCertificate(cert);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) expect(holds).toBe(false);
    else expect(issuerSignatureHolds(parsed)).toBe(holds);
  });

  it('knows only the test CA: a certificate from another issuer is neither held nor refused', async () => {
    // self-signed by another key, under another name
    const stranger = await issueCertificate({
      subject: [{ type: 'CN', value: 'Another CA' }],
      subjectPublicKey: createPublicKey(other.key),
      issuerKey: other.key,
      notBefore: now,
      notAfter: new Date(now.getTime() + 86400000),
    });
    expect(issuerSignatureHolds(parseCertificate(stranger))).toBeUndefined();
  });

  it('refuses a signed part whose algorithm is not the outer one, and an issuer that is no certificate', () => {
    // the inner algorithm says SHA-1, the outer SHA-256, the signature is a good SHA-256 one
    const inner = parseDer(leaf).children[0]!.raw;
    const mixed = resigned(leaf, caKey, 'sha256', (b) => (b.equals(inner) ? withAlg(0x05)(b) : b));
    expect(parseCertificate(mixed).der.length).toBe(mixed.length);
    expect(signedBy(mixed, ca.cert)).toBe(false);
    expect(signedBy(leaf, Buffer.from('not a certificate'))).toBe(false);
    expect(signedBy(Buffer.from([0x30, 0x00]), ca.cert)).toBe(false);
  });

  it('parseCertificate hashes as OpenSSL does and refuses what OpenSSL cannot load', () => {
    expect(parseCertificate(leaf).sha256).toBe(createHash('sha256').update(leaf).digest('hex').toUpperCase());
    expect(parseCertificate(leaf).sha256).toBe(new X509Certificate(leaf).fingerprint256.replace(/:/g, ''));
    // the signed part rebuilt from its elements, one of them changed
    const tbs = parseDer(leaf).children[0]!.children.map((t) => Buffer.from(t.raw));
    const tlv = (tag: number, ...parts: Buffer[]) => {
      const v = Buffer.concat(parts);
      const len = v.length < 0x80 ? [v.length] : v.length < 0x100 ? [0x81, v.length] : [0x82, v.length >> 8, v.length & 0xff];
      return Buffer.concat([Buffer.from([tag, ...len]), v]);
    };
    const withTbs = (edit: (t: Buffer[]) => Buffer[]) =>
      resigned(leaf, caKey, 'sha256', (b) => (b.equals(parseDer(leaf).children[0]!.raw) ? tlv(0x30, ...edit([...tbs])) : b));
    const [version, serial, , , validity, , spki, exts] = [0, 1, 2, 3, 4, 5, 6, 7];
    const spkiParts = parseDer(tbs[spki]!).children;
    const extList = parseDer(tbs[exts]!).children[0]!.children.map((t) => Buffer.from(t.raw));
    const cases: [string, Buffer, boolean][] = [
      // [what, certificate, whether OpenSSL loads it]
      ['version 4', withTbs((t) => [tlv(0xa0, tlv(0x02, Buffer.from([3]))), ...t.slice(serial)]), true],
      [
        'a validity of three times',
        withTbs((t) =>
          t.map((x, k) => (k === validity ? tlv(0x30, ...parseDer(x).children.map((c) => c.raw), parseDer(x).children[0]!.raw) : x)),
        ),
        false,
      ],
      [
        'a public key of 8 unused bits',
        withTbs((t) =>
          t.map((x, k) => (k === spki ? tlv(0x30, spkiParts[0]!.raw, tlv(0x03, Buffer.from([8]), spkiParts[1]!.value.subarray(1))) : x)),
        ),
        false,
      ],
      [
        'an extension without its value',
        withTbs((t) =>
          t.map((x, k) => (k === exts ? tlv(0xa3, tlv(0x30, ...extList.slice(1), tlv(0x30, Buffer.from('0603551d0e', 'hex')))) : x)),
        ),
        false,
      ],
      ['an INTEGER after the extensions', withTbs((t) => [...t, tlv(0x02, Buffer.from([1]))]), false],
      ['the extensions before the key', withTbs((t) => [...t.slice(0, spki), t[exts]!, t[spki]!]), false],
    ];
    expect(version).toBe(0);
    for (const [what, der, opensslLoads] of cases) {
      expect(() => parseCertificate(der), what).toThrow(/malformed certificate/);
      expect(
        (() => {
          try {
            return !!new X509Certificate(der);
          } catch {
            return false;
          }
        })(),
        what,
      ).toBe(opensslLoads);
    }
  });
});

describe('the test CA kept in the code (src/cert/testCa.ts)', () => {
  it('is fixtures/test-ca.pem: its name, RSA key and DER as parseCertificate() reads the fixture', () => {
    const fixture = parseCertificate(fromPem(defaultCa().cert));
    expect(TEST_CA.subject).toBe(fixture.subjectString);
    expect(TEST_CA.modulus).toBe(fixture.modulus?.toString('hex'));
    expect(TEST_CA.exponent).toBe(fixture.publicExponent?.toString('hex'));
    expect(Buffer.from(TEST_CA.der, 'base64').equals(fixture.der)).toBe(true);
  });
});
