import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { imageCounters, makeCard, STACK_OK, stack } from './stack.js';

/**
 * Issue 26 item 4: the integrators' example (examples/kiosk.mjs, shown in docs/api.md) run as a
 * program, importing 'cns' as a package, against the virtual card through pcscd.
 */
function kiosk(keypad: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', 'kiosk.mjs'), '--once'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(keypad);
  });
}

describe.skipIf(!STACK_OK)('the kiosk example (docs/api.md) through pcscd', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('waits for the card, greets the holder with the expiry, shows the tries, verifies the PIN typed', async () => {
    const img = await makeCard('--surname', 'BIANCHI', '--given-name', 'ANNA');
    await stack.attach(img);
    const r = await kiosk('12345\n');
    expect(r.err).toBe('');
    expect(r.out).toMatch(
      /^Hello ANNA BIANCHI\.\nYour card's certificate is valid until \d{4}-\d\d-\d\d \(valid\)\.\nType your PIN \(3 tries left\)\.\nPIN OK\.\n$/,
    );
    expect(r.code).toBe(0);
    expect(imageCounters(img).pin).toBe(3);
  });

  it('a wrong PIN costs one try and is said with the tries left; a bad shape and the last try never reach the card', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const wrong = await kiosk('99999\n');
    expect(wrong.out).toContain('Wrong PIN: 2 tries left.');
    expect(wrong.code).toBe(1);
    expect(imageCounters(img).pin).toBe(2);
    const shape = await kiosk('12a4\n');
    expect(shape.out).toContain('A PIN is 5 to 8 digits: nothing was sent to the card.');
    expect(imageCounters(img).pin).toBe(2);
    await kiosk('99999\n');
    expect(imageCounters(img).pin).toBe(1);
    const last = await kiosk('12345\n');
    expect(last.out).toContain('Type your PIN (1 tries left).');
    expect(last.out).toContain('Only one PIN try is left: this kiosk will not use it.');
    expect(imageCounters(img).pin).toBe(1);
  });
});
