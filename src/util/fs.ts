import {
  closeSync,
  existsSync,
  constants as fsConstants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A small text file someone else may have planted (a browser's profiles.ini, pkcs11.txt): read
 * only when it is a regular file of at most `maxBytes`. Opened without blocking, so a FIFO cannot
 * hang the tool; a device, a FIFO or a folder is refused (code ENOTREG), so is a larger file (EFBIG).
 */
export function readSmallFile(path: string, maxBytes: number): string {
  const fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOCTTY ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
    if (st.size > maxBytes) throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), { code: 'EFBIG', path });
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Why a file in a folder the tool is about to change must not be written (a symbolic link it did
 * not create, or not a regular file), or null when it is absent or a plain file.
 */
export function unsafeToWrite(path: string): 'symlink' | 'not-file' | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) return 'symlink';
  return st.isFile() ? null : 'not-file';
}

/** Where a write to `path` must land: through a symbolic link to its target. */
export function writeTarget(path: string): string {
  return existsSync(path) ? realpathSync(path) : path;
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files of `target` left by processes that died between writing and renaming them. */
function removeStaleTemps(target: string): void {
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(`${base}.`) ? /\.(\d+)\.tmp$/.exec(n) : null;
    if (m && n === `${base}.${m[1]}.tmp` && !processAlive(Number(m[1]))) {
      try {
        unlinkSync(join(dirname(target), n));
      } catch {
        /* another process cleaned it */
      }
    }
  }
}

/**
 * Write a file so that a crash leaves either the old or the new content: a temp file beside the
 * target, fsync, rename. Through a symbolic link the target is written, never the link replaced;
 * a file whose permissions make it read-only is not rewritten (EROFS); a temp file is removed on
 * every way out of this function, and temp files of dead processes are removed before writing.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, o: { followLink?: boolean } = {}): void {
  // a card image named through a link is the card it points to (the user's own alias); any
  // other file is never written through a link the tool did not create
  if (!o.followLink) refuseLink(path);
  const target = o.followLink ? writeTarget(path) : path;
  if (existsSync(target) && (statSync(target).mode & 0o222) === 0) {
    const e = new Error(`${target} is read-only`) as NodeJS.ErrnoException;
    e.code = 'EROFS';
    e.path = target;
    e.syscall = 'write';
    throw e;
  }
  removeStaleTemps(target);
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    const fd = openExclusive(tmp, mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or renamed */
    }
    throw e;
  }
}

/** A new file, never through anything already there: what is in the way (a planted link) is removed, not followed. */
function openExclusive(path: string, mode: number): number {
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);
  try {
    return openSync(path, flags, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    unlinkSync(path);
    return openSync(path, flags, mode);
  }
}

/** Throw (ELOOP, with the path) when `path` is a symbolic link: nothing is written through one. */
export function refuseLink(path: string): void {
  if (unsafeToWrite(path) !== 'symlink') return;
  const e = new Error(`${path} is a symbolic link: refused`) as NodeJS.ErrnoException;
  e.code = 'ELOOP';
  e.path = path;
  e.syscall = 'write';
  throw e;
}
