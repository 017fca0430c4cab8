import { createRequire } from 'node:module';

export type KoffiModule = typeof import('koffi');

let cached: KoffiModule | undefined;

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
  const require = createRequire(import.meta.url);
  if (process.platform === 'linux') {
    try {
      const native = require(`@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`) as Partial<KoffiModule>;
      if (typeof native.load === 'function' && typeof native.struct === 'function' && typeof native.version === 'string') {
        cached = native as KoffiModule;
        return cached;
      }
    } catch {
      // not this layout, or not glibc: koffi's entry knows
    }
  }
  cached = require('koffi') as KoffiModule;
  return cached;
}
