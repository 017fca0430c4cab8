import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { PcscClient } from '../../src/pcsc/client.js';
import { cns, tempDir } from '../helpers.js';
import { imageCertificate, imageCounters, makeCard, OPENSC_MODULE, READER0, STACK_OK, stack } from './stack.js';

/** A PKCS#11 client holding the card through OpenSC, as a browser does (test/stack/p11-holder.mjs). */
function holder(): { ask: (...lines: string[]) => Promise<string>; stop: () => Promise<void> } {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(__dirname, 'p11-holder.mjs'), OPENSC_MODULE, READER0]);
  const answers: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else answers.push(l);
  });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const a = answers.shift();
      if (a !== undefined) return resolve(a);
      const t = setTimeout(() => reject(new Error('the PKCS#11 holder did not answer')), 20000);
      waiting.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  return {
    async ask(...lines) {
      for (const l of lines) child.stdin.write(`${l}\n`);
      return next();
    },
    async stop() {
      child.stdin.end('quit\n');
      await new Promise((r) => child.on('close', r));
    },
  };
}

describe.skipIf(!STACK_OK)('sharing the card with a browser (PC/SC shared mode and transactions)', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('status, pin verify and cert export work while a PKCS#11 session (logged in) holds the card', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const h = holder();
    try {
      expect(await h.ask()).toBe('ready');
      expect(await h.ask('login', '12345')).toBe('ok');
      const status = await cns(['status', '--json']);
      expect(status.code, status.stdout + status.stderr).toBe(0);
      expect(status.json.pin).toMatchObject({ verified: true }); // the other program's login, seen on the card
      const out = join(tempDir(), 'c.der');
      const exp = await cns(['cert', 'export', '--format', 'der', '--out', out]);
      expect(exp.code, exp.stderr).toBe(0);
      expect(readFileSync(out).equals(imageCertificate(img))).toBe(true);
      const v = await cns(['pin', 'verify', '--stdin', '--json'], { input: '12345\n' });
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(v.stderr).toMatch(/already verified on the card/);
      // cns reset the card on release: the PIN is no longer verified for anyone...
      const after = await cns(['status', '--json']);
      expect(after.json.pin).toMatchObject({ verified: false, triesLeft: 3 });
      // ...and the other program still has its connection; OpenSC logs itself back in (PIN caching)
      expect(await h.ask('cert')).toMatch(/^ok \d+/);
      expect(await h.ask('sign')).toBe('ok');
    } finally {
      await h.stop();
    }
    expect(imageCounters(img).pin).toBe(3);
  });

  it("a card inside another program's transaction is waited for, then CARD_BUSY (exit 5); free again, it works", async () => {
    const img = await makeCard();
    await stack.attach(img);
    const other = await PcscClient.open();
    const held = await other.connect(READER0, { keepClient: true }); // holds a transaction until closed
    try {
      const r = await cns(['status', '--json']);
      expect(r.code).toBe(5);
      expect(r.json.error.code).toBe('CARD_BUSY');
    } finally {
      await held.close();
      other.close();
    }
    expect((await cns(['status', '--json'])).code).toBe(0);
  });

  it('without PC/SC the PKCS#11 fallback is announced, and a PIN is sent only with the last-try confirmation', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const env = { CNS_PCSC_LIBRARY: '/nonexistent/libpcsclite.so.1' };
    const s = await cns(['status', '--json'], { env });
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(s.json.card.backend).toBe('pkcs11');
    expect(s.json.problems[0].code).toBe('PCSC_FALLBACK');
    expect(s.stderr).toMatch(/PC\/SC is not usable here .*cannot tell how many PIN and PUK tries/);
    const refused = await cns(['pin', 'verify', '--stdin', '--json'], { input: '12345\n', env });
    expect(refused.code).toBe(9);
    expect(refused.json.error.code).toBe('LAST_ATTEMPT_REFUSED');
    expect(imageCounters(img).pin).toBe(3);
    const wrong = await cns(['pin', 'verify', '--stdin', '--json', '--last-attempt'], { input: '99999\n', env });
    expect(wrong.code).toBe(3); // sent, once, because the user said so
    expect(imageCounters(img).pin).toBe(2);
    // chosen explicitly, the PKCS#11 backend is the user's call: no confirmation asked
    const chosen = await cns(['pin', 'verify', '--stdin', '--json', '--backend', 'pkcs11'], { input: '12345\n', env });
    expect(chosen.code, chosen.stdout + chosen.stderr).toBe(0);
  });
});
