#!/usr/bin/env node
// The real smart-card stack for tests and demos: pcscd + the vpcd virtual readers + virtual
// TS-CNS cards attached with `cns sim attach`. As root, pcscd and the cards run in a private
// network namespace whose loopback routes have quickack (vpcd's two-write frames otherwise cost
// ~44 ms per APDU with delayed ACKs). Everything started is recorded by PID in STATE_DIR and
// stopped by PID.
//
//   node scripts/test-stack.mjs start            start pcscd (no card)
//   node scripts/test-stack.mjs attach IMAGE [PORT]   put a card in "Virtual PCD 00 00" (35963) or 00 01 (35964)
//   node scripts/test-stack.mjs detach [PORT]    pull it out
//   node scripts/test-stack.mjs stop             stop everything started here
//   node scripts/test-stack.mjs status
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_DIR = process.env.CNS_STACK_DIR || '/tmp/cns-test-stack';
export const NETNS = 'cnstest';
export const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
export const PORTS = { 35963: 'Virtual PCD 00 00', 35964: 'Virtual PCD 00 01' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

export function readPid(name) {
  try {
    const pid = Number(readFileSync(join(STATE_DIR, `${name}.pid`), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Why the stack cannot run here, or undefined when it can. */
export function unavailableReason() {
  if (process.platform !== 'linux') return 'the real-stack tests need Linux';
  for (const bin of ['pcscd', 'opensc-tool', 'pkcs15-tool', 'pkcs11-tool']) {
    if (!have(bin)) return `${bin} is not installed (apt-get install pcscd vsmartcard-vpcd opensc opensc-pkcs11)`;
  }
  if (!existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so') && !existsSync('/etc/reader.conf.d/vpcd'))
    return 'vsmartcard-vpcd is not installed';
  if (process.getuid && process.getuid() !== 0) return 'pcscd needs root here (it owns /run/pcscd); run the tests as root, e.g. in CI';
  return undefined;
}

function useNetns() {
  return process.getuid?.() === 0 && have('ip') && process.env.CNS_STACK_NO_NETNS !== '1';
}

function setupNetns() {
  const run = (...args) => spawnSync('ip', args, { stdio: 'pipe' });
  run('netns', 'del', NETNS);
  if (run('netns', 'add', NETNS).status !== 0) return false;
  run('-n', NETNS, 'link', 'set', 'lo', 'up');
  for (const dst of ['127.0.0.0/8', '127.0.0.1']) {
    run(
      '-n',
      NETNS,
      'route',
      'replace',
      'local',
      dst,
      'dev',
      'lo',
      'table',
      'local',
      'proto',
      'kernel',
      'scope',
      'host',
      'src',
      '127.0.0.1',
      'quickack',
      '1',
    );
  }
  return true;
}

export function inNs(argv) {
  return existsSync(join(STATE_DIR, 'netns')) ? ['ip', 'netns', 'exec', NETNS, ...argv] : argv;
}

export function spawnLogged(name, argv, env = {}) {
  const log = openSync(join(STATE_DIR, `${name}.log`), 'a');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log], detached: true, env: { ...process.env, ...env } });
  child.unref();
  writeFileSync(join(STATE_DIR, `${name}.pid`), String(child.pid));
  return child.pid;
}

export async function waitGone(pid, ms = 5000) {
  const end = Date.now() + ms;
  while (alive(pid) && Date.now() < end) await sleep(20);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
    while (alive(pid)) await sleep(20);
  }
}

/** `args`: extra pcscd arguments (scripts/pinpad-stack.mjs passes `-c CONFIG_DIR`); the same PID record. */
export async function startPcscd(args = []) {
  const running = readPid('pcscd');
  if (running && alive(running)) return running;
  if (existsSync(PCSCD_SOCKET)) {
    const owner = Number(readFileSync('/run/pcscd/pcscd.pid', 'utf8').trim() || 0);
    if (owner && alive(owner)) throw new Error(`another pcscd (pid ${owner}) is running; stop it first (the test stack starts its own)`);
    unlinkSync(PCSCD_SOCKET); // stale: a new pcscd exits while the old socket exists
  }
  const pid = spawnLogged('pcscd', inNs(['pcscd', '--foreground', ...args]));
  const end = Date.now() + 5000;
  while (!existsSync(PCSCD_SOCKET)) {
    if (!alive(pid)) throw new Error(`pcscd exited at start; see ${join(STATE_DIR, 'pcscd.log')}`);
    if (Date.now() > end) throw new Error('pcscd did not create its socket within 5 s');
    await sleep(10);
  }
  return pid;
}

export async function stopPcscd() {
  const pid = readPid('pcscd');
  if (pid && alive(pid)) {
    process.kill(pid, 'SIGTERM');
    await waitGone(pid);
  }
  rmSync(join(STATE_DIR, 'pcscd.pid'), { force: true });
  while (existsSync(PCSCD_SOCKET)) await sleep(10);
}

export async function start() {
  const reason = unavailableReason();
  if (reason) throw new Error(`cannot start the test stack: ${reason}`);
  mkdirSync(STATE_DIR, { recursive: true });
  if (useNetns() && setupNetns()) writeFileSync(join(STATE_DIR, 'netns'), NETNS);
  else rmSync(join(STATE_DIR, 'netns'), { force: true });
  await startPcscd();
}

/** Ask pcscd (through our own binding) whether a card is present in a reader. */
export async function cardPresent(readerName) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cns.js'), 'readers', '--json'], { encoding: 'utf8', timeout: 10000 });
  try {
    const j = JSON.parse(r.stdout);
    return !!j.readers?.find((x) => x.name === readerName && x.present);
  } catch {
    return false;
  }
}

export async function attach(image, port = 35963, extra = []) {
  await detach(port);
  const pid = spawnLogged(
    `attach-${port}`,
    inNs([process.execPath, join(ROOT, 'bin', 'cns.js'), 'sim', 'attach', resolve(image), '--port', String(port), ...extra]),
  );
  const end = Date.now() + 10000;
  while (!(await cardPresent(PORTS[port]))) {
    if (!alive(pid)) throw new Error(`cns sim attach exited; see ${join(STATE_DIR, `attach-${port}.log`)}`);
    if (Date.now() > end) throw new Error(`pcscd did not see the card in ${PORTS[port]} within 10 s`);
    await sleep(50);
  }
  return pid;
}

export async function detach(port = 35963, signal = 'SIGTERM') {
  const pid = readPid(`attach-${port}`);
  if (pid && alive(pid)) {
    process.kill(pid, signal);
    await waitGone(pid);
  }
  rmSync(join(STATE_DIR, `attach-${port}.pid`), { force: true });
  const end = Date.now() + 5000;
  while (readPid('pcscd') && (await cardPresent(PORTS[port])) && Date.now() < end) await sleep(50);
}

export async function stop() {
  if (!existsSync(STATE_DIR)) return;
  for (const f of readdirSync(STATE_DIR)) {
    const m = /^attach-(\d+)\.pid$/.exec(f);
    if (m) {
      const pid = readPid(`attach-${m[1]}`);
      if (pid && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        await waitGone(pid);
      }
      rmSync(join(STATE_DIR, f), { force: true });
    }
  }
  await stopPcscd();
  if (existsSync(join(STATE_DIR, 'netns'))) {
    spawnSync('ip', ['netns', 'del', NETNS]);
    rmSync(join(STATE_DIR, 'netns'), { force: true });
  }
}

export function status() {
  const pcscd = readPid('pcscd');
  const cards = Object.keys(PORTS).map((p) => ({ port: Number(p), reader: PORTS[p], pid: readPid(`attach-${p}`) ?? null }));
  return { stateDir: STATE_DIR, netns: existsSync(join(STATE_DIR, 'netns')), pcscd: pcscd && alive(pcscd) ? pcscd : null, cards };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...args] = process.argv.slice(2);
  try {
    if (cmd === 'start') await start();
    else if (cmd === 'stop') await stop();
    else if (cmd === 'attach') await attach(args[0], Number(args[1] ?? 35963), args.slice(2));
    else if (cmd === 'detach') await detach(Number(args[0] ?? 35963));
    else if (cmd !== 'status') {
      console.error('usage: test-stack.mjs start|stop|status|attach IMAGE [PORT]|detach [PORT]');
      process.exit(2);
    }
    console.log(JSON.stringify(status(), null, 2));
  } catch (e) {
    console.error(`test-stack: ${e.message}`);
    process.exit(1);
  }
}
