/**
 * What the single executable hands over (scripts/sea-entry.cjs): its files written to the user's
 * cache and checked by hash, and koffi's native module loaded from there. Undefined when cns runs
 * from an installation on disk.
 */
interface SeaHooks {
  __cnsSeaFile?: (name: string) => string;
  __cnsSeaKoffi?: () => unknown;
}

export function seaFile(name: string): string | undefined {
  return (globalThis as SeaHooks).__cnsSeaFile?.(name);
}

export function seaKoffi(): unknown {
  return (globalThis as SeaHooks).__cnsSeaKoffi?.();
}
