import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/**
 * Issue 22 item 15: when the signature PIN blocks, the advice must name the signature keyset:
 * `cns pin unblock` alone unblocks the authentication PIN and spends the authentication PUK.
 */
describe('messages about the signature keyset name it', () => {
  it('a signature PIN blocked by wrong PINs: every message says "signature" and "--signature"; following the advice spends only the signature PUK', async () => {
    const img = join(tempDir('cns-sigmsg-'), 'card.json');
    expect((await cns(['sim', 'create', img, '--signature-keyset'])).code).toBe(0);
    const sim = ['--reader', `sim:${img}`];
    const wrong = await cns(['pin', 'verify', ...sim, '--signature', '--stdin', '--json'], { input: '11112222\n' });
    expect(wrong.json.error.message).toMatch(/^Wrong signature PIN\. Tries left: 2/);
    await cns(['pin', 'verify', ...sim, '--signature', '--stdin'], { input: '11112222\n' });
    const last = await cns(['pin', 'verify', ...sim, '--signature', '--stdin', '--last-attempt', '--json'], { input: '11112222\n' });
    expect(last.json.error.code).toBe('PIN_BLOCKED');
    expect(last.json.error.message).toMatch(/signature PIN is now blocked.*cns pin unblock --signature/);
    const again = await cns(['--lang', 'it', 'pin', 'verify', ...sim, '--signature', '--stdin'], { input: '24681357\n' });
    expect(again.stderr).toMatch(/Il PIN di firma è bloccato.*cns pin unblock --signature/);
    // the advice, followed: the signature PUK unblocks it; the card's own PUK is untouched
    const u = await cns(['pin', 'unblock', ...sim, '--signature', '--stdin'], { input: '97531864\n13572468\n' });
    expect(u.code, u.stderr).toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8'));
    expect([j.puk.triesLeft, j.signature.pin.triesLeft, j.signature.pin.value]).toEqual([10, 3, '13572468']);
    // the authentication PIN's messages stay as they were
    const auth = await cns(['pin', 'verify', ...sim, '--stdin', '--json'], { input: '11111\n' });
    expect(auth.json.error.message).toMatch(/^Wrong PIN\. Tries left: 2/);
  });
});
