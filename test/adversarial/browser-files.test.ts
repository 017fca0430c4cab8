import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/**
 * The browser commands against hostile homes and with secrets in the environment (issue 22).
 * NSS's tools are replaced by scripts that record how they were run.
 */
const INTERNAL = `library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal,critical\n`;

function home(): { dir: string; ff: string; env: Record<string, string>; tools: string; dumps: string } {
  const dir = tempDir('cns-hostile-home-');
  const ff = join(dir, '.mozilla', 'firefox');
  mkdirSync(join(ff, 'a'), { recursive: true });
  writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=a\n\n[General]\nVersion=2\n');
  writeFileSync(join(ff, 'a', 'cert9.db'), '');
  writeFileSync(join(ff, 'a', 'pkcs11.txt'), INTERNAL);
  const tools = join(dir, 'bin');
  const dumps = join(dir, 'dumps');
  mkdirSync(tools);
  mkdirSync(dumps);
  // each fake tool writes its environment and arguments, and succeeds saying nothing
  for (const t of ['modutil', 'certutil', 'tstclnt', 'pk12util']) {
    writeFileSync(join(tools, t), `#!/bin/sh\nenv > "${dumps}/${t}.$$.env"\necho "$@" > "${dumps}/${t}.$$.args"\nexit 0\n`);
    chmodSync(join(tools, t), 0o755);
  }
  const env = {
    HOME: dir,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, '.config'),
    PATH: `${tools}:${process.env.PATH}`,
  };
  return { dir, ff, env, tools, dumps };
}

describe('the PIN never reaches NSS tools through their environment (item 8)', () => {
  it('browser setup and status with CNS_PIN, CNS_NEW_PIN and CNS_PUK set: no tool sees them', async () => {
    const h = home();
    const secrets = { CNS_PIN: '13579', CNS_NEW_PIN: '24680', CNS_PUK: '11223344' };
    await cns(['browser', 'setup', '--json'], { env: { ...h.env, ...secrets } });
    await cns(['browser', 'status', '--json'], { env: { ...h.env, ...secrets } });
    const envs = readdirSync(h.dumps).filter((f) => f.endsWith('.env'));
    expect(envs.length).toBeGreaterThan(0);
    for (const f of envs) {
      const text = readFileSync(join(h.dumps, f), 'utf8');
      expect(text, f).not.toMatch(/CNS_PIN|CNS_NEW_PIN|CNS_PUK|13579|24680|11223344/);
      expect(text, f).toMatch(/^HOME=/m);
    }
    expect(existsSync(h.dir)).toBe(true);
  });
});

describe("files NSS would write through (item 1) and another user's home (item 2)", () => {
  for (const planted of ['pkcs11.txt', 'pkcs11.txu']) {
    it(`${planted} planted as a symbolic link: setup refuses that database, names the file, and the link's target is untouched`, async () => {
      const h = home();
      const victim = join(h.dir, 'root-owned.conf');
      writeFileSync(victim, 'precious\n');
      const { rmSync, symlinkSync } = await import('node:fs');
      if (planted === 'pkcs11.txt') rmSync(join(h.ff, 'a', 'pkcs11.txt'));
      symlinkSync(victim, join(h.ff, 'a', planted));
      const r = await cns(['browser', 'setup', '--json'], { env: h.env });
      expect(r.code).toBe(7);
      expect(r.json.databases[0]).toMatchObject({ action: 'refused', why: 'symlink', file: join(h.ff, 'a', planted) });
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      // no NSS tool was run on that database
      expect(readdirSync(h.dumps).filter((f) => f.startsWith('modutil'))).toEqual([]);
      const it_ = await cns(['--lang', 'it', 'browser', 'setup'], { env: h.env });
      expect(it_.stdout).toMatch(/collegamento simbolico/);
    });
  }

  it('run as root on a profile that belongs to another user: refused (run it as that user), nothing created in that home', async () => {
    if (process.getuid?.() !== 0) {
      // only root can be root on another user's home; the check itself is unit-tested below
      const { unsafeDatabase } = await import('../../src/browser/browsers.js');
      expect(unsafeDatabase(tempDir(), 0)).toMatchObject({ why: 'other-user' });
      return;
    }
    const h = home();
    const { chownSync } = await import('node:fs');
    for (const p of [h.dir, join(h.dir, '.mozilla'), h.ff, join(h.ff, 'a'), join(h.ff, 'a', 'pkcs11.txt'), join(h.ff, 'a', 'cert9.db')])
      chownSync(p, 4242, 4242);
    const r = await cns(['browser', 'setup', '--json'], { env: h.env });
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/Run it as that user, without sudo/);
    expect(readdirSync(h.dumps)).toEqual([]);
    for (const cmd of ['setup', 'remove']) expect((await cns(['browser', cmd], { env: h.env })).code).toBe(2);
    // nothing at all created in that home (OpenSC's module, loaded for the card, would make ~/.cache)
    expect(existsSync(join(h.dir, '.cache'))).toBe(false);
    expect(existsSync(join(h.dir, 'state'))).toBe(false);
    const { statSync } = await import('node:fs');
    expect(statSync(join(h.ff, 'a', 'pkcs11.txt')).uid).toBe(4242);
  });
});

