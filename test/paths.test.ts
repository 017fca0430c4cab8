import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacyStateDir, moveLegacyStateDir, stateDirFor } from '../src/device/paths.js';
import { tempDir } from './helpers.js';

/** Issue 25 item 2 and 4: each system's own per-user state folder, and the old one moved there. */
describe('the state folder, per platform', () => {
  it("Windows: %LOCALAPPDATA%\\cns, else the profile's AppData\\Local; never ~/.local/state", () => {
    expect(stateDirFor({ LOCALAPPDATA: 'C:\\Users\\Mario\\AppData\\Local' }, 'win32', 'C:\\Users\\Mario')).toBe(
      'C:\\Users\\Mario\\AppData\\Local\\cns',
    );
    expect(stateDirFor({}, 'win32', 'C:\\Users\\Mario')).toBe('C:\\Users\\Mario\\AppData\\Local\\cns');
    // a relative value is not a place: the default is used
    expect(stateDirFor({ LOCALAPPDATA: 'AppData' }, 'win32', 'C:\\Users\\Mario')).toBe('C:\\Users\\Mario\\AppData\\Local\\cns');
    expect(stateDirFor({ XDG_STATE_HOME: '/x' }, 'win32', 'C:\\Users\\Mario')).not.toMatch(/\.local|\/x/);
  });
  it('macOS: ~/Library/Application Support/cns', () => {
    expect(stateDirFor({}, 'darwin', '/Users/mario')).toBe('/Users/mario/Library/Application Support/cns');
  });
  it('Linux: $XDG_STATE_HOME/cns when absolute, else ~/.local/state/cns', () => {
    expect(stateDirFor({ XDG_STATE_HOME: '/s' }, 'linux', '/home/m')).toBe('/s/cns');
    expect(stateDirFor({ XDG_STATE_HOME: 'rel' }, 'linux', '/home/m')).toBe('/home/m/.local/state/cns');
    expect(stateDirFor({}, 'linux', '/home/m')).toBe('/home/m/.local/state/cns');
  });

  it("the home folder by default is Node's os.homedir(): $HOME when set (even empty), the password database otherwise", () => {
    const probe = (env: NodeJS.ProcessEnv): { ours: string; node: string } =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "import { stateDirFor } from './dist/device/paths.js'; import { homedir } from 'node:os'; console.log(JSON.stringify({ ours: stateDirFor({}, 'linux'), node: stateDirFor({}, 'linux', homedir()) }))",
          ],
          { env, encoding: 'utf8', cwd: join(import.meta.dirname, '..') },
        ),
      );
    const { HOME: _home, ...noHome } = process.env;
    for (const env of [{ ...process.env, HOME: '/home/mario' }, { ...process.env, HOME: '' }, noHome]) {
      const r = probe(env);
      expect(r.ours, String(env.HOME)).toBe(r.node);
    }
    // POSIX: $HOME itself, read without node:os (on Windows Node's homedir() is the profile folder, not $HOME)
    if (process.platform !== 'win32') expect(probe({ ...process.env, HOME: '/home/mario' }).ours).toBe('/home/mario/.local/state/cns');
  });

  it('an old ~/.local/state/cns is moved to the new place once, journals and all; Linux has nothing to move', () => {
    const home = tempDir('cns-paths-');
    // macOS paths are POSIX ones (a Windows temporary folder with them still names the same place)
    const old = posix.join(home, '.local', 'state', 'cns');
    mkdirSync(join(old, 'extension', '1234567890123456'), { recursive: true });
    writeFileSync(join(old, 'extension', '1234567890123456', 'journal.json'), '{"step":2}');
    expect(moveLegacyStateDir({}, 'linux', home)).toBeUndefined();
    const r = moveLegacyStateDir({}, 'darwin', home);
    const now = posix.join(home, 'Library', 'Application Support', 'cns');
    expect(r).toEqual({ from: old, to: now, moved: true });
    expect(existsSync(old)).toBe(false);
    expect(readFileSync(join(now, 'extension', '1234567890123456', 'journal.json'), 'utf8')).toBe('{"step":2}');
    // the second time there is nothing left to move
    expect(moveLegacyStateDir({}, 'darwin', home)).toBeUndefined();
  });

  it('nothing is moved over an existing folder', () => {
    const home = tempDir('cns-paths-');
    const old = legacyStateDir({}, 'darwin', home);
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'demo-card.json'), 'old');
    const now = stateDirFor({}, 'darwin', home);
    mkdirSync(now, { recursive: true });
    writeFileSync(join(now, 'demo-card.json'), 'new');
    expect(moveLegacyStateDir({}, 'darwin', home)?.reason).toBe('exists');
    expect(readFileSync(join(now, 'demo-card.json'), 'utf8')).toBe('new');
    expect(readFileSync(join(old, 'demo-card.json'), 'utf8')).toBe('old');
  });

  // Wine's Node makes no symbolic links (symlinkSync does nothing there); a real Windows needs a privilege for them
  it.runIf(process.platform !== 'win32')('nothing is moved through a symbolic link', () => {
    const home2 = tempDir('cns-paths-');
    const elsewhere = tempDir('cns-paths-target-');
    mkdirSync(join(home2, '.local', 'state'), { recursive: true });
    symlinkSync(elsewhere, join(home2, '.local', 'state', 'cns'));
    expect(moveLegacyStateDir({}, 'darwin', home2)?.reason).toBe('not-a-folder');
    expect(existsSync(stateDirFor({}, 'darwin', home2))).toBe(false);
  });
});
