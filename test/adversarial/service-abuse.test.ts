import { createPrivateKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/cert/x509.js';
import { buildExtensionCsr } from '../../src/extension/csr.js';
import { certFromImage, startService } from '../extension-helpers.js';
import { cns, tempDir } from '../helpers.js';

const AT = '2023-11-15';
let dir: string;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  dir = tempDir('cns-service-');
  service = await startService(['--now', AT, '--issued', join(dir, 'issued.json')]);
});
afterAll(async () => {
  await service?.stop();
});

/** A request exactly as `cns extend` makes it, signed with the virtual card's key. */
async function request(image: string): Promise<string> {
  const cert = parseCertificate(certFromImage(image));
  const key = createPrivateKey((JSON.parse(readFileSync(image, 'utf8')) as { authKey: string }).authKey);
  const csr = await buildExtensionCsr({
    subjectDer: cert.subjectDer,
    spki: cert.spki,
    cardId: '5000000000000009',
    serialNumber: cert.serialNumber,
    sign: async (tbs) => createSign('sha256').update(tbs).sign(key),
  });
  return JSON.stringify({ csr: csr.toString('base64'), certificate: cert.der.toString('base64') });
}

const post = (body: string, type = 'application/json') =>
  fetch(`${service.url}/v1/extend`, { method: 'POST', headers: { 'content-type': type }, body });

describe('the extension service under abuse', () => {
  it('a request replayed 10 times gets the one certificate issued for it, never a second', async () => {
    const img = join(dir, 'card.json');
    expect(
      (await cns(['sim', 'create', img, '--card-id', '5000000000000009', '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code,
    ).toBe(0);
    const body = await request(img);
    const serials = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await post(body);
      expect(r.status).toBe(200);
      serials.add(((await r.json()) as { serialNumber: string }).serialNumber);
    }
    expect(serials.size).toBe(1);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'issued.json'), 'utf8')) as object)).toHaveLength(1);
  });

  it('50 identical requests at once (item 13): one new certificate, the same for all', async () => {
    const img = join(dir, 'card-concurrent.json');
    expect(
      (await cns(['sim', 'create', img, '--card-id', '5000000000000009', '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code,
    ).toBe(0);
    const body = await request(img);
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const serials = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { serialNumber: string }).serialNumber)));
    expect(serials.size).toBe(1);
    const issued = JSON.parse(readFileSync(join(dir, 'issued.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(issued)).toContain(parseCertificate(certFromImage(img)).serialNumber);
  });

  it('a body over 64 KB gets its 413, not a reset connection', async () => {
    const r = await post(JSON.stringify({ csr: 'A'.repeat(100 * 1024), certificate: 'A' }));
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('TOO_LARGE');
  });

  it('only application/json is processed', async () => {
    const r = await post('{"csr":"x","certificate":"y"}', 'text/plain');
    expect(r.status).toBe(415);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
