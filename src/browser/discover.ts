import { closeSync, existsSync, openSync, readlinkSync, statSync } from 'node:fs';
import { isAbsolute, posix, win32 } from 'node:path';
import { readSmallFile } from '../util/fs.js';
import { printable } from '../util/text.js';

/** The NSS databases a browser of this user reads, found without starting any browser. */

export type BrowserName = 'firefox' | 'thunderbird' | 'chrome';
/** How the browser is installed: its own package, a snap, a flatpak; "nssdb" is Chrome's shared database. */
export type Packaging = 'native' | 'esr' | 'xdg' | 'snap' | 'flatpak' | 'nssdb';
export type Platform = 'linux' | 'darwin' | 'win32';

export interface NssDatabase {
  browser: BrowserName;
  packaging: Packaging;
  /** The profile's name in profiles.ini (Firefox, Thunderbird); null for Chrome's database. */
  profile: string | null;
  /** The database folder (cert9.db, key4.db, pkcs11.txt). */
  path: string;
  /** The folder exists and holds an NSS sql database. */
  exists: boolean;
  /** A browser holds the profile now (its lock file, with a live process where that can be told). */
  running: boolean;
  platform: Platform;
}

export interface Home {
  home: string;
  platform: Platform;
  env: Record<string, string | undefined>;
  /** Whether a process id is alive (tests pass their own). */
  alive?: (pid: number) => boolean;
  /** Windows: whether another process holds this file open without sharing it (tests pass their own). */
  held?: (path: string) => boolean;
}

/** Windows paths on Windows (a drive or backslashes in the home), POSIX paths elsewhere (and in tests). */
function pathsOf(h: Home): typeof posix {
  return h.platform === 'win32' && /^[A-Za-z]:|\\/.test(h.home) ? win32 : posix;
}

interface MozillaRoot {
  browser: 'firefox' | 'thunderbird';
  packaging: Packaging;
  dir: string;
}

