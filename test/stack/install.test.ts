import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { makeCard, READER0, STACK_OK, stack } from './stack.js';

describe.skipIf(!STACK_OK)('installing without install scripts', () => {
  it('npm ci --ignore-scripts (a locked-down machine), then the card through pcscd', async () => {
    const dir = tempDir('cns-install-');
    cpSync(ROOT, dir, {
      recursive: true,
      filter: (src) => !/^\/?(node_modules|dist|\.git|coverage|\.tmp)(\/|$)/.test(src.slice(ROOT.length)),
    });
    const npm = (...args: string[]) => spawnSync('npm', args, { cwd: dir, encoding: 'utf8', timeout: 180000 });
    const ci = npm('ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline');
    expect(ci.status, ci.stderr).toBe(0);
    // no install script ran, and none was needed: no native build of any PC/SC binding
    expect(existsSync(join(dir, 'node_modules', 'koffi', 'build'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'pcsclite'))).toBe(false);
    const build = npm('run', 'build');
    expect(build.status, build.stderr).toBe(0);
    const img = await makeCard();
    await stack.attach(img);
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'cns.js'), 'status', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, XDG_STATE_HOME: dir },
    });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.reader).toBe(READER0);
    expect(j.pin.triesLeft).toBe(3);
    await stack.detach(35963);
  }, 300_000);
});
