import { posix, win32 } from 'node:path';

/**
 * Where each TS-CNS middleware's PKCS#11 library is, per system: its file names (what a
 * browser's pkcs11.txt names) and the folders its installer puts it in, most likely first.
 * Data only: nothing here touches the disk, so every system's table is tested on any system.
 */

export type OsPlatform = 'linux' | 'darwin' | 'win32';

export type FamilyName = 'OpenSC' | 'bit4id xPKI' | 'Athena IDProtect' | 'SoftHSM2';

/** The middleware families a TS-CNS uses, in the order cns prefers them (SoftHSM2 is no card's). */
export const CARD_FAMILIES: FamilyName[] = ['OpenSC', 'bit4id xPKI', 'Athena IDProtect'];

/**
 * The library file names of each family, per system.
 * - OpenSC: `opensc-pkcs11` and its one-PIN copy `onepin-opensc-pkcs11`; `.dll` on Windows
 *   (OpenSC win32/OpenSC.wxs installs both into `pkcs11\`), `.so` on macOS as on Linux
 *   (OpenSC MacOSX/scripts/postinstall; wiki "macOS Quick Start").
 * - bit4id xPKI: `bit4xpki.dll` on Windows, `libbit4xpki.dylib` on macOS (the bit4id universal
 *   middleware; path lists in firma/PKCS#11 tools, e.g. rubrica's Bit4IdGenericAppleKeyStoreProvider,
 *   and the Italian "dispositivi_firma" catalogue of Windows names).
 * - Athena IDProtect: `asepkcs.dll` on Windows, `libASEP11.dylib` on macOS (firmador/firmador,
 *   src/main/java/cr/libre/firmador/token/Utils.java: one line per system).
 */
export const MODULE_FILES: Record<OsPlatform, Record<FamilyName, string[]>> = {
  linux: {
    OpenSC: ['opensc-pkcs11.so', 'onepin-opensc-pkcs11.so'],
    'bit4id xPKI': ['libbit4xpki.so'],
    'Athena IDProtect': ['libASEP11.so'],
    SoftHSM2: ['libsofthsm2.so'],
  },
  darwin: {
    OpenSC: ['opensc-pkcs11.so', 'onepin-opensc-pkcs11.so'],
    'bit4id xPKI': ['libbit4xpki.dylib'],
    'Athena IDProtect': ['libASEP11.dylib'],
    SoftHSM2: ['libsofthsm2.so'],
  },
  win32: {
    OpenSC: ['opensc-pkcs11.dll', 'onepin-opensc-pkcs11.dll'],
    'bit4id xPKI': ['bit4xpki.dll'],
    'Athena IDProtect': ['asepkcs.dll'],
    SoftHSM2: [],
  },
};

/** A library where its installer puts it. */
export interface KnownModule {
  family: FamilyName;
  path: string;
  /**
   * A 32-bit build on 64-bit Windows (Program Files (x86), SysWOW64): only a 32-bit program can
   * load it (a 32-bit Firefox), not the 64-bit Firefox that 64-bit Windows gets.
   */
  arch32?: boolean;
}

export const LINUX_LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
  '/usr/lib/pkcs11',
  '/usr/lib/x86_64-linux-gnu/pkcs11',
];

/** Folders a family's own Linux installer uses besides the system ones. */
const LINUX_OWN_DIRS: Partial<Record<FamilyName, string[]>> = {
  // bit4id's Linux package: /usr/lib/bit4id/libbit4xpki.so (rubrica's Bit4idGenericLinuxKeyStoreProvider)
  'bit4id xPKI': ['/usr/lib/bit4id'],
  // Athena's Linux package: /usr/lib/x64-athena/libASEP11.so (firmador's token/Utils.java)
  'Athena IDProtect': ['/usr/lib/x64-athena'],
  SoftHSM2: ['/usr/lib/softhsm', '/usr/lib/x86_64-linux-gnu/softhsm'],
};

/**
 * macOS folders, per family.
 * - OpenSC's .dmg: /Library/OpenSC/lib, copies in /usr/local/lib (MacOSX/scripts/postinstall;
 *   wiki "macOS Quick Start"); Homebrew's formula on Apple silicon: /opt/homebrew/lib.
 * - bit4id: /Library/bit4id/pkcs11 (its macOS installer; named by several signing tools);
 *   /usr/local/lib in older guides.
 * - Athena: /Library/Application Support/Athena (firmador's token/Utils.java), /usr/local/lib.
 */