/** Where Firefox and Thunderbird keep profiles.ini, per platform (first the usual places). */
export function mozillaRoots(h: Home): MozillaRoot[] {
  const { home, env } = h;
  const { join } = pathsOf(h);
  if (h.platform === 'darwin') {
    const support = join(home, 'Library', 'Application Support');
    return [
      { browser: 'firefox', packaging: 'native', dir: join(support, 'Firefox') },
      { browser: 'thunderbird', packaging: 'native', dir: join(home, 'Library', 'Thunderbird') },
    ];
  }
  if (h.platform === 'win32') {
    const appData = env.APPDATA ?? join(home, 'AppData', 'Roaming');
    return [
      { browser: 'firefox', packaging: 'native', dir: join(appData, 'Mozilla', 'Firefox') },
      { browser: 'thunderbird', packaging: 'native', dir: join(appData, 'Thunderbird') },
    ];
  }
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return [
    { browser: 'firefox', packaging: 'native', dir: join(home, '.mozilla', 'firefox') },
    { browser: 'firefox', packaging: 'esr', dir: join(home, '.mozilla', 'firefox-esr') },
    { browser: 'firefox', packaging: 'xdg', dir: join(config, 'mozilla', 'firefox') },
    { browser: 'firefox', packaging: 'snap', dir: join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox') },
    { browser: 'firefox', packaging: 'flatpak', dir: join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox') },
    { browser: 'thunderbird', packaging: 'native', dir: join(home, '.thunderbird') },
    { browser: 'thunderbird', packaging: 'snap', dir: join(home, 'snap', 'thunderbird', 'common', '.thunderbird') },
    { browser: 'thunderbird', packaging: 'flatpak', dir: join(home, '.var', 'app', 'org.mozilla.Thunderbird', '.thunderbird') },
  ];
}

/** Chrome-family browsers' own folders on Linux (their lock files tell whether one runs). */
const CHROME_CONFIGS = ['google-chrome', 'google-chrome-beta', 'chromium', 'microsoft-edge', 'BraveSoftware/Brave-Browser', 'vivaldi'];

/** The most a profiles.ini or pkcs11.txt is read to: a real one is a few kilobytes. */
export const BROWSER_FILE_MAX = 1024 * 1024;

/**
 * The profiles listed in a profiles.ini: name and absolute folder. The file is the user's, but
 * anyone who could write it must not steer the tool out of the browser's folder: a relative path
 * that climbs out of `root` (`..`) is dropped; an absolute one is kept only where a profile
 * already is (`holdsProfile`), so that nothing is ever created outside the browser's own folder.
 * Names are made printable (no escape sequences reach the terminal).
 */
export function parseProfilesIni(
  text: string,
  root: string,
  paths: typeof posix = posix,
  holdsProfile: (path: string) => boolean = () => false,
): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  let section: Record<string, string> | null = null;
  const flush = (): void => {
    if (!section?.Path) return;
    const relative = section.IsRelative !== '0';
    const path = relative ? paths.join(root, ...section.Path.split('/')) : paths.normalize(section.Path);
    if (relative) {
      const rel = paths.relative(root, path);
      if (rel === '' || rel.startsWith('..') || paths.isAbsolute(rel)) return;
    } else if (!paths.isAbsolute(path) || !holdsProfile(path)) return;
    out.push({ name: printable(section.Name ?? section.Path), path });
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      flush();
      section = /^Profile\d+$/i.test(head[1]!) ? {} : null;
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  flush();
  return out;
}

function defaultAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock that is a symbolic link to "host:+PID" (Firefox) or "host-PID" (Chrome): held while
 * that process lives. Another host's lock, or one that cannot be read, counts as held.
 */
function symlinkLockHeld(path: string, alive: (pid: number) => boolean): boolean | null {
  let target: string;
  try {
    target = readlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return existsSync(path);
  }
  const pid = /[+-](\d+)$/.exec(target)?.[1];
  return pid ? alive(Number(pid)) : true;
}

/**
 * Windows: a file another process keeps open with no sharing cannot be opened (libuv's EBUSY for
 * ERROR_SHARING_VIOLATION; EPERM/EACCES on some systems). That is how Firefox holds parent.lock.
 */
function defaultHeld(path: string): boolean {
  try {
    closeSync(openSync(path, 'r'));
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
  }
}

function mozillaRunning(profile: string, h: Home): boolean {
  const alive = h.alive ?? defaultAlive;
  const { join } = pathsOf(h);
  if (h.platform === 'win32') {
    // Firefox on Windows creates parent.lock, never deletes it (its date tells a crash at start)
    // and keeps it open with no sharing while it runs (nsProfileLock.cpp): the file alone says
    // nothing, whether it can be opened says whether the profile is in use
    const lock = join(profile, 'parent.lock');
    return existsSync(lock) && (h.held ?? defaultHeld)(lock);
  }
  const lock = symlinkLockHeld(join(profile, 'lock'), alive);
  if (lock !== null) return lock;
  // macOS keeps .parentlock; it stays after a clean exit there, so only a recently written one
  // is taken as running
  const parent = join(profile, '.parentlock');
  if (h.platform === 'linux') return false;
  try {
    return Date.now() - statSync(parent).mtimeMs < 60_000;
  } catch {
    return false;
  }
}

function isNssDb(dir: string, paths: typeof posix = posix): boolean {
  return existsSync(paths.join(dir, 'cert9.db')) || existsSync(paths.join(dir, 'pkcs11.txt'));
}

/** Chrome's database on Linux: ~/.pki/nssdb, or $XDG_DATA_HOME/pki/nssdb where ~/.pki does not exist. */
export function chromeDatabase(h: Home): string {
  const { join } = posix;
  if (existsSync(join(h.home, '.pki'))) return join(h.home, '.pki', 'nssdb');
  const data = h.env.XDG_DATA_HOME && isAbsolute(h.env.XDG_DATA_HOME) ? h.env.XDG_DATA_HOME : join(h.home, '.local', 'share');
  return join(data, 'pki', 'nssdb');
}

/** Whether a Chrome-family browser has been used by this user (its config folder), and whether one runs. */
function chromeFamily(h: Home): { installed: boolean; running: boolean } {
  const { join } = posix;
  const config = h.env.XDG_CONFIG_HOME && isAbsolute(h.env.XDG_CONFIG_HOME) ? h.env.XDG_CONFIG_HOME : join(h.home, '.config');
  const alive = h.alive ?? defaultAlive;
  let installed = false;
  let running = false;
  for (const c of CHROME_CONFIGS) {
    const dir = join(config, ...c.split('/'));
    if (!existsSync(dir)) continue;
    installed = true;
    if (symlinkLockHeld(join(dir, 'SingletonLock'), alive)) running = true;
  }
  return { installed, running };
}

/** Every NSS database of this user's browsers, in a stable order, each path once. */
export function discoverDatabases(h: Home): NssDatabase[] {
  const out: NssDatabase[] = [];
  const seen = new Set<string>();
  for (const root of mozillaRoots(h)) {
    let ini: string;
    try {
      // a FIFO or a huge file there must not hang or slow the tool
      ini = readSmallFile(pathsOf(h).join(root.dir, 'profiles.ini'), BROWSER_FILE_MAX);
    } catch {
      continue;
    }
    const holds = (p: string): boolean => (h.platform === 'linux' ? isNssDb(p) : existsSync(p));
    for (const p of parseProfilesIni(ini, root.dir, pathsOf(h), holds)) {
      if (seen.has(p.path)) continue;
      seen.add(p.path);
      out.push({
        browser: root.browser,
        packaging: root.packaging,
        profile: p.name,
        path: p.path,
        exists: isNssDb(p.path, pathsOf(h)),
        running: mozillaRunning(p.path, h),
        platform: h.platform,
      });
    }
  }
  if (h.platform === 'linux') {
    const path = chromeDatabase(h);
    const family = chromeFamily(h);
    const exists = isNssDb(path);
    if ((exists || family.installed) && !seen.has(path)) {
      out.push({ browser: 'chrome', packaging: 'nssdb', profile: null, path, exists, running: family.running, platform: 'linux' });
    }
  }
  return out;
}

/** A database named on the command line (--db): Chrome's if it is a pki/nssdb folder, else a Firefox profile. */
export function explicitDatabase(path: string, h: Home): NssDatabase {
  const chrome = /(^|\/)pki\/nssdb\/?$/.test(path);
  return {
    browser: chrome ? 'chrome' : 'firefox',
    packaging: chrome ? 'nssdb' : /\/snap\//.test(path) ? 'snap' : /\/\.var\/app\//.test(path) ? 'flatpak' : 'native',
    profile: null,
    path,
    exists: isNssDb(path, pathsOf(h)),
    running: chrome ? false : mozillaRunning(path, h),
    platform: h.platform,
  };
}

/** The running user's home, platform and environment. */
export function currentHome(): Home {
  const platform = (['linux', 'darwin', 'win32'] as const).find((p) => p === process.platform) ?? 'linux';
  return { home: process.env.HOME ?? process.env.USERPROFILE ?? '/', platform, env: process.env };
}
