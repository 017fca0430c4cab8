import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CnsSession } from '../src/card/session.js';
import { CertificateHasher } from '../src/cert/hashing.js';
import { issuerSignatureHolds } from '../src/cert/issuers.js';
import { parseCertificate } from '../src/cert/x509.js';
import { VirtualCard } from '../src/sim/card.js';
import { createImage } from '../src/sim/create.js';
import { GENERATIONS } from '../src/sim/generations.js';
import { cardTransport } from './helpers.js';

// Issue 27: a certificate is hashed while the card sends the next piece. What the hasher gives
// must be exactly what hashing the whole certificate gives, or nothing.

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function cardCertificate(): Promise<Buffer> {
  const { image } = await createImage({});
  return new CnsSession(cardTransport(new VirtualCard(image), [])).readCertificate();
}

/** `der` fed in pieces of `size`, as readFile gives them. */
function fed(der: Buffer, size: number, base = 0): CertificateHasher {
  const h = new CertificateHasher();
  for (let at = 0; at < der.length; at += size) h.feed(der.subarray(at, at + size), base + at);
  return h;
}

describe('the certificate hashed as it arrives', () => {
  it('gives the fingerprint and the signed part hash of the whole, whatever the pieces', async () => {
    const der = await cardCertificate();
    const parsed = parseCertificate(der);
    const tbs = der.subarray(4, 4 + 4 + der.readUInt16BE(6));
    for (const size of [1, 3, 7, 16, 17, 64, 255, der.length]) {
      const r = fed(der, size).result(der);
      expect(r?.sha256.toString('hex'), `pieces of ${size}`).toBe(sha(der));
      expect(r?.tbs?.sha256.toString('hex'), `pieces of ${size}`).toBe(sha(tbs));
      expect(parseCertificate(der, r).sha256).toBe(parsed.sha256);
    }
  });

  it('is hashed on the event loop, while the caller goes on; result() finishes what is left', async () => {
    const der = await cardCertificate();
    const h = fed(der, 255);
    await turn();
    const r = h.result(der);
    expect(r?.sha256.toString('hex')).toBe(sha(der));
  });

  it('gives nothing for bytes that are not exactly the certificate', async () => {
    const der = await cardCertificate();
    expect(fed(der, 255).result(der.subarray(0, der.length - 1))).toBeUndefined(); // padding fed, cut after
    const gap = new CertificateHasher();
    gap.feed(der.subarray(0, 255), 0);
    gap.feed(der.subarray(300), 300); // a piece missing
    expect(gap.result(der)).toBeUndefined();
    expect(new CertificateHasher().result(der)).toBeUndefined(); // nothing fed (a certificate kept from an earlier read)
    // a file read again from 0 (another layout probed first): only the last read counts
    const again = fed(Buffer.from('3003020101', 'hex'), 2);
    for (let at = 0; at < der.length; at += 255) again.feed(der.subarray(at, at + 255), at);
    expect(again.result(der)?.sha256.toString('hex')).toBe(sha(der));
  });

  it('the signed part hash is the one checked, where the parser finds that part', async () => {
    const der = await cardCertificate();
    const good = fed(der, 255).result(der)!;
    expect(issuerSignatureHolds(parseCertificate(der, good))).toBe(true);
    // a wrong hash of the right part is used (and fails): the check does not hash again
    const wrong = { ...good, tbs: { ...good.tbs!, sha256: Buffer.alloc(32, 1) } };
    expect(issuerSignatureHolds(parseCertificate(der, wrong))).toBe(false);
    // the same wrong hash said of another part is not taken: the check hashes the real part
    const elsewhere = { ...good, tbs: { ...good.tbs!, start: good.tbs!.start + 1, sha256: Buffer.alloc(32, 1) } };
    expect(issuerSignatureHolds(parseCertificate(der, elsewhere))).toBe(true);
  });

  it('every generation: the pieces a card session reads are the certificate it returns', async () => {
    for (const g of GENERATIONS) {
      const { image } = await createImage({ generation: g.name, keySize: 1024 });
      const h = new CertificateHasher();
      const der = await new CnsSession(cardTransport(new VirtualCard(image), [])).readCertificate('auth', h.feed);
      const r = h.result(der);
      expect(r?.sha256.toString('hex'), g.name).toBe(sha(der));
      expect(r?.tbs, g.name).toBeDefined();
      expect(issuerSignatureHolds(parseCertificate(der, r)), g.name).toBe(true);
    }
  });
});
