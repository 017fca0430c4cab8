import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const target = writeTarget(path);
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
    const fd = openSync(tmp, 'w', mode);
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
