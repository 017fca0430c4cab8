import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, seaExecutable, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const root = process.getuid?.() === 0;
// CI runs as root on a machine of its own: there the package is installed for real, never skipped
if (process.env.CI && !root) throw new Error('test/deb.test.ts installs a package: CI must run as root');

const sh = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env }, timeout: 180_000 });

/** Issue 24 item 3: the Debian package, installed with apt-get on this machine, then removed. */
describe.skipIf(!root || !haveTool('dpkg-deb') || !haveTool('apt-get'))('the Debian package (scripts/deb.mjs)', () => {
  let deb = '';
  // building the executable and compressing the package take minutes on a slow machine: not the test's time
  beforeAll(() => {
    const out = tempDir('cns-deb-');
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'deb.mjs'), out, '--exe', seaExecutable()], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (b.status !== 0) throw new Error(`scripts/deb.mjs failed (${b.status}): ${b.stderr}`);
    deb = join(out, readdirSync(out).find((f) => f.endsWith('.deb'))!);
  }, 330_000);
  it('installs with apt-get, runs the virtual card with no node on the PATH, has its manual and completion; removal leaves nothing', () => {
    expect(existsSync('/usr/bin/cns'), '/usr/bin/cns exists before the test: not installing over it').toBe(false);
    const inst = sh('apt-get', ['install', '-y', '--no-install-recommends', deb]);
    expect(inst.status, inst.stdout + inst.stderr).toBe(0);
    let files: string[] = [];
    try {
      files = sh('dpkg', ['-L', 'cns'])
        .stdout.split('\n')
        .filter((f) => f && !['/.', '/usr', '/usr/bin', '/usr/share'].includes(f));
      const home = tempDir('cns-deb-home-');
      const env = { PATH: '/usr/bin:/bin', HOME: home, XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache') };
      // /usr/bin may hold a node of the machine's own: the package must not need it
      const s = spawnSync('/usr/bin/cns', ['status', '--reader', 'sim', '--json'], { encoding: 'utf8', env, timeout: 60_000 });
      expect(s.status, s.stderr).toBe(0);
      expect(JSON.parse(s.stdout).card.model).toMatch(/TS-CNS/);
      expect(sh('man', ['-w', 'cns']).stdout.trim()).toBe('/usr/share/man/man1/cns.1.gz');
      expect(sh('man', ['-w', 'cns'], { LANG: 'it_IT.UTF-8', LC_ALL: '' }).stdout.trim()).toMatch(
        /\/usr\/share\/man\/it\/man1\/cns\.1\.gz|\/usr\/share\/man\/man1\/cns\.1\.gz/,
      );
      const comp = sh('bash', [
        '-c',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, for bash
        'source /usr/share/bash-completion/completions/cns; COMP_WORDS=(cns pin ""); COMP_CWORD=2; _cns_complete; echo "${COMPREPLY[*]}"',
      ]);
      expect(comp.stdout).toMatch(/verify/);
      expect(existsSync('/usr/share/zsh/vendor-completions/_cns')).toBe(true);
      if (haveTool('lintian')) {
        const l = sh('lintian', ['--allow-root', deb]);
        expect(l.stdout + l.stderr, 'lintian').not.toMatch(/^[EW]: /m);
      }
    } finally {
      const rm = sh('apt-get', ['remove', '-y', 'cns']);
      expect(rm.status, rm.stderr).toBe(0);
    }
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((f) => existsSync(f) && !f.endsWith('/') && spawnSync('test', ['-d', f]).status !== 0)).toEqual([]);
    expect(existsSync('/usr/bin/cns')).toBe(false);
  }, 600_000);
});
