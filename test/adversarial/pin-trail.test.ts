import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStalePinDirs } from '../../src/browser/tlsProof.js';
import { ROOT } from '../helpers.js';

/** Issue 22 item 9: the PIN file handed to NSS never outlives the run that wrote it. */
function holder(): { path: Promise<string>; kill: (s: NodeJS.Signals) => Promise<void> } {
  const mod = join(ROOT, 'dist', 'browser', 'tlsProof.js');
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(mod)}); await m.withPinFile('13579', async (p) => { process.stdout.write(p + '\\n'); setInterval(() => {}, 1000); await new Promise(() => {}); });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const path = new Promise<string>((resolve) =>
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    }),
  );
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return {
    path,
    kill: async (s) => {
      child.kill(s);
      await closed;
    },
  };
}

describe('the PIN file of browser test', () => {
  it('is removed when the terminal closes (SIGHUP)', async () => {
    const h = holder();
    const p = await h.path;
    expect(existsSync(p)).toBe(true);
    await h.kill('SIGHUP');
    expect(existsSync(dirname(p))).toBe(false);
  });

  it("left by a run killed with -9, is removed by the next one (only this user's, only of dead runs)", async () => {
    const h = holder();
    const p = await h.path;
    await h.kill('SIGKILL');
    expect(existsSync(p)).toBe(true);
    // the next run removes it as it starts
    const live = holder();
    const lp = await live.path;
    expect(existsSync(dirname(p))).toBe(false);
    // and a live run's folder is never taken for a stale one
    expect(removeStalePinDirs(dirname(dirname(p)))).toBe(0);
    expect(existsSync(lp)).toBe(true);
    await live.kill('SIGTERM');
    expect(existsSync(dirname(lp))).toBe(false);
  });
});
