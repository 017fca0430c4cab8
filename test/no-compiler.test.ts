import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const SOFTHSM = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p));

/**
 * Issue 24 item 1: a fresh clone installed where nothing can be compiled (no C or C++ compiler,
 * no Node headers) gives a working tool, with both backends. npm ci takes the tarballs from npm's
 * cache (the lockfile says which; no registry metadata is needed), so it runs offline.
 */
describe.skipIf(!SOFTHSM || !haveTool('softhsm2-util') || !haveTool('git'))('installed without a compiler', () => {
  it('CXX=/bin/false CC=/bin/false npm ci on a fresh clone: the build, the virtual card and the PKCS#11 backend work', () => {
    const dir = tempDir('cns-nocc-');
    const clone = join(dir, 'cns');
    const git = spawnSync('git', ['clone', '-q', '--depth', '1', `file://${ROOT}`, clone], { encoding: 'utf8', timeout: 60_000 });
    expect(git.status, git.stderr).toBe(0);
    const noCompiler = {
      ...process.env,
      CC: '/bin/false',
      CXX: '/bin/false',
      // node-gyp would fetch Node's headers: nowhere to fetch them from, and nothing may need them
      npm_config_nodedir: join(dir, 'no-node-headers'),
    };
    const ci = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], {
      cwd: clone,
      encoding: 'utf8',
      env: noCompiler,
      timeout: 240_000,
    });
    expect(ci.error, 'npm ci did not end within 240 s').toBeUndefined();
    expect(ci.status, ci.stderr).toBe(0);
    expect(ci.stderr).not.toMatch(/gyp/);
    const cns = (args: string[], input = '', env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(clone, 'bin', 'cns.js'), ...args], {
        cwd: dir,
        encoding: 'utf8',
        input,
        env: { ...noCompiler, XDG_STATE_HOME: join(dir, 'state'), NO_COLOR: '1', ...env },
        timeout: 60_000,
      });
    // the README's first command, as installed here
    const status = cns(['status', '--reader', 'sim', '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).card.model).toMatch(/TS-CNS/);
    // the PKCS#11 backend: a SoftHSM2 token, logged in to through this installation
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const hsm = { SOFTHSM2_CONF: join(dir, 'softhsm2.conf') };
    const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'nocc', '--pin', '24680', '--so-pin', '12345678'], {
      encoding: 'utf8',
      env: { ...process.env, ...hsm },
      timeout: 30_000,
    });
    expect(init.status, init.stderr).toBe(0);
    const p11 = ['--backend', 'pkcs11', '--module', SOFTHSM!, '--reader', 'nocc', '--json'];
    const ok = cns(['pin', 'verify', ...p11, '--stdin'], '24680\n', hsm);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const wrong = cns(['pin', 'verify', ...p11, '--stdin'], '13579\n', hsm);
    expect(wrong.status).toBe(3);
    expect(JSON.parse(wrong.stdout).error.code).toBe('PIN_INCORRECT');
  }, 450_000);
});
