#!/usr/bin/env node
// The test stack's PIN-pad readers: test/pinpad/ifd-pinpad.c, the project's own pcsc-lite reader
// driver for tests (no physical reader needed), loaded by a pcscd of its own.
//
// HOW IT WORKS. The driver is built with gcc into STATE_DIR/pinpad (never in the tree). start()
// stops the shared test pcscd (scripts/test-stack.mjs: the "Virtual PCD 00 0x" readers that the
// other stack tests count and name) and starts pcscd with `-c STATE_DIR/pinpad/reader.conf.d`
// holding two entries of the driver: reader 0 "CNS Test PINpad 00 00" (a PIN pad: VERIFY/MODIFY
// PIN DIRECT, PIN properties, TLV properties) and reader 1 "CNS Test Plain 01 00" (pinpad=0,
// no PIN features: the keyboard fallback; pcscd numbers the second reader of the same driver 01). stop() stops it and starts the shared pcscd again, so
// test files that use the PIN pads do it in beforeAll/afterAll (the stack test files run one at a
// time). The same PID record as the shared pcscd is used, so the stack's global teardown stops it
// if a test file dies half-way. As root, pcscd and the cards run in test-stack's quickack netns.
// A virtual card goes into a reader with `cns sim attach --vpcd 127.0.0.1:PORT` (the driver speaks
// vpcd's protocol): a connected sim is a card in the reader.
//
// What the person types on the pad: STATE_DIR/pinpad/rN/typed, one line per PIN entry (a VERIFY
// takes one line, a MODIFY one per entry: current PIN, new PIN, confirmation), consumed from the
// top: digits (typed, then OK), `+MS digits` (OK pressed after MS ms), CANCEL (64 01), TIMEOUT
// (64 00 at once), WAIT (64 00 after the whole bTimerOut), `WAIT MS` (64 00 after MS ms),
// `REMOVE [MS]` (the card is pulled: the driver drops the sim's connection, the call fails, no card
// is accepted for MS ms, default 1000). No line left: 64 00 at once. A length outside the range
// (the request's min/max narrowed by the reader's, default 4-8): 64 03; a MODIFY confirmation that
// differs: 64 02. None of these reach the card. The driver logs each PIN operation in
// STATE_DIR/pinpad/rN/log (never the PIN): "verify: typed 5 digits, sent to card, SW 9000",
// "verify: cancelled, nothing sent, SW 6401"...; see the header of test/pinpad/ifd-pinpad.c.
//
// API (stable; the tests import it through test/stack/stack.ts or directly):
//   READERS                               [{ index, name, port, pinpad }] (0: the pad, 1: plain)
//   PINPAD_DIR                            STATE_DIR/pinpad
//   build(): string                       compile the driver unless built from this source; returns the .so path
//   start(opts?): Promise<void>           build, stop the shared pcscd, start the PIN-pad pcscd and wait
//       opts: { min?: 4, max?: 8, display?: false, vpcd?: false }   until both readers are listed;
//       vpcd: true keeps vpcd's two readers too (after the PIN-pad ones).
//   stop(): Promise<void>                 pull the cards, stop that pcscd, restart the shared one
//   attach(image, reader = 0, extra = []): Promise<number>   put a card image in a reader (pid)
//   detach(reader = 0): Promise<void>     pull it out (waits until pcscd sees it gone)
//   type(reader, lines: string[]): void   replace what the person will type (one line per entry)
//   typedLeft(reader): string[]           lines not consumed yet
//   log(reader): string[]                 the driver's log lines, without the timestamps
//   entries(reader): { op, outcome, sent, result }[]   the PIN operations in the log:
//       op 'verify'|'modify', outcome 'typed 5 digits'|'cancelled'|..., sent: reached the card,
//       result 'SW 63C2'|'SW 6401'|'error'|...
//   requests(reader): { op, apdu, format, block, length, min, max, timeout, confirm?, offsets? }[]
//       the PIN structures received (hex strings as sent: apdu 'CLAINSP1P2' e.g. '00200010';
//       min/max as the keypad enforced them, the request's narrowed by the reader's)
//   clearLog(reader): void                empty the log (and the typed file)
//   status(): {...}                       what runs
//
// CLI: node scripts/pinpad-stack.mjs build | start [--vpcd] | stop | status
//      | attach IMAGE [READER] | detach [READER] | type READER LINE... | log [READER]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as stack from './test-stack.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PINPAD_DIR = join(stack.STATE_DIR, 'pinpad');
const SOURCE = join(ROOT, 'test', 'pinpad', 'ifd-pinpad.c');
const LIB = join(PINPAD_DIR, 'libifd-cns-pinpad.so');
const CONF_DIR = join(PINPAD_DIR, 'reader.conf.d');
const RESTORE = join(PINPAD_DIR, 'restore-shared-pcscd');

