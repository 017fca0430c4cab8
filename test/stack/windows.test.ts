import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as pinpad from '../../scripts/pinpad-stack.mjs';
import * as rig from '../../scripts/wine-rig.mjs';
import { cns, ROOT } from '../helpers.js';
import { schemaErrors } from '../schema.js';
import { usePadStack } from './padStack.js';
import { imageAtr, imageCertificate, imageCounters, makeCard, READER0, READER1, STACK_OK, stack } from './stack.js';

/**
 * The Windows code path for real: Node for Windows and koffi's win32 build under Wine
 * (scripts/wine-rig.mjs), winscard.dll (Wine 10's, which forwards to pcsc-lite) against the test
 * stack's pcscd and the virtual card: the win32 PC/SC ABI, Windows paths, the single executable
 * for Windows, and the unit tests about platforms under Windows Node. Each result is compared with
 * what the Linux path says about the same card.
 *
 * The rig is made once per machine (`node scripts/wine-rig.mjs setup`, about 40 s, 1 GB in
 * /tmp/cns-wine-rig; .ci/run does it). In CI a rig that is not there fails this file; elsewhere
 * it is skipped, said on stderr.
 */
const DIR = rig.DEFAULT_DIR;
const WHY = STACK_OK ? rig.rigAvailable(DIR) : undefined;
if (WHY && process.env.CI) throw new Error(`the Windows rig must run in CI: ${WHY}`);
if (WHY) process.stderr.write(`\n*** SKIPPING the Windows tests (Wine): ${WHY}\n\n`);

const P = rig.rigPaths(DIR);
/** Where the tests leave files for the Windows side: C:\cns-test-XXXX. */
let scratch = '';
let scratchWin = '';

/** The demo card as Windows names it: C:\users\<user>\AppData\Local\cns\demo-card.json. */
const demoCard = (): string => rig.windowsPath(DIR, join(P.localAppData, 'cns', 'demo-card.json'));
const win = (args: string[], opts: rig.WineOptions & { sea?: string } = {}): Promise<rig.WineResult> =>
  rig.runCns(DIR, args, { timeoutMs: 60_000, ...opts });
const json = (r: rig.WineResult): any => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};
/** The same document but for the moments it was made at (extension.at and the like), and the reader given. */
const timeless = (doc: unknown): unknown =>
  JSON.parse(JSON.stringify(doc), (k, v: unknown) =>
    (k === 'at' || k === 'time') && typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? '<time>' : v,
  );

