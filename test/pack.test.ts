import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

/** scripts/pack.mjs (the build `npm test` just made, never rebuilt under other tests; a manifest without scripts), then a global install into a fresh prefix, run from elsewhere as a user would. */
describe('the npm package', () => {
  it('packs, installs globally and runs with only Node and its own dependencies', () => {
    const dir = tempDir('cns-pack-');
    const pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const prefix = join(dir, 'prefix');
    // No install script is allowed or needed: PC/SC and PKCS#11 both go through koffi, prebuilt
    // (npm 11 runs no dependency's install script in a global install unless allowed). The tarballs come from npm's
    // cache, which `npm ci` filled, at the versions the package pins (npm-shrinkwrap.json). A
    // global install still reads each dependency's full registry metadata, which `npm ci` never
    // fetches (measured with npm 11.19: --offline fails ENOTCACHED on a fresh machine): that much
    // needs the registry. Asked once per package, no retries, 30 s each at most, so a machine
    // without network fails in seconds and says why (one once sat 39 minutes retrying).
    const inst = spawnSync(
      'npm',
      [
        'install',
        '-g',
        '--prefer-offline',
        '--fetch-retries=0',
        '--fetch-timeout=30000',
        '--no-audit',
        '--no-fund',
        '--prefix',
        prefix,
        join(dir, tgz),
      ],
      { cwd: dir, encoding: 'utf8', timeout: 180_000 },
    );
    expect(inst.error, 'npm install -g (tarballs from the cache, metadata from the registry) did not end within 180 s').toBeUndefined();
    if (inst.status !== 0 && /ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ENETUNREACH/.test(inst.stderr))
      throw new Error(`this test needs the npm registry for the dependencies' metadata; it is not reachable:\n${inst.stderr}`);
    expect(inst.status, inst.stderr).toBe(0);
    // installing it runs no build: npm has no script of cns to ask about
    expect(inst.stderr).not.toMatch(/cns@[\d.]+ \(prepare/);
    expect(JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'cns', 'package.json'), 'utf8')).scripts).toBeUndefined();
    const cns = (...args: string[]) =>
      spawnSync(join(prefix, 'bin', 'cns'), args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, XDG_STATE_HOME: dir, NO_COLOR: '1' },
        timeout: 60_000,
      });
    expect(cns('--version').stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(cns('sim', 'create', join(dir, 'card.json')).status).toBe(0);
    const status = cns('status', '--reader', `sim:${join(dir, 'card.json')}`, '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).card.model).toMatch(/TS-CNS/);
    // the installed copy starts with the code cache the package carries (the fast start, issue 15)
    const installed = join(prefix, 'lib', 'node_modules', 'cns');
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const r = require(${JSON.stringify(join(installed, 'bin', 'cns.js'))}).load(); process.stdout.write(String(r.cacheRejected))`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(probe.stdout, probe.stderr).toBe('false');
    // the library: a program beside the installed package imports 'cns' by name, types included
    // (issue 26), and reads the same card through it
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(installed, join(app, 'node_modules', 'cns'));
    writeFileSync(
      join(app, 'read.mjs'),
      `import { readReport, withCard } from 'cns';\nconst r = await withCard({ reader: ${JSON.stringify(`sim:${join(dir, 'card.json')}`)} }, (c) => readReport(c));\nprocess.stdout.write(JSON.stringify({ model: r.card.model, pin: r.pin.triesLeft }));\n`,
    );
    const lib = spawnSync(process.execPath, [join(app, 'read.mjs')], {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, XDG_STATE_HOME: dir },
    });
    expect(lib.status, lib.stderr).toBe(0);
    expect(JSON.parse(lib.stdout)).toMatchObject({ model: expect.stringMatching(/TS-CNS/), pin: 3 });
    expect(existsSync(join(installed, 'dist', 'api', 'index.d.ts'))).toBe(true);
    // the manual page, where `man` looks in that prefix (issue 24 item 4)
    expect(existsSync(join(prefix, 'share', 'man', 'man1', 'cns.1'))).toBe(true);
    // the dependencies are the versions this build was tested with (the package's npm-shrinkwrap.json)
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages;
    for (const dep of ['commander', 'koffi', 'pkijs', 'asn1js', '@inquirer/prompts']) {
      const got = JSON.parse(readFileSync(join(installed, 'node_modules', dep, 'package.json'), 'utf8')).version;
      expect(got, dep).toBe(lock[`node_modules/${dep}`].version);
    }
    // where the system PC/SC library is installed, the installed copy loads it (no build step)
    if (
      ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) =>
        existsSync(join(d, 'libpcsclite.so.1')),
      )
    ) {
      const doctor = JSON.parse(cns('doctor', '--json').stdout);
      expect(doctor.checks.find((c: { code: string }) => c.code === 'PCSC_BINDING')).toMatchObject({ status: 'pass' });
    }
  }, 400_000);
});
