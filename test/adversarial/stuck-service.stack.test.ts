import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cns } from '../helpers.js';
import { imageCounters, makeCard, STACK_OK, stack } from '../stack/stack.js';

/**
 * Issue 22 item 12: a pcscd that takes calls and never answers (stopped with SIGSTOP) blocked
 * readers, status, pin verify and doctor until it resumed. Every call to the service is bounded.
 */
const env = { CNS_PCSC_SERVICE_TIMEOUT_MS: '1500' };

describe.skipIf(!STACK_OK)('a stuck PC/SC service', () => {
  let pid = 0;
  afterEach(async () => {
    if (pid) process.kill(pid, 'SIGCONT');
    pid = 0;
    await stack.detach(35963);
  });

  it('readers, status, pin verify and doctor each end in bounded time, saying the service is stuck and how to restart it', async () => {
    const img = await makeCard();
    await stack.attach(img);
    pid = Number(readFileSync(join(stack.STATE_DIR, 'pcscd.pid'), 'utf8'));
    process.kill(pid, 'SIGSTOP');
    for (const args of [
      ['readers', '--json'],
      ['status', '--json'],
      ['pin', 'verify', '--stdin', '--json'],
      ['--lang', 'it', 'doctor', '--json'],
    ]) {
      const t0 = Date.now();
      const r = await cns(args, { env, input: '99999\n' });
      const took = Date.now() - t0;
      expect(took, args.join(' ')).toBeLessThan(8000);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(5);
      const text = JSON.stringify(r.json);
      expect(text, args.join(' ')).toMatch(/stuck|bloccato/);
      expect(text, args.join(' ')).toMatch(/systemctl restart pcscd/);
    }
    process.kill(pid, 'SIGCONT');
    pid = 0;
    expect(imageCounters(img).pin).toBe(3);
    expect((await cns(['status', '--json'])).code).toBe(0);
  });
});
