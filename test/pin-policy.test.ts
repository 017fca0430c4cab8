import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weakPinReason } from '../src/card/pinPolicy.js';
import { cns, tempDir } from './helpers.js';

describe('safer new PINs', () => {
  it('one digit repeated, a straight run up or down, the birth date in the usual forms', () => {
    for (const p of ['11111', '00000000', '777777']) expect(weakPinReason(p)).toBe('repeated');
    for (const p of ['12345', '98765', '234567', '01234567', '76543']) expect(weakPinReason(p)).toBe('sequence');
    const born = '1985-08-01';
    for (const p of ['010885', '01081985', '19850801', '850801', '080185', '08011985']) expect(weakPinReason(p, born)).toBe('birthdate');
    for (const p of ['58213', '24680', '13579', '97531', '12354', '010886']) expect(weakPinReason(p, born)).toBeNull();
  });

  it('change and unblock refuse an easy PIN (exit 2, nothing sent), in both languages; --allow-weak accepts it', async () => {
    const dir = tempDir('cns-weak-');
    const img = join(dir, 'card.json');
    // born 1 August 1985 (BNCGLI85M41F205B: a woman, day 41 - 40)
    expect((await cns(['sim', 'create', img, '--codice-fiscale', 'BNCGLI85M41F205B'])).code).toBe(0);
    const sim = ['--reader', `sim:${img}`];
    const tries = async (): Promise<number> => (await cns(['status', ...sim, '--json'])).json.pin.triesLeft;
    let r = await cns(['pin', 'change', ...sim, '--stdin', '--json'], { input: '12345\n01081985\n' });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('WEAK_PIN');
    expect(r.json.error.message).toMatch(/birth date.*Nothing was sent/);
    r = await cns(['--lang', 'it', 'pin', 'change', ...sim, '--stdin'], { input: '12345\n55555\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/una sola cifra ripetuta.*Nulla è stato inviato/);
    r = await cns(['pin', 'unblock', ...sim, '--stdin', '--json'], { input: '12345678\n98765\n' });
    expect(r.json.error.code).toBe('WEAK_PIN');
    expect(await tries()).toBe(3);
    // the card's own PIN still works: nothing was changed
    expect((await cns(['pin', 'verify', ...sim, '--stdin'], { input: '12345\n' })).code).toBe(0);
    expect((await cns(['pin', 'change', ...sim, '--stdin', '--allow-weak'], { input: '12345\n98765\n' })).code).toBe(0);
    expect((await cns(['pin', 'verify', ...sim, '--stdin'], { input: '98765\n' })).code).toBe(0);
  });
});