export const READERS = [
  { index: 0, name: 'CNS Test PINpad 00 00', friendly: 'CNS Test PINpad', port: 35990, pinpad: true },
  { index: 1, name: 'CNS Test Plain 01 00', friendly: 'CNS Test Plain', port: 35991, pinpad: false },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function reader(i) {
  const r = READERS[i];
  if (!r) throw new Error(`no PIN-pad test reader ${i} (0: the pad, 1: plain)`);
  return r;
}

const readerDir = (i) => join(PINPAD_DIR, `r${reader(i).index}`);

/**
 * Compile the driver (gcc + pkg-config libpcsclite) unless the .so was built from this very source
 * (its hash beside it: two checkouts sharing the state folder each get their own driver back).
 */
export function build() {
  mkdirSync(PINPAD_DIR, { recursive: true });
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex');
  const stamp = `${LIB}.source-sha256`;
  if (existsSync(LIB) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return LIB;
  let cflags;
  try {
    cflags = execFileSync('pkg-config', ['--cflags', 'libpcsclite'], { encoding: 'utf8', timeout: 10000 }).trim().split(/\s+/);
  } catch {
    throw new Error('pkg-config finds no libpcsclite: apt-get install libpcsclite-dev pkg-config');
  }
  const tmp = `${LIB}.${process.pid}.tmp`;
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-Wall', '-Wextra', '-Werror', ...cflags, '-o', tmp, SOURCE, '-lpthread'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60000,
  });
  execFileSync('mv', ['-f', tmp, LIB], { timeout: 10000 });
  writeFileSync(stamp, hash);
  return LIB;
}

function writeConfig(o) {
  rmSync(CONF_DIR, { recursive: true, force: true });
  mkdirSync(CONF_DIR, { recursive: true });
  const entries = READERS.map((r) => {
    const dir = readerDir(r.index);
    mkdirSync(dir, { recursive: true });
    const dev = `${dir}:port=${r.port}:pinpad=${r.pinpad ? 1 : 0}:min=${o.min ?? 4}:max=${o.max ?? 8}:display=${o.display ? 1 : 0}`;
    return `FRIENDLYNAME "${r.friendly}"\nDEVICENAME   ${dev}\nLIBPATH      ${LIB}\nCHANNELID    ${r.port}\n`;
  });
  writeFileSync(join(CONF_DIR, 'cns-pinpad'), entries.join('\n'));
  if (o.vpcd && existsSync('/etc/reader.conf.d/vpcd'))
    writeFileSync(join(CONF_DIR, 'zz-vpcd'), readFileSync('/etc/reader.conf.d/vpcd', 'utf8'));
}

async function listedReaders() {
  const r = await new Promise((res) => {
    try {
      res(execFileSync(process.execPath, [join(ROOT, 'bin', 'cns.js'), 'readers', '--json'], { encoding: 'utf8', timeout: 10000 }));
    } catch (e) {
      res(e.stdout ?? '');
    }
  });
  try {
    return JSON.parse(r).readers?.map((x) => x.name) ?? [];
  } catch {
    return [];
  }
}

/** Stop the shared pcscd and start one with the PIN-pad readers (see the header). */
export async function start(opts = {}) {
  const reason = stack.unavailableReason();
  if (reason) throw new Error(`cannot start the PIN-pad readers: ${reason}`);
  build();
  for (const r of READERS) {
    rmSync(readerDir(r.index), { recursive: true, force: true });
  }
  writeConfig(opts);
  const shared = stack.readPid('pcscd');
  if (!existsSync(RESTORE)) writeFileSync(RESTORE, shared && stack.alive(shared) ? 'yes' : 'no');
  await stack.stopPcscd();
  if (!existsSync(join(stack.STATE_DIR, 'netns')) && process.getuid?.() === 0) {
    // started alone (CLI, not under the stack's global setup): make the quickack netns as start() does
    await stack.start();
    await stack.stopPcscd();
  }
  await stack.startPcscd(['-c', CONF_DIR]);
  const end = Date.now() + 5000;
  for (;;) {
    const names = await listedReaders();
    if (READERS.every((r) => names.includes(r.name))) break;
    if (Date.now() > end)
      throw new Error(
        `pcscd did not list the PIN-pad readers within 5 s (it lists: ${names.join(', ') || 'none'}); see ${stack.STATE_DIR}/pcscd.log`,
      );
    await sleep(50);
  }
}

/** Pull the cards, stop the PIN-pad pcscd, start the shared one again if it ran before start(). */
export async function stop() {
  for (const r of READERS) await detach(r.index);
  await stack.stopPcscd();
  const restore = existsSync(RESTORE) && readFileSync(RESTORE, 'utf8') === 'yes';
  rmSync(RESTORE, { force: true });
  if (restore) await stack.startPcscd();
}