describe.skipIf(!STACK_OK || !!WHY)("Windows' code path under Wine, through pcscd", () => {
  beforeAll(() => {
    rig.prepareCheckout(DIR);
    rig.startServer(DIR, 60);
    // a fresh state folder for cns on Windows (%LOCALAPPDATA%\cns, set by the prefix's registry)
    rmSync(join(P.localAppData, 'cns'), { recursive: true, force: true });
    scratch = mkdtempSync(join(P.driveC, 'cns-test-'));
    scratchWin = rig.windowsPath(DIR, scratch);
  });
  afterEach(async () => {
    await stack.detach(35963);
    await stack.detach(35964);
  });
  afterAll(() => {
    rig.stopServer(DIR);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('readers and status --json: what Linux says, but for the time', async () => {
    const img = await makeCard('--card-id', '5000000000000009');
    await stack.attach(img);
    const text = await win(['readers']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`0 +${READER0} +TS-CNS`));
    const readers = await win(['readers', '--json']);
    expect(readers.code, readers.stderr).toBe(0);
    const wj = json(readers);
    expect(schemaErrors('readers', wj)).toEqual([]);
    const linuxReaders = await cns(['readers', '--json']);
    expect(wj.readers).toEqual(linuxReaders.json.readers);
    expect(wj.readers.map((r: { name: string }) => r.name)).toEqual([READER0, READER1]);

    const status = await win(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const linux = await cns(['status', '--json']);
    expect(linux.code).toBe(0);
    expect(timeless(json(status))).toEqual(timeless(linux.json));
    expect(json(status)).toMatchObject({ reader: READER0, card: { id: '5000000000000009' } });
  });

  it('pin verify right and wrong (a wrong PIN counted once), pin change, secrets from a file and from the environment', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const right = await win(['pin', 'verify', '--stdin', '--json'], { input: '12345\n' });
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(json(right).pin).toMatchObject({ verified: true });
    expect(schemaErrors('pin', json(right))).toEqual([]);

    const wrong = await win(['pin', 'verify', '--stdin', '--json'], { input: '99999\n' });
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(3);
    expect(json(wrong).error.code).toBe('PIN_INCORRECT');
    expect(imageCounters(img).pin).toBe(2);
    const seen = await cns(['status', '--json']);
    expect(seen.json.pin.triesLeft).toBe(2);

    const env = await win(['pin', 'verify', '--env', '--json'], { env: { CNS_PIN: '12345' } });
    expect(env.code, env.stdout + env.stderr).toBe(0);
    expect(imageCounters(img).pin).toBe(3);

    const change = await win(['pin', 'change', '--stdin', '--json'], { input: '12345\n58213\n' });
    expect(change.code, change.stdout + change.stderr).toBe(0);
    expect(imageCounters(img)).toMatchObject({ pin: 3, pinValue: '58213' });
    // and Linux agrees
    const after = await cns(['pin', 'verify', '--stdin', '--json'], { input: '58213\n' });
    expect(after.code, after.stdout).toBe(0);
  });

  it('cert export: the same bytes as Linux and the card, to a file on C: and as PEM on stdout', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const der = await win(['cert', 'export', '--format', 'der', '--out', `${scratchWin}\\cert.der`]);
    expect(der.code, der.stderr).toBe(0);
    const linuxFile = join(scratch, 'linux.der');
    const linux = await cns(['cert', 'export', '--format', 'der', '--out', linuxFile]);
    expect(linux.code, linux.stderr).toBe(0);
    const winBytes = readFileSync(join(scratch, 'cert.der'));
    expect(winBytes.equals(readFileSync(linuxFile))).toBe(true);
    expect(winBytes.equals(imageCertificate(img))).toBe(true);
    const pem = await win(['cert', 'export', '--format', 'pem']);
    expect(pem.code, pem.stderr).toBe(0);
    expect(pem.stdout).toBe((await cns(['cert', 'export', '--format', 'pem'])).stdout);
    // an existing file is not replaced unasked, on Windows too
    const again = await win(['cert', 'export', '--format', 'der', '--out', `${scratchWin}\\cert.der`, '--json']);
    expect(again.code).toBe(2);
    expect(json(again).error.code).toBe('FILE_EXISTS');
  });

  it("doctor: the card's checks as on Linux; winscard.dll; no Linux PKCS#11 module seen from C:", async () => {
    const img = await makeCard();
    await stack.attach(img);
    const r = await win(['doctor', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const w = json(r);
    expect(schemaErrors('doctor', w)).toEqual([]);
    const status = (doc: { checks: { code: string; status: string }[] }) => Object.fromEntries(doc.checks.map((c) => [c.code, c.status]));
    const ws = status(w);
    expect(w.checks.find((c: { code: string }) => c.code === 'NODE').message).toContain('win32/x64');
    expect(w.checks.find((c: { code: string }) => c.code === 'PCSC_BINDING').message).toContain('winscard.dll');
    // no OpenSC on this "Windows": the module check warns (on Linux OpenSC is there)
    expect(ws.PKCS11_MODULES).toBe('warn');
    const linux = await cns(['doctor', '--json']);
    const ls = status(linux.json);
    for (const code of ['PCSCD', 'READERS', 'CARD_PRESENT', 'ATR', 'CARD_ID', 'PIN', 'PUK', 'CERTIFICATE', 'EXTENSION']) {
      expect(ws[code], code).toBe('pass');
      expect(ls[code], code).toBe('pass');
    }
    for (const code of Object.keys(ws).filter((c) => c.startsWith('DATA_'))) expect(ws[code], code).toBe(ls[code]);
  });

  it('watch through the shim (a status wait that waits): insert and remove, the events Linux gives, no busy polling', async () => {
    const trace = join(P.rigC, `gsc-trace-${process.pid}.txt`);
    rmSync(trace, { force: true });
    const w = rig.startWindows(DIR, [rig.WIN.node, rig.WIN.cns, 'watch'], {
      env: { CNS_PCSC_LIBRARY: rig.WIN.shim, CNS_GSC_SHIM_TRACE: rig.windowsPath(DIR, trace) },
      timeoutMs: 60_000,
    });
    const lines = (): Record<string, unknown>[] =>
      w
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const waitFor = async (event: string, count = 1): Promise<Record<string, unknown>> => {
      const end = Date.now() + 20_000;
      for (;;) {
        const hits = lines().filter((l) => l.event === event);
        if (hits.length >= count) return hits[count - 1]!;
        if (Date.now() > end) throw new Error(`no ${event} event; got:\n${w.stdout()}\n${w.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const started = Date.now();
      await waitFor('reader-added', 2);
      const img = await makeCard('--card-id', '5000000000000009');
      await stack.attach(img, 35964);
      expect(await waitFor('card-inserted')).toMatchObject({
        reader: READER1,
        isCns: true,
        cardId: '5000000000000009',
        atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D',
      });
      await stack.detach(35964);
      expect(await waitFor('card-removed')).toMatchObject({ reader: READER1 });
      await new Promise((r) => setTimeout(r, 1000)); // a quiet second: nothing more may come
      const ms = Date.now() - started;
      w.signal('SIGINT'); // Wine gives the console program a Ctrl+C
      const end = await w.done;
      expect(end.timedOut, end.stderr).toBe(false);
      expect(end.stdout).toBe(w.stdout());
      expect(end.code, end.stderr).toBe(0);
      expect(lines().map((l) => l.event)).toEqual(['reader-added', 'reader-added', 'card-inserted', 'card-removed']);
      for (const line of lines()) expect(schemaErrors('watch-event', line)).toEqual([]);
      // the shim was the library, and it waited: one poll of pcscd per 50 ms at most (Wine's own
      // SCardGetStatusChange answers at once: thousands of round trips a second)
      const counts = Object.fromEntries(
        [...readFileSync(trace, 'utf8').matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])] as [string, number]),
      );
      expect(counts.calls).toBeGreaterThan(2);
      expect(counts.polls).toBeLessThan(ms / 50 + 50);
    } finally {
      w.signal('SIGKILL');
      await w.done;
      rmSync(trace, { force: true });
    }
  });

  it('--reader sim: the demo card and a card image on C:, as on Linux', async () => {
    const demo = await win(['status', '--reader', 'sim', '--json']);
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    // the demo card lives in the state folder, %LOCALAPPDATA%\cns
    expect(json(demo)).toMatchObject({ ok: true, reader: `sim:${demoCard()}` });
    expect(existsSync(join(P.localAppData, 'cns', 'demo-card.json'))).toBe(true);

    const img = await makeCard('--card-id', '5000000000000009');
    copyFileSync(img, join(scratch, 'card.json'));
    const image = await win(['status', '--reader', `sim:${scratchWin}\\card.json`, '--json']);
    expect(image.code, image.stdout + image.stderr).toBe(0);
    const linux = await cns(['status', '--reader', `sim:${img}`, '--json']);
    const { reader: _w, ...w } = json(image);
    const { reader: _l, ...l } = linux.json;
    expect(timeless(w)).toEqual(timeless(l));
    const verify = await win(['pin', 'verify', '--reader', `sim:${scratchWin}\\card.json`, '--stdin', '--json'], { input: '99999\n' });
    expect(verify.code, verify.stdout + verify.stderr).toBe(3);
    expect(imageCounters(join(scratch, 'card.json')).pin).toBe(2);
  });

  it("a card image's lock is Windows' own (LockFileEx): another process waits, then is told the card is in use; a killed holder leaves no lock", async () => {
    const img = join(scratch, 'locked.json');
    copyFileSync(await makeCard('--card-id', '5000000000000009'), img);
    const holder = rig.startWindows(DIR, [
      rig.WIN.node,
      `${rig.WIN.checkout}\\test\\stack\\win-lock-holder.mjs`,
      rig.WIN.checkout,
      `${scratchWin}\\locked.json`,
    ]);
    try {
      const until = Date.now() + 30_000;
      while (!/^held /.test(holder.stdout()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const [, kind, pid] = /^held (\S+) (\d+)/.exec(holder.stdout()) ?? [];
      expect(kind, holder.stdout() + holder.stderr()).toBe('kernel');
      const busy = await win(['status', '--reader', `sim:${scratchWin}\\locked.json`, '--json']);
      expect(busy.code, busy.stdout + busy.stderr).toBe(5);
      expect(json(busy).error).toMatchObject({ code: 'CARD_BUSY' });
      // the owner's line stays readable while the lock is held (the locked byte is far beyond it)
      expect(readFileSync(`${img}.lock`, 'utf8')).toBe(`${pid} command`);
    } finally {
      holder.signal('SIGKILL');
      await holder.done;
    }
    // its line is still there, but the lock went with the process
    const free = await win(['status', '--reader', `sim:${scratchWin}\\locked.json`, '--json']);
    expect(free.code, free.stdout + free.stderr).toBe(0);
    expect(free.ms).toBeLessThan(20_000);
  });

  it('Firefox on Windows: a profile in %APPDATA% set up by editing pkcs11.txt (no NSS tools), left alone while Firefox holds parent.lock, removed to the byte; browser test says what it cannot prove', async () => {
    const ff = join(P.localAppData, '..', 'Roaming', 'Mozilla', 'Firefox');
    const profile = join(ff, 'Profiles', 'w.default');
    const openscDir = join(P.driveC, 'Program Files', 'OpenSC Project');
    const dll = 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll';
    const internal =
      "library=\r\nname=NSS Internal PKCS #11 Module\r\nparameters=configdir='sql:C:\\x' certPrefix='' keyPrefix='' secmod='secmod.db' flags=optimizeSpace \r\nNSS=Flags=internal,critical trustOrder=75 cipherOrder=100\r\n\r\n";
    mkdirSync(profile, { recursive: true });
    writeFileSync(
      join(ff, 'profiles.ini'),
      '[Profile0]\r\nName=default-release\r\nIsRelative=1\r\nPath=Profiles/w.default\r\nDefault=1\r\n',
    );
    writeFileSync(join(profile, 'cert9.db'), '');
    writeFileSync(join(profile, 'pkcs11.txt'), internal);
    // OpenSC for Windows where its .msi puts it (the file's presence is what status and setup look at)
    mkdirSync(join(openscDir, 'OpenSC', 'pkcs11'), { recursive: true });
    writeFileSync(join(openscDir, 'OpenSC', 'pkcs11', 'opensc-pkcs11.dll'), '');
    let firefox: ReturnType<typeof rig.startWindows> | undefined;
    try {
      const before = json(await win(['browser', 'status', '--json']));
      expect(schemaErrors('browser-status', before)).toEqual([]);
      expect(before.module).toEqual({ family: 'OpenSC', path: dll });
      expect(before.databases).toMatchObject([{ browser: 'firefox', platform: 'win32', registration: 'missing', running: false }]);

      // Firefox running: parent.lock held open with no sharing; cns does not touch the profile
      firefox = rig.startWindows(DIR, [
        rig.WIN.node,
        `${rig.WIN.checkout}\\test\\stack\\win-parent-lock.mjs`,
        rig.WIN.checkout,
        `C:\\users\\${userInfo().username}\\AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\w.default\\parent.lock`,
      ]);
      const until = Date.now() + 30_000;
      while (!/^(held|failed)/.test(firefox.stdout()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(firefox.stdout(), firefox.stderr()).toBe('held\n');
      const running = await win(['browser', 'setup', '--json']);
      expect(running.code, running.stdout + running.stderr).toBe(9);
      expect(json(running)).toMatchObject({ error: { code: 'BROWSER_OPEN' }, databases: [{ action: 'skip', why: 'running' }] });
      expect(readFileSync(join(profile, 'pkcs11.txt'), 'utf8')).toBe(internal);
      firefox.signal('SIGKILL');
      await firefox.done;
      firefox = undefined;

      // closed (parent.lock stays, as Firefox leaves it): one stanza appended in the file's line ends
      const setup = await win(['browser', 'setup', '--json']);
      expect(setup.code, setup.stdout + setup.stderr).toBe(0);
      expect(json(setup).databases).toMatchObject([{ action: 'added', method: 'pkcs11-txt', library: dll }]);
      expect(readFileSync(join(profile, 'pkcs11.txt'), 'utf8')).toBe(`${internal}library=${dll}\r\nname=TS-CNS (cns)\r\n\r\n`);
      const after = json(await win(['browser', 'status', '--json']));
      expect(after.databases).toMatchObject([{ registration: 'registered' }]);
      const remove = await win(['browser', 'remove', '--json']);
      expect(remove.code, remove.stdout + remove.stderr).toBe(0);
      expect(readFileSync(join(profile, 'pkcs11.txt'), 'utf8')).toBe(internal);

      const test = await win(['browser', 'test', '--json']);
      expect(test.code, test.stdout + test.stderr).toBe(7);
      expect(json(test).error).toMatchObject({ code: 'BROWSER_TEST_UNAVAILABLE' });
    } finally {
      if (firefox) {
        firefox.signal('SIGKILL');
        await firefox.done;
      }
      rmSync(join(P.localAppData, '..', 'Roaming', 'Mozilla'), { recursive: true, force: true });
      rmSync(openscDir, { recursive: true, force: true });
    }
  });

  it("Chrome and Edge on Windows: the card's minidriver read from the registry through reg.exe, not registered and then registered", async () => {
    const img = await makeCard('--card-id', '5000000000000009');
    await stack.attach(img);
    const key = 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\Italian CNS (cns test)';
    const reg = (args: string[]) => rig.runWindows(DIR, ['reg', ...args], { timeoutMs: 60_000 });
    try {
      const before = json(await win(['browser', 'status', '--json']));
      // the virtual card answers the ST 2021 ATR, which OpenSC's installer does not register: the card maker's minidriver
      expect(before.store).toEqual({ state: 'not-registered', remedy: 'vendor' });
      const atr = imageAtr(img);
      for (const [name, type, data] of [
        ['ATR', 'REG_BINARY', atr],
        ['ATRMask', 'REG_BINARY', 'FF'.repeat(atr.length / 2)],
        ['80000001', 'REG_SZ', 'C:\\Program Files\\OpenSC Project\\OpenSC\\minidriver\\opensc-minidriver.dll'],
      ] as const) {
        const r = await reg(['add', key, '/v', name, '/t', type, '/d', data, '/f']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
      const after = json(await win(['browser', 'status', '--json']));
      expect(after.store).toMatchObject({ state: 'registered', name: 'Italian CNS (cns test)', present: false });
    } finally {
      await reg(['delete', key, '/f']);
    }
  });

  /**
   * Wine 10's winscard.dll forwards SCardControl to pcsc-lite with the control code unchanged
   * (dlls/winscard/winscard.c SCardControl -> unixlib.c scard_control), so cns's win32 path asks
   * for the features with Windows' SCARD_CTL_CODE(3400), 0x00313520, and pcsc-lite hands that to
   * the reader's driver as is. libccid answers it ("needed for RDP applications"), and so does the
   * test driver (test/pinpad/ifd-pinpad.c); the features' own codes then go through unchanged.
   */
  describe("the test stack's PIN-pad reader (test/pinpad), through Wine's SCardControl", () => {
    const PAD = 0;
    const PAD_NAME = pinpad.READERS[PAD]!.name;
    const PLAIN_NAME = pinpad.READERS[1]!.name;
    const PIN = '12345';
    const card = usePadStack(PAD);
    const onPad = (op: 'verify' | 'change', opts: rig.WineOptions = {}, ...extra: string[]): Promise<rig.WineResult> =>
      win(['pin', op, '--reader', PAD_NAME, '--json', ...extra], opts);
    const linuxOnPad = (op: 'verify' | 'change') => cns(['pin', op, '--reader', PAD_NAME, '--json'], { timeoutMs: 60_000 });

    it("readers: the pad found from the reader's features asked with Windows' code, as Linux finds it; the plain reader has none", async () => {
      const r = await win(['readers', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const wj = json(r);
      expect(schemaErrors('readers', wj)).toEqual([]);
      const byName = (n: string) => wj.readers.find((x: { name: string }) => x.name === n);
      expect(byName(PAD_NAME).pinpad).toEqual({ verify: true, modify: true, minLength: 4, maxLength: 8, display: false });
      expect(byName(PLAIN_NAME).pinpad).toBeNull();
      // the request reached the driver with Windows' number (0x42000D48 is Linux's)
      expect(pinpad.log(PAD)).toContain("features (Windows' code 0x00313520)");
      expect(pinpad.log(PAD)).not.toContain('features');
      const linux = await cns(['readers', '--json']);
      expect(wj.readers).toEqual(linux.json.readers);
      const text = await win(['readers']);
      expect(text.stdout).toContain('PIN pad: the PIN is typed on the reader (verify and change)');
    });

    it('verify: the PIN typed on the pad (ASCII, 8 bytes, reference 10), no source given; the JSON Linux gives', async () => {
      pinpad.type(PAD, [PIN]);
      const r = await onPad('verify');
      expect(r.stderr).toContain("Type the PIN on the reader's keypad");
      expect(r.stderr).toContain('PIN tries left: 3');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ ok: true, pinpad: true, pin: { verified: true, blocked: false } });
      expect(schemaErrors('pin', json(r))).toEqual([]);
      expect(imageCounters(card()).pin).toBe(3);
      expect(pinpad.requests(PAD)).toEqual([
        expect.objectContaining({ op: 'verify', apdu: expect.stringMatching(/^002000(10|90)$/), format: '82', block: '08', timeout: 30 }),
      ]);
      expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'typed 5 digits', sent: true, result: 'SW 9000' }]);
      pinpad.type(PAD, [PIN]);
      const linux = await linuxOnPad('verify');
      expect(json(r)).toEqual(linux.json);
    });

    it('a wrong PIN on the pad counts exactly one try; Italian words for the pad', async () => {
      pinpad.type(PAD, ['54321']);
      const r = await onPad('verify', { env: { LANG: 'it_IT.UTF-8' } });
      expect(r.stderr).toContain('Digita il PIN sul lettore');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(json(r).error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
      expect(imageCounters(card()).pin).toBe(2);
      expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'typed 5 digits', sent: true, result: 'SW 63C2' }]);
    });

    it.each([
      ['CANCEL', 'PINPAD_CANCELLED', 'cancelled on the reader'],
      ['TIMEOUT', 'PINPAD_TIMEOUT', 'in time'],
    ])('%s on the pad costs nothing, sends nothing, exit 12 (%s), as on Linux', async (typed, code, words) => {
      pinpad.type(PAD, [typed]);
      const r = await onPad('verify');
      expect(r.code, r.stdout + r.stderr).toBe(12);
      expect(json(r).error.code).toBe(code);
      expect(JSON.stringify(json(r).error)).toContain(words);
      expect(JSON.stringify(json(r).error)).toContain('no try was used');
      expect(imageCounters(card()).pin).toBe(3);
      expect(pinpad.entries(PAD)).toEqual([expect.objectContaining({ sent: false })]);
      pinpad.type(PAD, [typed]);
      expect(json(r)).toEqual((await linuxOnPad('verify')).json);
    });

    it('the card pulled during the entry is told apart from a wrong PIN (the failed call read through Wine)', async () => {
      pinpad.type(PAD, ['REMOVE 3000']);
      const r = await onPad('verify');
      expect(r.code, r.stdout + r.stderr).toBe(6);
      expect(json(r).error.code).toBe('CARD_REMOVED');
      expect(imageCounters(card()).pin).toBe(3);
    });

    it('a PIN too short for the card is refused by the pad before the card sees it', async () => {
      pinpad.type(PAD, ['123']);
      const r = await onPad('verify');
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(json(r).error.code).toBe('INVALID_PIN_FORMAT');
      expect(imageCounters(card()).pin).toBe(3);
      expect(pinpad.entries(PAD)).toEqual([expect.objectContaining({ sent: false })]);
    });

    it('one try left: the gate refuses before the pad is activated; --last-attempt then uses it', async () => {
      pinpad.type(PAD, ['11111', '11111']);
      await onPad('verify');
      await onPad('verify');
      expect(imageCounters(card()).pin).toBe(1);
      pinpad.clearLog(PAD);
      pinpad.type(PAD, [PIN]);
      const refused = await onPad('verify');
      expect(refused.code, refused.stdout + refused.stderr).toBe(9);
      expect(json(refused).error.code).toBe('LAST_ATTEMPT_REFUSED');
      expect(pinpad.typedLeft(PAD)).toEqual([PIN]);
      expect(pinpad.requests(PAD)).toEqual([]);
      const ok = await onPad('verify', {}, '--last-attempt');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(imageCounters(card()).pin).toBe(3);
    });

    it('--no-pinpad: the keyboard (here --stdin), nothing asked of the pad; a plain reader without a source says so', async () => {
      const r = await onPad('verify', { input: `${PIN}\n` }, '--stdin', '--no-pinpad');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(json(r).pinpad).toBeUndefined();
      expect(pinpad.requests(PAD)).toEqual([]);
      await pinpad.attach(await makeCard(), 1);
      try {
        const plain = await win(['pin', 'verify', '--reader', PLAIN_NAME, '--json']);
        expect(plain.code, plain.stdout + plain.stderr).toBe(2);
        expect(json(plain).error.code).toBe('NO_SECRET_SOURCE');
      } finally {
        await pinpad.detach(1);
      }
    });

    it('change on the pad: current, new, confirmation; a confirmation that differs changes nothing', async () => {
      pinpad.type(PAD, [PIN, '86420', '86421']);
      const bad = await onPad('change');
      expect(bad.code, bad.stdout + bad.stderr).toBe(2);
      expect(json(bad).error.code).toBe('PIN_MISMATCH');
      expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: PIN });
      pinpad.type(PAD, [PIN, '86420', '86420']);
      const r = await onPad('change');
      expect(r.stderr).toContain('type the current PIN, then the new PIN');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: '86420' });
      expect(pinpad.requests(PAD).at(-1)).toMatchObject({ op: 'modify', apdu: expect.stringMatching(/^002400(10|90)$/) });
    });
  });

  describe('the single executable for Windows (cns-win-x64.exe)', () => {
    let exe = '';
    beforeAll(() => {
      const dest = mkdtempSync(join(P.driveC, 'cns-sea-'));
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'sea.mjs'), dest, '--targets', 'win-x64'], {
        encoding: 'utf8',
        timeout: 240_000,
      });
      if (r.status !== 0) throw new Error(`scripts/sea.mjs failed (${r.status ?? r.error?.message}): ${r.stderr}`);
      exe = rig.windowsPath(DIR, join(dest, 'cns-win-x64.exe'));
    }, 300_000);
    afterAll(() => {
      if (exe) rmSync(join(P.driveC, exe.split('\\')[1]!), { recursive: true, force: true });
    });

    it('--version, readers, status of the virtual card and of the demo card, with no node anywhere', async () => {
      const version = await win(['--version'], { sea: exe });
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

      const img = await makeCard();
      await stack.attach(img);
      const readers = await win(['readers'], { sea: exe });
      expect(readers.code, readers.stderr).toBe(0);
      expect(readers.stdout).toMatch(new RegExp(`0 +${READER0} +TS-CNS`));
      const status = await win(['status', '--json'], { sea: exe });
      expect(status.code, status.stderr).toBe(0);
      const linux = await cns(['status', '--json']);
      expect(timeless(json(status))).toEqual(timeless(linux.json));

      const demo = await win(['status', '--reader', 'sim', '--json'], { sea: exe });
      expect(demo.code, demo.stdout + demo.stderr).toBe(0);
      expect(json(demo)).toMatchObject({ ok: true, reader: `sim:${demoCard()}` });
    });
  });

  it('the unit tests about platforms, under Windows Node (vitest in C:\\cns-unit)', async () => {
    rig.prepareUnit(DIR);
    // every unit test file that says win32, but citizen.test.ts: it drives the whole CLI a hundred
    // times over the virtual card, minutes under Wine, and its platform part is one key table
    const files = readdirSync(join(ROOT, 'test'))
      .filter(
        (f) =>
          f.endsWith('.test.ts') &&
          f !== 'citizen.test.ts' &&
          (f === 'minidriver.test.ts' || readFileSync(join(ROOT, 'test', f), 'utf8').includes('win32')),
      )
      .map((f) => `test/${f}`);
    expect(files).toContain('test/pcsc-platform.test.ts');
    const report = join(P.unit, `report-${process.pid}.json`);
    rmSync(report, { force: true });
    const r = await rig.runWindows(
      DIR,
      [
        rig.WIN.node,
        `${rig.WIN.unit}\\node_modules\\vitest\\vitest.mjs`,
        'run',
        '--project',
        'unit',
        '--reporter=json',
        `--outputFile=${rig.windowsPath(DIR, report)}`,
        ...files,
      ],
      { cwd: P.unit, timeoutMs: 240_000 },
    );
    expect(r.timedOut, r.stderr).toBe(false);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { name: string; assertionResults: { title: string; fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    rmSync(report, { force: true });
    const all = results.testResults.flatMap((f) =>
      f.assertionResults.map((a) => ({ file: f.name.replace(/^.*[\\/]test[\\/]/, 'test/'), ...a })),
    );
    expect(all.length).toBeGreaterThan(20);
    // platform tables and Windows' own cases must pass under Windows; cases written for Linux or
    // macOS paths (POSIX separators, modes, symbolic links) are said, not required
    const required = (t: { file: string; title: string }): boolean =>
      /pcsc-platform|pcsc-context|platform-messages|paths|browser-platforms|browser-remedies|minidriver|module-tables/.test(t.file) ||
      /windows|win32/i.test(t.title);
    const failed = all.filter((t) => t.status === 'failed');
    const notice = failed.filter((t) => !required(t));
    if (notice.length)
      process.stderr.write(
        `\n[windows] ${notice.length} of ${all.length} unit tests written for Linux/macOS fail under Windows Node:\n${notice.map((t) => `  ${t.file}: ${t.fullName}\n    ${(t.failureMessages[0] ?? '').split('\n')[0]}`).join('\n')}\n`,
      );
    expect(
      failed.filter(required).map((t) => `${t.file}: ${t.fullName}: ${(t.failureMessages[0] ?? '').split('\n')[0]}`),
      r.stdout.slice(-2000) + r.stderr.slice(-2000),
    ).toEqual([]);
    expect(all.filter(required).length).toBeGreaterThan(8);
  }, 300_000);
});
