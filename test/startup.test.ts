// The fast start (issue 15) changes how the CLI is loaded and how it writes; these check that
// what a user sees is the same: the code cache is used and may be absent or foreign, output
// reaches a full non-blocking pipe whole, a closed pipe ends the command quietly, koffi is the
// same module either way.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/main/program.js';
import { glibcKoffiModule, requireKoffi } from '../src/util/koffi.js';
import { BIN, ROOT, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const simEnv = (home: string) => ({ ...process.env, HOME: home, XDG_STATE_HOME: join(home, 'state'), NO_COLOR: '1', LC_ALL: 'C' });

/** A copy of bin/, dist/bundle/ and fixtures/ (node_modules linked by path) to damage without touching the checkout. */
function copyInstall(): string {
  const dir = tempDir('cns-startup-');
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  cpSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('start-up', () => {
  it('the built code cache is accepted by this Node, and the CLI runs the same without it or with a foreign one', () => {
    const { load } = require(BIN) as { load: () => { cacheRejected: boolean | null } };
    expect(load().cacheRejected).toBe(false);

    const home = tempDir();
    const reference = spawnSync(process.execPath, [BIN, 'status', '--reader', 'sim', '--json'], { env: simEnv(home), encoding: 'utf8' });
    expect(reference.status).toBe(0);
    const id = JSON.parse(reference.stdout).card.id;

    const dir = copyInstall();
    const bin = join(dir, 'bin', 'cns.js');
    // a cache for this very bundle whose V8 data is not V8's (as from another Node): V8 rejects it
    const { load: loadCopy, packCache } = require(bin) as {
      load: () => { cacheRejected: boolean | null };
      packCache: (bundle: Buffer, data: Buffer) => Buffer;
    };
    const bundle = readFileSync(join(dir, 'dist', 'bundle', 'main.cjs'));
    writeFileSync(join(dir, 'dist', 'bundle', 'main.v8cache'), packCache(bundle, Buffer.alloc(4096, 7)));
    expect(loadCopy().cacheRejected).toBe(true);
    const foreign = spawnSync(process.execPath, [bin, 'status', '--reader', 'sim', '--json'], { env: simEnv(home), encoding: 'utf8' });
    expect(foreign.status, foreign.stderr).toBe(0);
    expect(JSON.parse(foreign.stdout).card.id).toBe(id);

    rmSync(join(dir, 'dist', 'bundle', 'main.v8cache'));
    const none = spawnSync(process.execPath, [bin, 'status', '--reader', 'sim', '--json'], { env: simEnv(home), encoding: 'utf8' });
    expect(none.status, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).card.id).toBe(id);
  });

  it('a bundle changed to the same length runs as changed: the cache made for the old one is not used', () => {
    const home = tempDir();
    const dir = copyInstall();
    const file = join(dir, 'dist', 'bundle', 'main.cjs');
    const text = readFileSync(file, 'latin1');
    expect(text.split('PIN correct.').length).toBe(2);
    writeFileSync(file, text.replace('PIN correct.', 'PIN CORRECT.'), 'latin1');
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'cns.js'), 'pin', 'verify', '--reader', 'sim', '--env'], {
      env: { ...simEnv(home), CNS_PIN: '12345' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('PIN CORRECT.');
  });

  it('a damaged bundle is one sentence in the user language and exit 1, not a stack trace; a missing one says to build', () => {
    const dir = copyInstall();
    const bin = join(dir, 'bin', 'cns.js');
    writeFileSync(join(dir, 'dist', 'bundle', 'main.cjs'), 'this is not javascript {');
    const italian = spawnSync(process.execPath, [bin, 'status'], { env: { ...process.env, LC_ALL: 'it_IT.UTF-8' }, encoding: 'utf8' });
    expect(italian.status).toBe(1);
    expect(italian.stderr).toMatch(/^cns: impossibile avviarsi \(.+\)\. Reinstalla cns/);
    expect(italian.stderr.trim().split('\n')).toHaveLength(1);
    expect(italian.stderr).not.toMatch(/\n\s+at /);

    rmSync(join(dir, 'dist', 'bundle', 'main.cjs'));
    const en = spawnSync(process.execPath, [bin, 'status'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
    expect(en.status).toBe(1);
    expect(en.stderr).toBe('cns: not built yet. Run "npm ci" (or "npm run build") in the project folder first.\n');
  });

  it('output reaches a full non-blocking pipe whole (EAGAIN hands the rest to the stream)', async () => {
    // a 4 KiB pipe whose write end is non-blocking: the JSON (~6 KB) cannot be written in one go
    const koffi = requireKoffi();
    const libc = koffi.load('libc.so.6');
    const pipe2 = libc.func('int pipe2(_Out_ int *fds, int flags)');
    const fcntl = libc.func('int fcntl(int fd, int cmd, int arg)');
    const fds = [0, 0];
    expect(pipe2(fds, 0o2000000 /* O_CLOEXEC */)).toBe(0);
    const [r, w] = fds as [number, number];
    fcntl(w, 1031 /* F_SETPIPE_SZ */, 4096);

    const home = tempDir();
    const child = spawn(process.execPath, [BIN, 'status', '--reader', 'sim', '--json'], {
      env: simEnv(home),
      stdio: ['ignore', w, 'pipe'],
    });
    // libuv makes a child's standard descriptors blocking when it starts it; the description is
    // shared, so making it non-blocking now is what a parent that uses the same pipe may do
    const flags = fcntl(w, 3 /* F_GETFL */, 0) as number;
    expect(fcntl(w, 4 /* F_SETFL */, flags | 0o4000 /* O_NONBLOCK */)).toBe(0);
    closeSync(w);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const chunks: Buffer[] = [];
    // read slowly: the child must wait for the reader, not lose what did not fit
    await new Promise<void>((resolve) => {
      const s = createReadStream('', { fd: r, highWaterMark: 512 });
      s.on('data', (c) => {
        chunks.push(c as Buffer);
        s.pause();
        setTimeout(() => s.resume(), 5);
      });
      s.on('end', resolve);
      s.on('error', () => resolve());
    });
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve),
    );
    expect(code, stderr).toBe(0);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.length).toBeGreaterThan(4096);
    expect(JSON.parse(text).ok).toBe(true);
  });

  it('a reader that closed the pipe ends the command quietly with its own exit code', () => {
    const home = tempDir();
    for (const args of [['status', '--reader', 'sim'], ['--help']]) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.join(' ')} | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
        env: simEnv(home),
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('exit=0\n');
    }
  });

  it('colours on a terminal (a pty), none on a pipe: the terminal test no longer asks process.stdout', () => {
    const home = tempDir();
    const env = { ...simEnv(home), NO_COLOR: undefined, TERM: 'xterm' };
    const tty = spawnSync('script', ['-qc', `"${process.execPath}" "${BIN}" status --reader sim`, '/dev/null'], { env, encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain('\x1b[');
    const pipe = spawnSync(process.execPath, [BIN, 'status', '--reader', 'sim'], { env, encoding: 'utf8' });
    expect(pipe.status).toBe(0);
    expect(pipe.stdout).not.toContain('\x1b[');
    expect(pipe.stdout).toContain('ROSSI');
  });

  it('a command built alone (only its branch of the tree) has the same help as in the whole tree', () => {
    const full = buildProgram(async () => {}, 'en');
    full.configureOutput({ getOutHelpWidth: () => 80, getErrHelpWidth: () => 80 });
    const all: [string[], Command][] = [];
    const walk = (c: Command, path: string[]): void => {
      for (const sub of c.commands) {
        all.push([[...path, sub.name()], sub]);
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(full, []);
    expect(all.length).toBeGreaterThan(20);
    for (const [path, c] of all) {
      const r = spawnSync(process.execPath, [BIN, ...path, '--help'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
      expect(r.status, path.join(' ')).toBe(0);
      expect(r.stdout.startsWith(c.helpInformation()), path.join(' ')).toBe(true);
    }
  });

  it('koffi is loaded straight from its native module where that is what koffi itself would load', () => {
    const native = requireKoffi();
    const viaEntry = require('koffi') as { default: { version: string } };
    const direct = glibcKoffiModule(process.platform, process.arch, existsSync);
    if (process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch)) {
      // opened by its path (process.dlopen): the very file koffi's own entry requires
      expect(direct).toBeDefined();
      const file = realpathSync(join(ROOT, 'node_modules', direct!));
      expect(Object.keys(require.cache).map((k) => (existsSync(k) ? realpathSync(k) : k))).toContain(file);
      expect(typeof native.load).toBe('function');
    }
    expect(native.version).toBe(viaEntry.default.version);
    expect(native.version).toBe(JSON.parse(readFileSync(join(ROOT, 'node_modules', 'koffi', 'package.json'), 'utf8')).version);
  });

  it("koffi's glibc module is taken only on glibc Linux: a musl loader, another system or an unknown arch go through koffi's entry", () => {
    const none = () => false;
    const muslLoader = (p: string) => p === '/lib/ld-musl-x86_64.so.1';
    expect(glibcKoffiModule('linux', 'x64', none)).toBe('@koromix/koffi-linux-x64/linux_x64/koffi.node');
    expect(glibcKoffiModule('linux', 'arm64', none)).toBe('@koromix/koffi-linux-arm64/linux_arm64/koffi.node');
    expect(glibcKoffiModule('linux', 'x64', muslLoader)).toBeUndefined();
    expect(glibcKoffiModule('linux', 'arm64', (p) => p === '/lib/ld-musl-aarch64.so.1')).toBeUndefined();
    expect(glibcKoffiModule('darwin', 'arm64', none)).toBeUndefined();
    expect(glibcKoffiModule('linux', 's390x', none)).toBeUndefined();
  });
});
