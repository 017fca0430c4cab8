import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // this file, two levels below the package (src/util, dist/util, dist/bundle): __filename in the
  // bundle (import.meta.url costs a URL there, ~0.5 ms)
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const require = createRequire(here);
  const direct = glibcKoffiModule(process.platform, process.arch, existsSync);
  if (direct) {
    try {
      // where npm puts it beside cns, by its path: resolving the package name walks node_modules
      // and reads package.json files (~1.3 ms, issue 27); anywhere else, resolved as before.
      // Opened with process.dlopen, as the single executable does (scripts/sea-entry.cjs), not
      // required: require's resolution of even a full path (real paths, the package scope's
      // package.json) cost ~1 ms more (paired A/B, 161 rounds: readers -1.07 ms [-1.35, -0.83],
      // cert check -1.01, status -0.79). Nothing else in this process loads koffi: this function
      // keeps the module, and its fallback to koffi's entry runs only when this way failed.
      const beside = join(dirname(here), '..', '..', 'node_modules', direct);
      let native: Partial<KoffiModule>;
      if (existsSync(beside)) {
        const m = { exports: {} as Partial<KoffiModule> };
        process.dlopen(m, beside);
        native = m.exports;
      } else native = require(direct) as Partial<KoffiModule>;
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

/**
 * glibc gives a thread that allocates while another holds the arena an arena of its own, and
 * keeps what each one grew to: a long-running process whose PC/SC calls run on libuv's threads
 * (cns watch) grew by ~1.5 MB per 100 insert/remove cycles early on, and ~1 MB per 500 later, while
 * its JavaScript heap stayed flat (issue 27; with MALLOC_ARENA_MAX=1 it stayed at its start). Asked
 * before those threads start, the threads that allocate later share the arenas there are already.
 * Linux with glibc only (mallopt's M_ARENA_MAX); elsewhere, or where it cannot be asked, nothing.
 */
export function fewerMallocArenas(): void {
  if (process.platform !== 'linux' || glibcKoffiModule(process.platform, process.arch, existsSync) === undefined) return;
  try {
    const mallopt = requireKoffi().load(null).func('int mallopt(int param, int value)');
    mallopt(-8 /* M_ARENA_MAX */, 1);
  } catch {
    // no koffi, no mallopt: the arenas as glibc makes them
  }
}

/** Node was asked to write a profile or coverage when the process ends: _exit would lose it. */
function nodeWritesAtExit(): boolean {
  return !!process.env.NODE_V8_COVERAGE || process.execArgv.some((a) => /^--(cpu|heap)-prof/.test(a));
}

/**
 * Ends the process with `code` at once, through the C library's _exit, when koffi is already
 * loaded (a command that used a reader) and not on Windows; otherwise returns and Node exits as
 * usual. For the last 'exit' listener, once everything was written (the CLI writes straight to
 * its descriptors): Node's own exit tears V8 down and joins its threads, ~1.7 ms, and 10-20 ms
 * more when one of them is still compiling hot code in the background (issue 27: measured between
 * the last write and exit_group). Also what a PC/SC call that never returns needs (winscard.ts).
 */
export function exitAtOnce(code: number): void {
  if (!cached || process.platform === 'win32' || nodeWritesAtExit()) return;
  try {
    cached.load(null).func('void _exit(int status)')(code);
  } catch {
    // nothing better to do: the normal exit goes on
  }
}