const DARWIN_DIRS: Record<FamilyName, string[]> = {
  OpenSC: ['/Library/OpenSC/lib', '/usr/local/lib', '/opt/homebrew/lib'],
  'bit4id xPKI': ['/Library/bit4id/pkcs11', '/usr/local/lib'],
  'Athena IDProtect': ['/Library/Application Support/Athena', '/usr/local/lib'],
  SoftHSM2: ['/opt/homebrew/lib/softhsm', '/usr/local/lib/softhsm'],
};

type Env = Record<string, string | undefined>;

/** Windows' own folders from its environment, with the defaults of an ordinary installation. */
export function windowsFolders(env: Env): { system: string; programFiles: string; programFilesX86: string } {
  const get = (k: string): string | undefined => {
    // the environment of a Windows process is case-insensitive; a copy of it may not be
    const hit = Object.keys(env).find((n) => n.toLowerCase() === k.toLowerCase());
    const v = hit === undefined ? undefined : env[hit];
    return v && win32.isAbsolute(v) ? v : undefined;
  };
  return {
    system: get('SystemRoot') ?? get('windir') ?? 'C:\\Windows',
    // ProgramW6432 is the 64-bit folder even for a 32-bit process (where ProgramFiles is the x86 one)
    programFiles: get('ProgramW6432') ?? get('ProgramFiles') ?? 'C:\\Program Files',
    programFilesX86: get('ProgramFiles(x86)') ?? 'C:\\Program Files (x86)',
  };
}

/**
 * Windows locations, per family.
 * - OpenSC's .msi (win32/OpenSC.wxs, win32/winconfig.h): `<ProgramFiles>\OpenSC Project\OpenSC\pkcs11\`
 *   for the 64-bit package, `OpenSC_arm64` for the ARM one, and the 32-bit package in
 *   Program Files (x86) (OpenSC wiki: "Windows 64 Bit with Firefox 32 Bit").
 * - bit4id and Athena install into the system folder: `System32\bit4xpki.dll`,
 *   `System32\asepkcs.dll` (firmador's token/Utils.java: `%SystemRoot%\System32\asepkcs.dll`);
 *   their 32-bit builds land in SysWOW64.
 */
function windowsModules(env: Env): KnownModule[] {
  const { join } = win32;
  const w = windowsFolders(env);
  const opensc = (root: string, dir: string): string => join(root, 'OpenSC Project', dir, 'pkcs11', 'opensc-pkcs11.dll');
  return [
    { family: 'OpenSC', path: opensc(w.programFiles, 'OpenSC') },
    { family: 'OpenSC', path: opensc(w.programFiles, 'OpenSC_arm64') },
    { family: 'OpenSC', path: opensc(w.programFilesX86, 'OpenSC'), arch32: true },
    { family: 'bit4id xPKI', path: join(w.system, 'System32', 'bit4xpki.dll') },
    { family: 'bit4id xPKI', path: join(w.system, 'SysWOW64', 'bit4xpki.dll'), arch32: true },
    { family: 'Athena IDProtect', path: join(w.system, 'System32', 'asepkcs.dll') },
    { family: 'Athena IDProtect', path: join(w.system, 'SysWOW64', 'asepkcs.dll'), arch32: true },
  ];
}

/** The first library name of a family on a system: the one cns registers. */
function mainFile(family: FamilyName, platform: OsPlatform): string | undefined {
  return MODULE_FILES[platform][family][0];
}

/** Every place a middleware's library may be on this system, most likely first (OpenSC, bit4id, Athena, SoftHSM2). */
export function knownModules(platform: OsPlatform, env: Env = {}): KnownModule[] {
  if (platform === 'win32') return windowsModules(env);
  const families: FamilyName[] = [...CARD_FAMILIES, 'SoftHSM2'];
  const out: KnownModule[] = [];
  for (const family of families) {
    const file = mainFile(family, platform);
    if (!file) continue;
    const dirs = platform === 'darwin' ? DARWIN_DIRS[family] : [...LINUX_LIB_DIRS, ...(LINUX_OWN_DIRS[family] ?? [])];
    for (const d of dirs) out.push({ family, path: posix.join(d, file) });
  }
  return out;
}

/** Which family a library file is on this system (by its name; letter case ignored where the system ignores it). */
export function familyOfFile(path: string, platform: OsPlatform): FamilyName | undefined {
  const base = platform === 'win32' ? win32.basename(path) : posix.basename(path);
  const same = (a: string, b: string): boolean => (platform === 'linux' ? a === b : a.toLowerCase() === b.toLowerCase());
  const all = Object.entries(MODULE_FILES[platform]) as [FamilyName, string[]][];
  return all.find(([, files]) => files.some((f) => same(f, base)))?.[0];
}

/** The system this process runs on, as the tables name it (anything else reads as Linux). */
export function hostPlatform(platform: string = process.platform): OsPlatform {
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}
