import { requireKoffi } from './koffi.js';

/**
 * An exclusive kernel lock on an open file, taken without waiting. The kernel drops it when the
 * process ends, however it ends: a lock is never left behind by a dead process, and two processes
 * never both hold it.
 */
export interface FileLocker {
  /** true: taken; false: another process holds it. */
  tryLock(fd: number): boolean;
  unlock(fd: number): void;
}

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** flock(2) from the C library. */
function unixLocker(): FileLocker {
  const f = requireKoffi().load(null).func('int flock(int fd, int operation)');
  return {
    tryLock: (fd) => Number(f(fd, LOCK_EX | LOCK_NB)) === 0,
    unlock: (fd) => {
      f(fd, LOCK_UN);
    },
  };
}

const LOCKFILE_FAIL_IMMEDIATELY = 1;
const LOCKFILE_EXCLUSIVE_LOCK = 2;
/**
 * Windows' byte-range locks are mandatory: nobody else can read a locked byte. The lock is on one
 * byte far beyond anything written (at 2^40), so the owner's line at the start stays readable by
 * whoever is waiting. Locking past the end of a file is allowed and does not grow it.
 */
const LOCK_OFFSET_HIGH = 0x100;

/**
 * LockFileEx/UnlockFileEx from kernel32, on the file's handle. Node's descriptors on Windows are
 * libuv's: uv_get_osfhandle, exported by node.exe (and by a single executable built from it, as
 * for native add-ons), turns one into its HANDLE.
 */
function windowsLocker(): FileLocker {
  const koffi = requireKoffi();
  const OVERLAPPED = koffi.struct('cns_OVERLAPPED', {
    Internal: 'uintptr_t',
    InternalHigh: 'uintptr_t',
    Offset: 'uint32_t',
    OffsetHigh: 'uint32_t',
    hEvent: 'void *',
  });
  const k32 = koffi.load('kernel32.dll');
  const lockFileEx = k32.func('__stdcall', 'LockFileEx', 'int', [
    'void *',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    koffi.pointer(OVERLAPPED),
  ]);
  const unlockFileEx = k32.func('__stdcall', 'UnlockFileEx', 'int', [
    'void *',
    'uint32_t',
    'uint32_t',
    'uint32_t',
    koffi.pointer(OVERLAPPED),
  ]);
  const osHandle = koffi.load(process.execPath).func('void * uv_get_osfhandle(int fd)');
  const overlapped = () => ({ Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: LOCK_OFFSET_HIGH, hEvent: null });
  return {
    tryLock: (fd) => Number(lockFileEx(osHandle(fd), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, overlapped())) !== 0,
    unlock: (fd) => {
      unlockFileEx(osHandle(fd), 0, 1, 0, overlapped());
    },
  };
}

let cached: FileLocker | null | undefined;

/** The system's file lock, or null where it cannot be reached (koffi missing, an unknown system). */
export function fileLocker(): FileLocker | null {
  if (cached !== undefined) return cached;
  try {
    cached = process.platform === 'win32' ? windowsLocker() : unixLocker();
  } catch {
    cached = null;
  }
  return cached;
}
