import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from './helpers.js';
import { schemaErrors } from './schema.js';

/** The second (signature) keyset: certificate 3F00/1400/9010, PIN 1A, PUK 1B. */
describe('the signature keyset', () => {
  const dir = tempDir('cns-sig-');
  const img = join(dir, 'card.json');
  const sim = ['--reader', `sim:${img}`];
  const image = () => JSON.parse(readFileSync(img, 'utf8'));

  it('status shows it (certificate, its own PIN and PUK tries); a card without one says null', async () => {
    expect((await cns(['sim', 'create', img, '--signature-keyset'])).code).toBe(0);
    const s = await cns(['status', ...sim, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(schemaErrors('status', s.json)).toEqual([]);
    expect(s.json.signature).toMatchObject({ pin: { triesLeft: 3 }, puk: { triesLeft: 10 } });
    expect(s.json.signature.certificate.subject).toMatch(/CN=ROSSI MARIO \(firma\)/);
    expect(s.json.signature.certificate.keyUsage).toContain('nonRepudiation');
    const plain = join(dir, 'plain.json');
    expect((await cns(['sim', 'create', plain])).code).toBe(0);
    const p = await cns(['status', '--reader', `sim:${plain}`, '--json']);
    expect(p.json.signature).toBeNull();
    expect(schemaErrors('status', p.json)).toEqual([]);
    const none = await cns(['pin', 'verify', '--reader', `sim:${plain}`, '--signature', '--env'], { env: { CNS_PIN: '12345' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no signature keyset/);
  });

  it('pin verify/change/unblock --signature act on references 1A/1B only, with every rule of the CNS PIN', async () => {
    const wrong = await cns(['pin', 'verify', ...sim, '--signature', '--stdin', '--json'], { input: '11223344\n' });
    expect(wrong.code).toBe(3);
    expect(image().signature.pin.triesLeft).toBe(2);
    expect(image().pin.triesLeft).toBe(3); // the authentication PIN is untouched
    expect(wrong.stderr).toMatch(/signature PIN tries left: 3/);
    const ok = await cns(['pin', 'verify', ...sim, '--signature', '--stdin', '--json'], { input: '24681357\n' });
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ keyset: 'signature', pin: { verified: true } });
    expect(schemaErrors('pin', ok.json)).toEqual([]);
    // an easy new PIN is refused before the card sees anything
    expect((await cns(['pin', 'change', ...sim, '--signature', '--stdin'], { input: '24681357\n12345678\n' })).code).toBe(2);
    expect((await cns(['pin', 'change', ...sim, '--signature', '--stdin'], { input: '24681357\n58213790\n' })).code).toBe(0);
    expect(image().signature.pin.value).toBe('58213790');
    expect(image().pin.value).toBe('12345');
    // the last try needs --last-attempt; then the signature PUK unblocks
    for (const _ of [1, 2]) await cns(['pin', 'verify', ...sim, '--signature', '--stdin'], { input: '11223344\n' });
    expect(image().signature.pin.triesLeft).toBe(1);
    const refused = await cns(['pin', 'verify', ...sim, '--signature', '--stdin'], { input: '11223344\n' });
    expect(refused.code).toBe(9);
    const un = await cns(['pin', 'unblock', ...sim, '--signature', '--stdin', '--json'], { input: '97531864\n24681357\n' });
    expect(un.code, un.stderr).toBe(0);
    expect(image().signature).toMatchObject({ pin: { value: '24681357', triesLeft: 3 }, puk: { triesLeft: 10 } });
    expect(image().puk.triesLeft).toBe(10);
  });

  it('cert show/export --signature read EF 9010; doctor reports the keyset', async () => {
    const out = join(dir, 'sig.der');
    expect((await cns(['cert', 'export', ...sim, '--signature', '--format', 'der', '--out', out])).code).toBe(0);
    const ef = Buffer.from(image().files.find((f: { path: string }) => f.path === '3F00/1400/9010').data, 'hex');
    const der = readFileSync(out);
    expect(ef.subarray(0, der.length).equals(der)).toBe(true);
    const show = await cns(['cert', 'show', ...sim, '--signature', '--json']);
    expect(show.json.certificate.subject).toMatch(/\(firma\)/);
    const d = await cns(['doctor', ...sim, '--json']);
    expect((d.json.checks as { code: string; status: string }[]).find((c) => c.code === 'SIGNATURE')?.status).toBe('pass');
  });

  it('the older InfoCamere 1204 layout: certificate in 2FFF/8228 from offset 5, under the CNS PIN', async () => {
    const ic = join(dir, 'infocamere.json');
    expect((await cns(['sim', 'create', ic, '--signature-layout', 'infocamere'])).code).toBe(0);
    const at = ['--reader', `sim:${ic}`];
    const s = await cns(['status', ...at, '--json']);
    expect(schemaErrors('status', s.json)).toEqual([]);
    expect(s.json.signature).toMatchObject({ layout: 'infocamere', pin: { triesLeft: 3 } });
    expect(s.json.signature.certificate.subject).toMatch(/\(firma\)/);
    const out = join(dir, 'ic.der');
    expect((await cns(['cert', 'export', ...at, '--signature', '--format', 'der', '--out', out])).code).toBe(0);
    const j = JSON.parse(readFileSync(ic, 'utf8'));
    const ef = Buffer.from(j.files.find((f: { path: string }) => f.path === '3F00/2FFF/8228').data, 'hex');
    const len = (ef[1]! << 8) | ef[2]!;
    expect(readFileSync(out).equals(ef.subarray(5, 5 + len))).toBe(true);
    // --signature acts on the CNS PIN here, and says so
    const wrong = await cns(['pin', 'verify', ...at, '--signature', '--stdin'], { input: '54329\n' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/InfoCamere 1204 layout\) uses the CNS PIN/);
    expect(JSON.parse(readFileSync(ic, 'utf8')).pin.triesLeft).toBe(2);
    // and the wrong one is the CNS PIN, named as such (issue 23 trial)
    expect(wrong.stderr).toMatch(/Wrong PIN\. Tries left: 2/);
    expect(wrong.stderr).not.toMatch(/signature PIN/);
  });

  it('--sign-test with --signature: refused before anything is sent (no test signature with the signature key)', async () => {
    const img = join(dir, 'sig-test.json');
    expect((await cns(['sim', 'create', img, '--signature-keyset'])).code).toBe(0);
    const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--signature', '--sign-test', '--stdin', '--json'], {
      input: '12345\n',
    });
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/--sign-test signs with the authentication key only/);
    expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
  });
});
