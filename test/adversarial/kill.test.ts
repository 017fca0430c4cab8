import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../../src/sim/image.js';
import { BIN, cns, tempDir } from '../helpers.js';

/** Start a PIN change on the image and kill it with SIGKILL after `ms`. */
function killedChange(img: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'pin', 'change', '--reader', `sim:${img}`, '--stdin'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.stdin.end('12345\n12345678\n');
    setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', () => resolve());
  });
}

describe('kill -9 during writes to a card image', () => {
  it('never leaves a corrupt image or a lock that blocks; the next write removes leftover temp copies', async () => {
    const dir = tempDir('cns-kill-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img, '--pin-tries', '15'])).code).toBe(0);
    for (let i = 0; i < 24; i++) {
      await killedChange(img, 40 + ((i * 37) % 160)); // spread over start-up, the lock, the writes
      expect(() => loadImage(img)).not.toThrow();
      // back to PIN 12345 and full tries, whatever the killed change did: the card still works
      const back = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--allow-weak'], { input: '12345678\n12345\n' });
      expect(back.code, back.stderr).toBe(0);
    }
    const status = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(status.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120000);
});
