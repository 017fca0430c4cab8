import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type FamilyName, familyOfFile, hostPlatform, knownModules, LINUX_LIB_DIRS, type OsPlatform } from './moduleTable.js';

export interface ModuleInfo {
  name: string;
  path: string;
  source: 'p11-kit' | 'known-path';
  /** The middleware this module is, where known (which CNS generations it serves). */
  middleware?: string;
  /** A 32-bit build on 64-bit Windows: a 64-bit program (Firefox, cns) cannot load it. */
  arch32?: boolean;
}

export const P11KIT_DIRS = ['/etc/pkcs11/modules', '/usr/share/p11-kit/modules'];

/** Middleware used with TS-CNS cards (docs/card.md), by family (file names and places: moduleTable.ts). */
const MIDDLEWARE: Record<FamilyName, string> = {
  OpenSC: 'OpenSC (all CNS its itacns driver recognises)',
  'bit4id xPKI': 'bit4id xPKI (OT, ID, ACe/ACx generations)',
  'Athena IDProtect': 'Athena IDProtect (AC 2014/2018 generations)',
  SoftHSM2: 'SoftHSM2 (software token, not a card)',
};

/** The p11-kit module files in `dirs`: file name, text, and the library its `module:` line names. */
export function p11kitModuleFiles(dirs: string[] = P11KIT_DIRS): { file: string; text: string; module: string }[] {
  const out: { file: string; text: string; module: string }[] = [];
  for (const dir of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.module'));
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        const text = readFileSync(join(dir, f), 'utf8');
        const m = /^\s*module\s*:\s*(\S+)/m.exec(text);
        if (m) out.push({ file: f, text, module: m[1]! });
      } catch {
        /* unreadable module file: skip */
      }
    }
  }
  return out;
}

export interface DiscoverOptions {
  platform?: OsPlatform;
  /** The environment Windows' folders come from (SystemRoot, ProgramFiles...). */
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  p11kitDirs?: string[];
}

/**
 * PKCS#11 modules installed here: p11-kit module files (Linux), then the places each
 * middleware's installer uses on this system (moduleTable.ts).
 */
export function discoverModules(o: DiscoverOptions = {}): ModuleInfo[] {
  const platform = o.platform ?? hostPlatform();
  const exists = o.exists ?? existsSync;
  const out: ModuleInfo[] = [];
  const seen = new Set<string>();
  const add = (m: ModuleInfo): void => {
    if (!exists(m.path)) return;
    let real = m.path;
    try {
      real = realpathSync(m.path); // Debian links the same library from several places
    } catch {
      /* a path only the caller's `exists` knows */
    }
    const key = platform === 'linux' ? real : real.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    out.push(m);
  };
  if (platform === 'linux') {
    for (const { file, module } of p11kitModuleFiles(o.p11kitDirs)) {
      const path = isAbsolute(module)
        ? module
        : (LINUX_LIB_DIRS.map((d) => join(d, module)).find((p) => exists(p)) ?? join('/usr/lib/x86_64-linux-gnu/pkcs11', module));
      const family = familyOfFile(path, 'linux');
      add({
        name: family ?? file.replace(/\.module$/, ''),
        path,
        source: 'p11-kit',
        middleware: family ? MIDDLEWARE[family] : undefined,
      });
    }
  }
  for (const k of knownModules(platform, o.env ?? process.env)) {
    add({ name: k.family, path: k.path, source: 'known-path', middleware: MIDDLEWARE[k.family], ...(k.arch32 ? { arch32: true } : {}) });
  }
  return out;
}

/** The module to use without --module: a CNS middleware (OpenSC first), never SoftHSM. */
export function defaultModule(mods: ModuleInfo[] = discoverModules()): ModuleInfo | undefined {
  const order = ['OpenSC', 'bit4id xPKI', 'Athena IDProtect'];
  for (const name of order) {
    // a 64-bit cns cannot load a 32-bit build (Windows' Program Files (x86), SysWOW64)
    const m = mods.find((x) => x.name === name && !x.arch32);
    if (m) return m;
  }
  return undefined;
}