/** Put a virtual card image in a PIN-pad test reader; resolves when pcscd sees it. */
export async function attach(image, readerIndex = 0, extra = []) {
  const r = reader(readerIndex);
  await detach(readerIndex);
  const pid = stack.spawnLogged(
    `attach-${r.port}`,
    stack.inNs([process.execPath, join(ROOT, 'bin', 'cns.js'), 'sim', 'attach', resolve(image), '--vpcd', `127.0.0.1:${r.port}`, ...extra]),
  );
  const end = Date.now() + 10000;
  while (!(await stack.cardPresent(r.name))) {
    if (!stack.alive(pid)) throw new Error(`cns sim attach exited; see ${join(stack.STATE_DIR, `attach-${r.port}.log`)}`);
    if (Date.now() > end) throw new Error(`pcscd did not see the card in ${r.name} within 10 s`);
    await sleep(50);
  }
  return pid;
}

/** Pull the card out of a PIN-pad test reader; resolves when pcscd sees the reader empty. */
export async function detach(readerIndex = 0, signal = 'SIGTERM') {
  const r = reader(readerIndex);
  const pid = stack.readPid(`attach-${r.port}`);
  if (pid && stack.alive(pid)) {
    process.kill(pid, signal);
    await stack.waitGone(pid);
  }
  rmSync(join(stack.STATE_DIR, `attach-${r.port}.pid`), { force: true });
  const end = Date.now() + 5000;
  while (pid && (await stack.cardPresent(r.name)) && Date.now() < end) await sleep(50);
}

/** Replace what the person will type on a reader's keypad: one line per PIN entry. */
export function type(readerIndex, lines) {
  const dir = readerDir(readerIndex);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'typed'), lines.length ? `${lines.join('\n')}\n` : '');
}

/** The typed lines the driver has not consumed yet. */
export function typedLeft(readerIndex) {
  try {
    return readFileSync(join(readerDir(readerIndex), 'typed'), 'utf8')
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** The driver's log for a reader, one event a line, timestamps removed. */
export function log(readerIndex) {
  try {
    return readFileSync(join(readerDir(readerIndex), 'log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\d+ /, ''));
  } catch {
    return [];
  }
}

/** The PIN operations in the driver's log: what was typed (never the PIN), whether it reached the card, the result. */
export function entries(readerIndex) {
  return log(readerIndex)
    .map((l) => /^(verify|modify): (.*), (sent to card|nothing sent), (.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => ({ op: m[1], outcome: m[2], sent: m[3] === 'sent to card', result: m[4] }));
}

/** The PIN structures the clients sent (one per VERIFY/MODIFY that passed the strict check), from the log. */
export function requests(readerIndex) {
  return log(readerIndex)
    .map((l) => /^(verify|modify) request: (.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => {
      const kv = Object.fromEntries(m[2].split(', ').map((p) => [p.slice(0, p.indexOf(' ')), p.slice(p.indexOf(' ') + 1)]));
      const [min, max] = kv.range.split('-').map(Number);
      return {
        op: m[1],
        apdu: kv.apdu,
        format: kv.format,
        block: kv.block,
        length: kv.length,
        min,
        max,
        timeout: Number(kv.timeout),
        ...(m[1] === 'modify' ? { confirm: kv.confirm, offsets: kv.offsets.split('/').map(Number) } : {}),
      };
    });
}

/** Empty a reader's log and typed file. */
export function clearLog(readerIndex) {
  const dir = readerDir(readerIndex);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'log'), '');
  writeFileSync(join(dir, 'typed'), '');
}

export function status() {
  return {
    ...stack.status(),
    pinpad: {
      dir: PINPAD_DIR,
      built: existsSync(LIB),
      config: existsSync(CONF_DIR) ? CONF_DIR : null,
      readers: READERS.map((r) => ({ ...r, card: stack.readPid(`attach-${r.port}`) ?? null })),
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...args] = process.argv.slice(2);
  try {
    if (cmd === 'build') {
      const t = Date.now();
      console.log(`${build()} (${Date.now() - t} ms)`);
      process.exit(0);
    } else if (cmd === 'start') await start({ vpcd: args.includes('--vpcd') });
    else if (cmd === 'stop') await stop();
    else if (cmd === 'attach') await attach(args[0], Number(args[1] ?? 0), args.slice(2));
    else if (cmd === 'detach') await detach(Number(args[0] ?? 0));
    else if (cmd === 'type') {
      type(Number(args[0]), args.slice(1));
      process.exit(0);
    } else if (cmd === 'log') {
      console.log(log(Number(args[0] ?? 0)).join('\n'));
      process.exit(0);
    } else if (cmd !== 'status') {
      console.error(
        'usage: pinpad-stack.mjs build|start [--vpcd]|stop|status|attach IMAGE [READER]|detach [READER]|type READER LINE...|log [READER]',
      );
      process.exit(2);
    }
    console.log(JSON.stringify(status(), null, 2));
  } catch (e) {
    console.error(`pinpad-stack: ${e.message}`);
    process.exit(1);
  }
}
