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
