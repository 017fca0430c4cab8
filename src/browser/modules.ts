import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { P11KIT_DIRS, p11kitModuleFiles } from '../pkcs11/modules.js';
import { CARD_FAMILIES, type FamilyName, familyOfFile } from '../pkcs11/moduleTable.js';
import { readSmallFile } from '../util/fs.js';
import type { NssDatabase } from './discover.js';
import { BROWSER_FILE_MAX } from './discover.js';

/** The PKCS#11 modules an NSS database loads (pkcs11.txt), and whether the card's is among them. */

export interface RegisteredModule {
  name: string;
  library: string;
}

/** The modules listed in an NSS pkcs11.txt, NSS's own internal module left out. */
export function parsePkcs11Txt(text: string): RegisteredModule[] {
  const out: RegisteredModule[] = [];
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const fields: Record<string, string> = {};
    for (const line of block.split(/\r?\n/)) {
      const eq = line.indexOf('=');
      if (eq > 0) fields[line.slice(0, eq).trim()] ??= line.slice(eq + 1).trim();
    }
    if (fields.library) out.push({ name: fields.name ?? '', library: fields.library });
  }
  return out;
}

export function readRegistered(db: string): RegisteredModule[] | null {
  try {
    return parsePkcs11Txt(readSmallFile(join(db, 'pkcs11.txt'), BROWSER_FILE_MAX));
  } catch {
    return null;
  }
}

/** The middleware families a TS-CNS uses (their library files per system: pkcs11/moduleTable.ts). */
export const FAMILIES: readonly FamilyName[] = CARD_FAMILIES;

const PROXY = 'p11-kit-proxy.so';

/** The library files p11-kit's proxy loads (its module files), for a database that registers the proxy. */
export function p11kitModules(dirs: string[] = P11KIT_DIRS): string[] {
  // a module kept out of the proxy, or out of NSS browsers, does not count
  return p11kitModuleFiles(dirs)
    .filter(({ text }) => !/^\s*enable-in\s*:/m.test(text) && !/^\s*disable-in\s*:.*\b(p11-kit-proxy|firefox|chrome)/m.test(text))
    .map(({ module }) => basename(module));
}

export type Registration = 'registered' | 'missing' | 'duplicate' | 'wrong-path';

export interface NeededModule {
  /** The middleware family (OpenSC, bit4id xPKI, Athena IDProtect). */
  family: string;
  /** The library this database should load, or null when it cannot load one (with why). */
  library: string | null;
  cannot?: 'snap-no-module' | 'flatpak' | 'not-installed';
}

export interface Assessment {
  state: Registration;
  /** The entries that are the card's middleware (directly, or through p11-kit's proxy). */
  entries: (RegisteredModule & { via?: 'p11-kit-proxy'; exists: boolean })[];
  /** The entries this tool added (its own name), for `remove`. */
  ours: RegisteredModule[];
  /** No pkcs11.txt: a database never opened, or not NSS's sql format. */
  unreadable: boolean;
}

/** The name under which `cns browser setup` registers a module: how `remove` knows its own. */
export const OUR_NAME = 'TS-CNS (cns)';

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Whether a database loads the card's middleware: once (registered), not at all (missing),
 * more than once (duplicate: two copies break the PIN prompt), or from a library that is not
 * there or that this browser cannot load (wrong-path).
 */
export function assess(
  db: NssDatabase,
  need: NeededModule,
  registered: RegisteredModule[] | null,
  proxied: string[] = p11kitModules(),
  exists: (path: string) => boolean = existsSync,
): Assessment {
  const list = registered ?? [];
  const entries: Assessment['entries'] = [];
  // a Windows pkcs11.txt names C:\...\opensc-pkcs11.dll: its file name by that system's rules
  const ofFamily = (library: string): boolean => familyOfFile(library, db.platform) === need.family;
  for (const r of list) {
    if (ofFamily(r.library) || (need.library && sameFile(r.library, need.library))) {
      entries.push({ ...r, exists: libraryLoadable(db, r.library, exists) });
    } else if (db.platform === 'linux' && basename(r.library) === PROXY && proxied.some((p) => familyOfFile(p, 'linux') === need.family)) {
      entries.push({ ...r, via: 'p11-kit-proxy', exists: libraryLoadable(db, r.library, exists) });
    }
  }
  const ours = list.filter((r) => r.name === OUR_NAME);
  let state: Registration;
  if (entries.length === 0) state = 'missing';
  else if (entries.length > 1) state = 'duplicate';
  else state = entries[0]!.exists ? 'registered' : 'wrong-path';
  return { state, entries, ours, unreadable: registered === null };
}

/** A library path this database's browser can load: present, and inside the snap for a snap browser. */
function libraryLoadable(db: NssDatabase, library: string, exists: (path: string) => boolean): boolean {
  if (db.packaging === 'snap' && !library.startsWith('/snap/')) return false;
  if (db.packaging === 'flatpak') return library.startsWith('/app/') || library.startsWith('/usr/');
  return exists(library);
}

/**
 * The library to register in this database for a middleware installed at `hostPath`: OpenSC's
 * one-PIN variant for Chrome's database, the copy inside the snap for snap Firefox.
 */
export function neededModule(db: NssDatabase, family: string, hostPath: string | null, snapRoot = '/snap'): NeededModule {
  if (!hostPath) return { family, library: null, cannot: 'not-installed' };
  // Firefox and Thunderbird on Windows and macOS load the library where its installer put it
  if (db.platform !== 'linux') return { family, library: hostPath };
  if (db.packaging === 'flatpak') return { family, library: null, cannot: 'flatpak' };
  if (db.packaging === 'snap') {
    // the snap ships OpenSC's module where the host has it: /snap/firefox/current/usr/lib/<triplet>/
    const snapName = db.browser === 'thunderbird' ? 'thunderbird' : 'firefox';
    const inside = join(snapRoot, snapName, 'current', 'usr', 'lib', basename(dirname(hostPath)), basename(hostPath));
    return existsSync(inside) ? { family, library: inside } : { family, library: null, cannot: 'snap-no-module' };
  }
  if (db.browser === 'chrome' && family === 'OpenSC') {
    const onepin = join(dirname(hostPath), 'onepin-opensc-pkcs11.so');
    if (existsSync(onepin)) return { family, library: onepin };
  }
  return { family, library: hostPath };
}
