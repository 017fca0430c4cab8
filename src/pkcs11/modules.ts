import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';

export interface ModuleInfo {
  name: string;
  path: string;
  source: 'p11-kit' | 'known-path';
  /** The middleware this module is, where known (which CNS generations it serves). */
  middleware?: string;
}

export const P11KIT_DIRS = ['/etc/pkcs11/modules', '/usr/share/p11-kit/modules'];
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
  '/usr/lib/pkcs11',
  '/usr/lib/x86_64-linux-gnu/pkcs11',
];

/** Middleware used with TS-CNS cards (docs/card.md), by library file name. */
const KNOWN: { file: string; name: string; middleware: string }[] = [
  { file: 'opensc-pkcs11.so', name: 'OpenSC', middleware: 'OpenSC (all CNS its itacns driver recognises)' },
  { file: 'libbit4xpki.so', name: 'bit4id xPKI', middleware: 'bit4id xPKI (OT, ID, ACe/ACx generations)' },
  { file: 'libASEP11.so', name: 'Athena IDProtect', middleware: 'Athena IDProtect (AC 2014/2018 generations)' },
  { file: 'libsofthsm2.so', name: 'SoftHSM2', middleware: 'SoftHSM2 (software token, not a card)' },
];

function known(path: string): (typeof KNOWN)[number] | undefined {
  return KNOWN.find((k) => basename(path) === k.file);
}

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

/** PKCS#11 modules installed here: p11-kit module files, then the known library paths. */
export function discoverModules(): ModuleInfo[] {
  const out: ModuleInfo[] = [];
  const seen = new Set<string>();
  const add = (m: ModuleInfo): void => {
    if (!existsSync(m.path)) return;
    const real = realpathSync(m.path); // Debian links the same library from several places
    if (seen.has(real)) return;
    seen.add(real);
    out.push(m);
  };
  for (const { file, module } of p11kitModuleFiles()) {
    const path = isAbsolute(module)
      ? module
      : (LIB_DIRS.map((d) => join(d, module)).find((p) => existsSync(p)) ?? join('/usr/lib/x86_64-linux-gnu/pkcs11', module));
    const k = known(path);
    add({ name: k?.name ?? file.replace(/\.module$/, ''), path, source: 'p11-kit', middleware: k?.middleware });
  }
  for (const k of KNOWN) {
    for (const d of [...LIB_DIRS, '/usr/lib/softhsm'])
      add({ name: k.name, path: join(d, k.file), source: 'known-path', middleware: k.middleware });
  }
  return out;
}

/** The module to use without --module: a CNS middleware (OpenSC first), never SoftHSM. */
export function defaultModule(mods: ModuleInfo[] = discoverModules()): ModuleInfo | undefined {
  const order = ['OpenSC', 'bit4id xPKI', 'Athena IDProtect'];
  for (const name of order) {
    const m = mods.find((x) => x.name === name);
    if (m) return m;
  }
  return undefined;
}
