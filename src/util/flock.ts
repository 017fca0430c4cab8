import { requireKoffi } from './koffi.js';

let flockFn: ((fd: number, op: number) => number) | null | undefined;

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** flock(2) from the C library through koffi; null where there is none (Windows) or koffi is missing. */
function load(): ((fd: number, op: number) => number) | null {
  if (flockFn !== undefined) return flockFn;
  flockFn = null;
  if (process.platform === 'win32') return null;
  try {
    const koffi = requireKoffi();
    const f = koffi.load(null).func('int flock(int fd, int operation)');
    flockFn = (fd, op) => Number(f(fd, op));
  } catch {
    flockFn = null;
  }
  return flockFn;
}

/**
 * Try to take an exclusive kernel lock on an open file, without waiting. The kernel drops it when
 * the process ends, however it ends: a lock can never be left behind by a dead process, and two
 * processes can never both hold it. undefined: no flock on this platform.
 */
export function tryLockFile(fd: number): boolean | undefined {
  const f = load();
  if (!f) return undefined;
  return f(fd, LOCK_EX | LOCK_NB) === 0;
}

export function unlockFile(fd: number): void {
  load()?.(fd, LOCK_UN);
}