describe('profiles.ini is not trusted (items 3, 4, 5)', () => {
  it("a profile path that climbs out of the browser's folder, or an absolute one with no profile: not touched, nothing created", async () => {
    const h = home();
    const outside = join(h.dir, 'outside');
    writeFileSync(
      join(h.ff, 'profiles.ini'),
      `[Profile0]\nName=up\nIsRelative=1\nPath=../../../outside\n\n[Profile1]\nName=abs\nIsRelative=0\nPath=${join(h.dir, 'nowhere')}\n\n[Profile2]\nName=ok\nIsRelative=1\nPath=a\n`,
    );
    const r = await cns(['browser', 'setup', '--json'], { env: h.env });
    expect(r.json.databases.map((d: { path: string }) => d.path)).toEqual([join(h.ff, 'a')]);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(h.dir, 'nowhere'))).toBe(false);
  });

  it('an absolute profile path that already holds a profile is kept', async () => {
    const h = home();
    const elsewhere = join(h.dir, 'disk2', 'profile');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, 'cert9.db'), '');
    writeFileSync(join(h.ff, 'profiles.ini'), `[Profile0]\nName=moved\nIsRelative=0\nPath=${elsewhere}\n`);
    const r = await cns(['browser', 'status', '--json'], { env: h.env });
    expect(r.json.databases.map((d: { path: string }) => d.path)).toEqual([elsewhere]);
  });

  it('a FIFO profiles.ini or pkcs11.txt does not hang status, setup or remove; a huge sparse pkcs11.txt is not read', async () => {
    const { spawnSync } = await import('node:child_process');
    const h = home();
    const { rmSync, truncateSync } = await import('node:fs');
    rmSync(join(h.ff, 'a', 'pkcs11.txt'));
    expect(spawnSync('mkfifo', [join(h.ff, 'a', 'pkcs11.txt')]).status).toBe(0);
    for (const cmd of ['status', 'setup', 'remove']) {
      const t0 = Date.now();
      const r = await cns(['browser', cmd, '--json'], { env: h.env });
      expect(Date.now() - t0, cmd).toBeLessThan(10_000);
      expect(r.json, cmd).toBeDefined();
    }
    rmSync(join(h.ff, 'a', 'pkcs11.txt'));
    writeFileSync(join(h.ff, 'a', 'pkcs11.txt'), '');
    truncateSync(join(h.ff, 'a', 'pkcs11.txt'), 3 * 1024 * 1024 * 1024);
    const t0 = Date.now();
    const big = await cns(['browser', 'status', '--json'], { env: h.env });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(big.json.databases).toHaveLength(1);
    const h2 = home();
    rmSync(join(h2.ff, 'profiles.ini'));
    expect(spawnSync('mkfifo', [join(h2.ff, 'profiles.ini')]).status).toBe(0);
    const t1 = Date.now();
    const fifo = await cns(['browser', 'status', '--json'], { env: h2.env });
    expect(Date.now() - t1).toBeLessThan(10_000);
    expect(fifo.code).toBe(0);
  });

  it('escape sequences in a profile name do not reach the terminal', async () => {
    const h = home();
    writeFileSync(join(h.ff, 'profiles.ini'), '[Profile0]\nName=evil\x1b]0;owned\x07\x1b[2J\nIsRelative=1\nPath=a\n');
    const r = await cns(['browser', 'status'], { env: h.env });
    expect(r.stdout).toMatch(/evil/);
    expect(r.stdout).not.toContain(String.fromCharCode(0x1b));
    const j = await cns(['browser', 'status', '--json'], { env: h.env });
    expect(j.json.databases[0].profile).toBe('evil]0;owned[2J');
  });
});
