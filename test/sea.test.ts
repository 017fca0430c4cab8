import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seaExecutable, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const SOFTHSM = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p));

/**
 * Issue 24 item 2: the single executable runs with no Node anywhere on the PATH; what it must
 * write to disk (koffi's native module, the PKCS#11 worker, the fixtures) goes to the user's
 * cache folder and is checked by hash before use.
 */
describe('the single executable (scripts/sea.mjs)', () => {
  let exe: string;
  let home: string;
  const run = (args: string[], input = '', env: Record<string, string> = {}) =>
    spawnSync(exe, args, {
      encoding: 'utf8',
      input,
      // no Node reachable: an empty PATH but for the folder of nothing
      env: {
        PATH: join(home, 'empty-bin'),
        HOME: home,
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_STATE_HOME: join(home, 'state'),
        NO_COLOR: '1',
        ...env,
      },
      timeout: 60_000,
    });
  beforeAll(() => {
    exe = seaExecutable();
    home = tempDir('cns-sea-home-');
  }, 150_000);

  it('answers --version, runs the virtual card and reaches the PC/SC library, with no node on the PATH', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: join(home, 'empty-bin') } }).status).not.toBe(0);
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
    const s = run(['status', '--reader', 'sim', '--json']);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).card.model).toMatch(/TS-CNS/);
    // readers loads koffi's module from the cache and calls libpcsclite: 0 with a service, 5 without
    const r = run(['readers', '--json'], '', { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') });
    expect(r.status, r.stderr).toBe(5);
    expect(JSON.parse(r.stdout).error.code).toBe('PCSC_UNAVAILABLE');
    expect(readdirSync(join(home, 'cache', 'cns'))[0]).toMatch(/^sea-[0-9a-f]{16}$/);
  });

  it('a native module in the cache that does not match its hash is written again before it is loaded', () => {
    const dir = join(home, 'cache', 'cns', readdirSync(join(home, 'cache', 'cns'))[0]!);
    writeFileSync(join(dir, 'koffi.node'), 'not a native module');
    const r = run(['readers', '--json'], '', { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') });
    expect(r.status, r.stderr).toBe(5);
    expect(readFileSync(join(dir, 'koffi.node')).length).toBeGreaterThan(100_000);
  });

  it.skipIf(!SOFTHSM || !haveTool('softhsm2-util'))('the PKCS#11 backend: its worker is a fork of the executable itself', () => {
    writeFileSync(join(home, 'softhsm2.conf'), `directories.tokendir = ${home}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const hsm = { SOFTHSM2_CONF: join(home, 'softhsm2.conf') };
    const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'sea', '--pin', '24680', '--so-pin', '12345678'], {
      encoding: 'utf8',
      env: { ...process.env, ...hsm },
      timeout: 30_000,
    });
    expect(init.status, init.stderr).toBe(0);
    const p11 = ['--backend', 'pkcs11', '--module', SOFTHSM!, '--reader', 'sea', '--json'];
    const ok = run(['pin', 'verify', ...p11, '--stdin'], '24680\n', hsm);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const wrong = run(['pin', 'verify', ...p11, '--stdin'], '13579\n', hsm);
    expect(wrong.status).toBe(3);
  });
});
