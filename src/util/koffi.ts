import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { seaKoffi } from './sea.js';

export type KoffiModule = typeof import('koffi');

let cached: KoffiModule | undefined;

/** The machine names musl gives its dynamic loader, /lib/ld-musl-<name>.so.1, by Node's arch. */
const MUSL_ARCH: Record<string, string> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ia32: 'i386',
  arm: 'armhf',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
};

/**
 * koffi's native module for glibc Linux (`@koromix/koffi-linux-<arch>/linux_<arch>/koffi.node`),
 * or undefined where it is not known to be the right one. A musl system always has its loader at
 * /lib/ld-musl-<arch>.so.1; a glibc system that has musl installed as well only takes the slower,
 * exact way through koffi's entry.
 */
export function glibcKoffiModule(platform: string, arch: string, exists: (path: string) => boolean): string | undefined {
  const musl = MUSL_ARCH[arch];
  if (platform !== 'linux' || musl === undefined || exists(`/lib/ld-musl-${musl}.so.1`)) return undefined;
  return `@koromix/koffi-linux-${arch}/linux_${arch}/koffi.node`;
}

/**
 * koffi, the C FFI that reaches the PC/SC library and flock(2). koffi's own entry finds its
 * prebuilt native module by resolving its platform package and reading the ELF header of the
 * Node binary to tell glibc from musl: ~4 ms of every command that touches a reader (issue 15).
 * On Linux with glibc the native module is that package's `linux_<arch>/koffi.node`, and it is the
 * whole API cns uses; it is loaded directly. Anything else (musl, another system, a layout
 * that differs) goes through koffi's entry as before. Throws what require('koffi') throws.
 */
export function requireKoffi(): KoffiModule {
  if (cached) return cached;
  // the single executable carries the native module itself
  const fromSea = seaKoffi();
  if (fromSea) {
    cached = fromSea as KoffiModule;
    return cached;
  }
  const require = createRequire(import.meta.url);
  const direct = glibcKoffiModule(process.platform, process.arch, existsSync);
  if (direct) {
    try {
      const native = require(direct) as Partial<KoffiModule>;
      if (typeof native.load === 'function' && typeof native.struct === 'function' && typeof native.version === 'string') {
        cached = native as KoffiModule;
        return cached;
      }
    } catch {
      // not this layout: koffi's entry knows
    }
  }
  cached = require('koffi') as KoffiModule;
  return cached;
}
