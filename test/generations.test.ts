import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_PATH } from '../src/sim/create.js';
import { GENERATIONS } from '../src/sim/generations.js';
import { cns, tempDir } from './helpers.js';

/** Every generation the tool knows, as a virtual card, through the whole command suite. */
const dir = tempDir('cns-gen-');

function imageCert(img: string, layout: keyof typeof CERTIFICATE_PATH = 'cns'): Buffer {
  const j = JSON.parse(readFileSync(img, 'utf8')) as { files: { path: string; data?: string }[] };
  const ef = Buffer.from(j.files.find((f) => f.path === CERTIFICATE_PATH[layout])!.data!, 'hex');
  const len = ef[1]! & 0x80 ? 4 + ef.readUInt16BE(2) : 2 + ef[1]!;
  return ef.subarray(0, len);
}

describe('each generation as a virtual card, through every command', () => {
  for (const g of GENERATIONS) {
    it(`${g.name}: ${g.label}`, async () => {
      const img = join(dir, `${g.name}.json`);
      const sim = ['--reader', `sim:${img}`];
      expect((await cns(['sim', 'create', img, '--generation', g.name])).code).toBe(0);
      const s = await cns(['status', ...sim, '--json']);
      expect(s.code, s.stderr).toBe(0);
      const byFiles = g.name === 'nfc' || g.name === 'hpc';
      expect(s.json.card).toMatchObject({
        keyBits: g.keyBits,
        extendedLength: g.extendedLength,
        identifiedBy: byFiles ? 'application' : 'atr',
        contactless: g.name.endsWith('nfc'),
      });
      const signed = await cns(['pin', 'verify', ...sim, '--stdin', '--sign-test', '--json'], { input: '12345\n' });
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.json.signature).toMatchObject({ keyBits: g.keyBits, verified: true });
      expect((await cns(['pin', 'change', ...sim, '--stdin'], { input: '12345\n58213\n' })).code).toBe(0);
      expect((await cns(['pin', 'unblock', ...sim, '--stdin'], { input: '12345678\n24680\n' })).code).toBe(0);
      expect((await cns(['pin', 'verify', ...sim, '--env'], { env: { CNS_PIN: '24680' } })).code).toBe(0);
      const out = join(dir, `${g.name}.der`);
      expect((await cns(['cert', 'export', ...sim, '--format', 'der', '--out', out])).code).toBe(0);
      expect(readFileSync(out).equals(imageCert(img, g.layout))).toBe(true);
      expect((await cns(['cert', 'check', ...sim])).code).toBe(0);
      expect((await cns(['extend', '--check', ...sim])).code).toBe(10);
      const ticket = join(dir, `${g.name}-ticket.json`);
      const d = await cns(['doctor', ...sim, '--json', '--report', ticket]);
      const checks = d.json.checks as { code: string; status: string }[];
      expect(checks.find((c) => c.code === 'ATR')?.status).not.toBe('fail');
      expect(checks.find((c) => c.code === 'CERTIFICATE')?.status, g.name).toBe('pass');
      // the help desk's ticket: the card's ATR and model, and the certificate wherever the card keeps it
      const t = JSON.parse(readFileSync(ticket, 'utf8'));
      expect(t.cards[0]).toMatchObject({ atr: g.atr, model: s.json.card.model, certificate: { notAfter: expect.any(String) } });
    });
  }

  it('a card that answers at most 64 bytes at a time is read whole, through GET RESPONSE', async () => {
    const img = join(dir, 'small.json');
    expect((await cns(['sim', 'create', img, '--max-response', '64'])).code).toBe(0);
    const out = join(dir, 'small.der');
    expect((await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', out])).code).toBe(0);
    expect(readFileSync(out).equals(imageCert(img))).toBe(true);
    expect((await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test'], { input: '12345\n' })).code).toBe(0);
  });

  it('an ATR that does not decide and files that are not a CNS: not a CNS (exit 7), nothing spent; a CIE is not probed', async () => {
    const img = join(dir, 'nocns.json');
    expect((await cns(['sim', 'create', img, '--generation', 'nfc'])).code).toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8'));
    j.files = j.files.filter((f: { path: string }) => f.path !== '3F00/1000/1003');
    writeFileSync(img, JSON.stringify(j));
    const r = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('CARD_UNSUPPORTED');
    expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
    const cie = join(dir, 'cie.json');
    expect((await cns(['sim', 'create', cie, '--atr', '3BF4180 0FF8131805500318000C7'.replace(/\s/g, '')])).code).toBe(0);
    const c = await cns(['--lang', 'it', 'status', '--reader', `sim:${cie}`]);
    expect(c.code).toBe(7);
    expect(c.stderr).toMatch(/CIE|identità/);
  });

  it('sim create refuses --atr with --generation, an unknown generation, and --contactless with a contact generation', async () => {
    const x = join(dir, 'x.json');
    expect((await cns(['sim', 'create', x, '--generation', 'st2021', '--atr', '3B00'])).code).toBe(2);
    const u = await cns(['sim', 'create', x, '--generation', 'nope']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/st2021, stincard/);
    expect((await cns(['sim', 'create', x, '--generation', 'athena', '--contactless'])).code).toBe(2);
    expect((await cns(['sim', 'create', x, '--contactless'])).code).toBe(0);
  });
});
