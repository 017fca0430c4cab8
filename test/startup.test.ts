// The fast start (issue 15) loads the CLI from one CommonJS bundle with V8's code cache; these
// check that what a user sees is the same with the cache, without it and with a foreign one.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const simEnv = (home: string) => ({ ...process.env, HOME: home, XDG_STATE_HOME: join(home, 'state'), NO_COLOR: '1', LC_ALL: 'C' });

/** A copy of bin/ and dist/bundle/ (node_modules linked by path) to damage without touching the checkout. */
function copyInstall(): string {
  const dir = tempDir('cns-startup-');
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  spawnSync('ln', ['-s', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
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
    writeFileSync(join(dir, 'dist', 'bundle', 'main.v8cache'), Buffer.from('not a V8 code cache at all'));
    const foreign = spawnSync(process.execPath, [bin, 'status', '--reader', 'sim', '--json'], { env: simEnv(home), encoding: 'utf8' });
    expect(foreign.status, foreign.stderr).toBe(0);
    expect(JSON.parse(foreign.stdout).card.id).toBe(id);

    spawnSync('rm', [join(dir, 'dist', 'bundle', 'main.v8cache')]);
    const none = spawnSync(process.execPath, [bin, 'status', '--reader', 'sim', '--json'], { env: simEnv(home), encoding: 'utf8' });
    expect(none.status, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).card.id).toBe(id);
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

    spawnSync('rm', [join(dir, 'dist', 'bundle', 'main.cjs')]);
    const en = spawnSync(process.execPath, [bin, 'status'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
    expect(en.status).toBe(1);
    expect(en.stderr).toBe('cns: not built yet. Run "npm ci" (or "npm run build") in the project folder first.\n');
  });
});
