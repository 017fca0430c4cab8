import { type ChildProcess, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as pinpad from '../../scripts/pinpad-stack.mjs';
import { BIN, cns, ROOT } from '../helpers.js';
import { schemaErrors } from '../schema.js';
import { haveTool, TmuxSession } from '../tmux.js';
import { usePadStack } from './padStack.js';
import { imageCounters, makeCard, STACK_OK } from './stack.js';

/**
 * cns itself on the test stack's PIN-pad reader (test/pinpad/ifd-pinpad.c): the PIN typed on the
 * reader, never given to cns (no --stdin, no --env, no terminal: as a kiosk script runs it).
 */
const PAD = 0;
const PLAIN = 1;
const PAD_NAME = pinpad.READERS[PAD]!.name;
const PLAIN_NAME = pinpad.READERS[PLAIN]!.name;
const PIN = '12345';

const onPad = (op: 'verify' | 'change', ...extra: string[]) =>
  cns(['pin', op, '--reader', PAD_NAME, '--json', ...extra], { timeoutMs: 60000 });
const onPadWith = (op: 'verify' | 'change', onStart: (child: ChildProcess) => void) =>
  cns(['pin', op, '--reader', PAD_NAME, '--json'], { timeoutMs: 60000, onStart });

describe.skipIf(!STACK_OK)('cns on a PIN-pad reader', () => {
  const card = usePadStack(PAD);

  it("readers: the pad is found from the reader's own features (with or without a card), the plain reader has none", async () => {
    const r = await cns(['readers', '--json']);
    expect(r.code).toBe(0);
    expect(schemaErrors('readers', r.json)).toEqual([]);
    const byName = (n: string) => r.json.readers.find((x: { name: string }) => x.name === n);
    expect(byName(PAD_NAME).pinpad).toEqual({ verify: true, modify: true, minLength: 4, maxLength: 8, display: false });
    expect(byName(PLAIN_NAME).pinpad).toBeNull();
    const text = await cns(['readers']);
    expect(text.stdout).toContain('PIN pad: the PIN is typed on the reader (verify and change)');
  });

  it('verify: the PIN typed on the pad, the CNS block (ASCII, 8 bytes, reference 10), said where to type; no source needed', async () => {
    pinpad.type(PAD, [PIN]);
    const r = await onPad('verify');
    expect(r.stderr).toContain("Type the PIN on the reader's keypad");
    expect(r.stderr).toContain('PIN tries left: 3');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, pinpad: true, pin: { blocked: false } });
    expect(schemaErrors('pin', r.json)).toEqual([]);
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.requests(PAD)).toEqual([
      expect.objectContaining({ op: 'verify', apdu: expect.stringMatching(/^002000(10|90)$/), format: '82', block: '08', timeout: 30 }),
    ]);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'typed 5 digits', sent: true, result: 'SW 9000' }]);
  });

  it('a wrong PIN on the pad counts exactly one try; Italian words for the pad', async () => {
    pinpad.type(PAD, ['54321']);
    const r = await cns(['pin', 'verify', '--reader', PAD_NAME, '--json'], { env: { LANG: 'it_IT.UTF-8' } });
    expect(r.stderr).toContain('Digita il PIN sul lettore');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
    expect(imageCounters(card()).pin).toBe(2);
  });

  it.each([
    ['CANCEL', 'PINPAD_CANCELLED', 'cancelled on the reader'],
    ['TIMEOUT', 'PINPAD_TIMEOUT', 'in time'],
  ])('%s on the pad costs nothing, sends nothing, exit 12 (%s)', async (typed, code, words) => {
    pinpad.type(PAD, [typed]);
    const r = await onPad('verify');
    expect(r.code).toBe(12);
    expect(r.json.error.code).toBe(code);
    expect(JSON.stringify(r.json.error)).toContain(words);
    expect(JSON.stringify(r.json.error)).toContain('no try was used');
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.entries(PAD)[0]).toMatchObject({ sent: false });
  });

  it('a PIN too short for the card is refused by the pad before the card sees it', async () => {
    pinpad.type(PAD, ['123']);
    const r = await onPad('verify');
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('INVALID_PIN_FORMAT');
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.entries(PAD)[0]).toMatchObject({ sent: false });
  });

  it('change on the pad: current, new, confirmation; a confirmation that differs changes nothing', async () => {
    pinpad.type(PAD, [PIN, '86420', '86421']);
    const bad = await onPad('change');
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('PIN_MISMATCH');
    expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: PIN });
    pinpad.type(PAD, [PIN, '86420', '86420']);
    const r = await onPad('change');
    expect(r.stderr).toContain('type the current PIN, then the new PIN');
    expect(r.code).toBe(0);
    expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: '86420' });
    expect(pinpad.requests(PAD).at(-1)).toMatchObject({ op: 'modify', apdu: expect.stringMatching(/^002400(10|90)$/) });
  });

  it('one try left: the gate refuses before the pad is activated; --last-attempt then uses it', async () => {
    pinpad.type(PAD, ['11111']);
    await onPad('verify');
    pinpad.type(PAD, ['11111']);
    await onPad('verify');
    expect(imageCounters(card()).pin).toBe(1);
    pinpad.clearLog(PAD);
    pinpad.type(PAD, [PIN]);
    const refused = await onPad('verify');
    expect(refused.code).toBe(9);
    expect(refused.json.error.code).toBe('LAST_ATTEMPT_REFUSED');
    expect(pinpad.typedLeft(PAD)).toEqual([PIN]);
    expect(pinpad.requests(PAD)).toEqual([]);
    const ok = await onPad('verify', '--last-attempt');
    expect(ok.code).toBe(0);
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('the card pulled during the entry is told apart from a wrong PIN', async () => {
    pinpad.type(PAD, ['REMOVE 3000']);
    const r = await onPad('verify');
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('Ctrl-C while the pad waits: answered at once, the reader told to be cancelled; cns ends with the reader (nothing spent)', async () => {
    pinpad.type(PAD, ['WAIT 4000']); // nobody types; the reader gives up after 4 s
    const t0 = Date.now();
    let saidAt = 0;
    const r = await onPadWith('verify', (child) => {
      child.stderr?.on('data', (d: Buffer) => {
        if (!saidAt && d.toString().includes('press Cancel')) saidAt = Date.now();
      });
      setTimeout(() => child.kill('SIGINT'), 1000);
    });
    expect(saidAt - t0).toBeLessThan(2500); // said while the reader still waits, not after it
    expect(r.code).toBe(12);
    expect(r.json.error.code).toBe('PINPAD_TIMEOUT');
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.entries(PAD)).toEqual([expect.objectContaining({ sent: false })]);
  });

  it('Ctrl-C twice leaves at once (exit 130), saying that the reader may still send a PIN typed on it; it does', async () => {
    pinpad.type(PAD, ['+3500 12345']); // OK pressed 3.5 s in, after cns has left
    let second = 0;
    const r = await onPadWith('verify', (child) => {
      setTimeout(() => child.kill('SIGINT'), 800);
      setTimeout(() => {
        second = Date.now();
        child.kill('SIGINT');
      }, 1300);
    });
    const ended = Date.now();
    expect(r.code).toBe(130);
    expect(ended - second).toBeLessThan(1500);
    expect(r.stderr).toContain('a PIN still typed on it and confirmed with OK would reach the card');
    expect(r.stdout).toBe('');
    // what the message warns of: the reader finished the entry on its own, and the card checked it
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(pinpad.entries(PAD)).toEqual([expect.objectContaining({ sent: true, result: 'SW 9000' })]);
  });

  it('--signature on the pad: PIN CNS1 with its own reference (1A) and counter; the authentication PIN untouched', async () => {
    const sig = await makeCard('--signature-keyset');
    await pinpad.attach(sig, PAD);
    pinpad.clearLog(PAD);
    pinpad.type(PAD, ['11223344']);
    const wrong = await onPad('verify', '--signature');
    expect(wrong.code).toBe(3);
    expect(wrong.json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
    pinpad.type(PAD, ['24681357']);
    const r = await onPad('verify', '--signature');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ keyset: 'signature', pinpad: true });
    const j = JSON.parse(readFileSync(sig, 'utf8')) as { pin: { triesLeft: number }; signature: { pin: { triesLeft: number } } };
    expect([j.signature.pin.triesLeft, j.pin.triesLeft]).toEqual([3, 3]);
    expect(pinpad.requests(PAD).map((q) => q.apdu)).toEqual([
      expect.stringMatching(/^002000(1A|9A)$/),
      expect.stringMatching(/^002000(1A|9A)$/),
    ]);
  });

  it('status --json, doctor --json and the library say which reader has the pad', async () => {
    const st = await cns(['status', '--reader', PAD_NAME, '--json']);
    expect(st.code).toBe(0);
    expect(schemaErrors('status', st.json)).toEqual([]);
    expect(st.json.pinpad).toEqual({ verify: true, modify: true, minLength: 4, maxLength: 8, display: false });
    expect((await cns(['status', '--reader', PAD_NAME])).stdout).toMatch(
      /PIN pad +on the reader: the PIN is typed there \(verify and change\)/,
    );
    await pinpad.attach(await makeCard(), PLAIN);
    try {
      const plain = await cns(['status', '--reader', PLAIN_NAME, '--json']);
      expect(plain.json.pinpad).toBeNull();
      const doc = await cns(['doctor', '--json', '--all-readers']);
      expect(schemaErrors('doctor', doc.json)).toEqual([]);
      const readers = doc.json.checks.find((c: { code: string }) => c.code === 'READERS').readers;
      expect(readers.map((x: { name: string; pinpad: unknown }) => [x.name, x.pinpad !== null])).toEqual([
        [PAD_NAME, true],
        [PLAIN_NAME, false],
      ]);
      const lib = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', "import { listReaders } from 'cns'; console.log(JSON.stringify(await listReaders()))"],
        { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
      );
      expect(JSON.parse(lib.stdout).map((x: { name: string; pinpad: unknown }) => [x.name, x.pinpad])).toEqual([
        [PAD_NAME, { verify: true, modify: true, minLength: 4, maxLength: 8, display: false }],
        [PLAIN_NAME, null],
      ]);
    } finally {
      await pinpad.detach(PLAIN);
    }
  });

  it.skipIf(!haveTool('tmux'))('guided mode (Italian): "Verifica il PIN" on a pad reader asks the reader, not the keyboard', async () => {
    pinpad.type(PAD, ['+1500 12345']);
    const session = new TmuxSession(`${process.execPath} ${BIN} --lang it`, { NO_COLOR: '1', LANG: 'C.UTF-8' });
    try {
      await session.waitFor(/Cosa vuoi fare\?/);
      session.keys('Enter'); // the first choice: Verifica il PIN
      const asked = await session.waitFor(/Digita il PIN sul lettore/);
      expect(asked).not.toMatch(/PIN:\s*$/m); // no keyboard prompt
      await session.waitFor(/PIN corretto\./);
      expect(imageCounters(card()).pin).toBe(3);
      expect(pinpad.entries(PAD)).toEqual([expect.objectContaining({ op: 'verify', sent: true, result: 'SW 9000' })]);
      // back at the menu (the card read again) before leaving: a Ctrl-C during that read also
      // leaves, but the test would then race the read
      await session.waitFor(/PIN corretto\.[\s\S]*\? Cosa vuoi fare\?/);
      session.keys('C-c');
      await session.waitFor(/Arrivederci\./);
    } finally {
      session.kill();
    }
  });

  it('--no-pinpad: the keyboard (here --stdin), nothing asked of the pad; a plain reader without a source says so', async () => {
    const r = await cns(['pin', 'verify', '--reader', PAD_NAME, '--json', '--stdin', '--no-pinpad'], { input: `${PIN}\n` });
    expect(r.code).toBe(0);
    expect(r.json.pinpad).toBeUndefined();
    expect(pinpad.requests(PAD)).toEqual([]);
    await pinpad.attach(await makeCard(), PLAIN);
    const plain = await cns(['pin', 'verify', '--reader', PLAIN_NAME, '--json']);
    expect(plain.code).toBe(2);
    expect(plain.json.error.code).toBe('NO_SECRET_SOURCE');
    await pinpad.detach(PLAIN);
  });
});
