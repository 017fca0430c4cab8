import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimTransport } from '../../src/sim/transport.js';
import { cns, tempDir } from '../helpers.js';

const tries = (img: string): number => (JSON.parse(readFileSync(img, 'utf8')) as { pin: { triesLeft: number } }).pin.triesLeft;

/** The PID of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('the virtual card image lock', () => {
  it('with a stale lock of a dead process, wrong PINs in lockstep are each counted exactly once', async () => {
    const dir = tempDir('cns-lock-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img, '--pin-tries', '10'])).code).toBe(0);
    for (let trial = 0; trial < 3; trial++) {
      writeFileSync(`${img}.lock`, `${deadPid()} command`);
      const before = tries(img);
      const runs = await Promise.all(
        Array.from({ length: 6 }, () =>
          cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--last-attempt', '--json'], { input: '99999\n' }),
        ),
      );
      const counted = runs.filter((r) => r.code === 3 || r.code === 4).length;
      expect(
        runs.every((r) => [3, 4, 5].includes(r.code)),
        runs.map((r) => r.stdout + r.stderr).join('\n'),
      ).toBe(true);
      expect(before - tries(img)).toBe(counted);
      // put the counter back for the next trial (the PUK resets it)
      expect(
        (await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--allow-weak'], { input: '12345678\n12345\n' })).code,
      ).toBe(0);
    }
  });

  it('who holds the card is the kernel lock, not what the lock file says (a stale-looking file is never taken over while held)', async () => {
    const dir = tempDir('cns-lock-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const held = SimTransport.open(img);
    try {
      // what a second process saw in the race: a file naming a dead process
      writeFileSync(`${img}.lock`, `${deadPid()} command`);
      const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '99999\n' });
      expect(r.code).toBe(5);
      expect(r.json.error.code).toBe('CARD_BUSY');
      expect(tries(img)).toBe(3);
    } finally {
      await held.close();
    }
  });

  it('an empty or garbage lock file left by a crash does not block the card', async () => {
    const dir = tempDir('cns-lock-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    for (const junk of ['', 'garbage', '\u0000\u0000']) {
      writeFileSync(`${img}.lock`, junk);
      const r = await cns(['status', '--reader', `sim:${img}`, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });
});
