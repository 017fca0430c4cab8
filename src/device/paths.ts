import { lstatSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, win32 } from 'node:path';

let osHomedir: (() => string) | undefined;

/**
 * os.homedir(), without loading node:os where it need not be (~0.3 ms of every command that only
 * imports this module, issue 27): on a POSIX system Node's homedir() is $HOME whenever it is set
 * (libuv's uv_os_homedir, empty or not), and the password database's entry only when it is not.
 */
function homedir(): string {
  if (process.platform !== 'win32' && process.env.HOME !== undefined) return process.env.HOME;
  osHomedir ??= (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir;
  return osHomedir();
}

/**
 * Where the demo card, the report salt, the extension journals and backups live, as each system
 * keeps per-user program state:
 * - Linux and the BSDs: $XDG_STATE_HOME/cns, by default ~/.local/state/cns (XDG Base Directory);
 * - Windows: %LOCALAPPDATA%\cns (the per-user, non-roaming folder), by default
 *   %USERPROFILE%\AppData\Local\cns;
 * - macOS: ~/Library/Application Support/cns.
 */
export function stateDirFor(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && win32.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : win32.join(home, 'AppData', 'Local');
    return win32.join(local, 'cns');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'cns');
  const base = env.XDG_STATE_HOME && posix.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : posix.join(home, '.local', 'state');
  return posix.join(base, 'cns');
}

/** Where versions before 0.2 kept it on every system: ~/.local/state/cns (or $XDG_STATE_HOME/cns). */
export function legacyStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  const p = platform === 'win32' ? win32 : posix;
  const base = env.XDG_STATE_HOME && p.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : p.join(home, '.local', 'state');
  return p.join(base, 'cns');
}

export type StateMove = { from: string; to: string; moved: boolean; reason?: 'exists' | 'not-a-folder' | 'error' };

let checked = false;

/**
 * On Windows and macOS, a state folder left at the old place (~/.local/state/cns) is moved to the
 * system's own, once, before anything is read or written there: journals of an interrupted write
 * and backups must follow. Nothing is moved when the new folder exists already, when the old one
 * is a symbolic link or not a folder (never through a link the tool did not make), or when the
 * move fails (the old folder is then left as it was). Returns what happened, or undefined when
 * there was nothing to do.
 */
export function moveLegacyStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): StateMove | undefined {
  const to = stateDirFor(env, platform, home);
  const from = legacyStateDir(env, platform, home);
  if (from === to) return undefined;
  let old: ReturnType<typeof lstatSync>;
  try {
    old = lstatSync(from);
  } catch {
    return undefined;
  }
  if (!old.isDirectory()) return { from, to, moved: false, reason: 'not-a-folder' };
  try {
    lstatSync(to);
    return { from, to, moved: false, reason: 'exists' };
  } catch {
    /* the new place is free */
  }
  try {
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    renameSync(from, to);
    return { from, to, moved: true };
  } catch {
    return { from, to, moved: false, reason: 'error' };
  }
}

/** This system's state folder, after moving an old one into place (looked at once per process). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (!checked) {
    checked = true;
    moveLegacyStateDir(env);
  }
  return stateDirFor(env);
}

export function demoImagePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'demo-card.json');
}
