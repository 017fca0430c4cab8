import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The CLI's output, written straight to file descriptors 1 and 2. Node builds process.stdout and
 * process.stderr on first use, and for a pipe that is a socket stream: ~2.5 ms of every start
 * (issue 15) for a few lines. Writes to them are synchronous on Linux anyway, so the order of
 * lines is the same whichever way a line goes. If a descriptor cannot take more without waiting
 * (EAGAIN, a non-blocking pipe that is full), the rest goes through Node's stream, which waits.
 * A closed pipe (`cns status | head -1`) is the reader's choice: the command ends quietly.
 */
type Fd = 1 | 2;
const viaStream: Record<Fd, boolean> = { 1: false, 2: false };

function streamOf(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

/** The reader closed the pipe: end with the code the command had, as a shell pipeline expects. */
export function pipeClosed(): never {
  process.exit(process.exitCode ?? 0);
}

function write(fd: Fd, data: string | Uint8Array): void {
  if (viaStream[fd]) {
    streamOf(fd).write(data);
    return;
  }
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') pipeClosed();
      if (code !== 'EAGAIN') throw e;
      viaStream[fd] = true;
      streamOf(fd).write(buf.subarray(off));
      return;
    }
  }
}

/** Standard output: the result. */
export function out(data: string | Uint8Array): void {
  write(1, data);
}

/** Standard error: notes, prompts' surroundings, errors. */
export function err(data: string | Uint8Array): void {
  write(2, data);
}

/**
 * Whether a standard descriptor is a terminal: what process.stdout.isTTY says, without building
 * the stream. A terminal is a character device; a pipe or a file is not, and is answered without
 * loading node:tty (which loads node:net: ~2 ms). A character device is asked to node:tty
 * (/dev/null is one, and not a terminal).
 */
let ttyIsatty: ((fd: number) => boolean) | undefined;

export function isTerminal(fd: 0 | 1 | 2): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    // /dev/null (1:3 on Linux), where cron and `> /dev/null` send output: not a terminal either
    if (process.platform === 'linux' && st.rdev === 0x103) return false;
  } catch {
    return false;
  }
  ttyIsatty ??= (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty;
  return ttyIsatty(fd);
}

let hooked = false;
const built: NodeJS.WriteStream[] = [];

/**
 * Waits until what was handed to Node's streams is written: the CLI ends with process.exit,
 * which would drop a write still queued on a pipe that was full.
 */
export async function drained(): Promise<void> {
  for (const s of built) {
    if (s.writableLength > 0 && !s.destroyed)
      await new Promise<void>((resolve) => {
        s.once('drain', resolve);
        s.once('close', resolve);
      });
  }
}

/**
 * Code that does use Node's streams (the prompts, a full pipe) gets the same closed-pipe rule:
 * the listener is added when a stream is first built, so a command that never needs one never
 * builds it.
 */
export function endQuietlyOnClosedPipe(): void {
  if (hooked) return;
  hooked = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const d = Object.getOwnPropertyDescriptor(process, name);
    const get = d?.get;
    if (!d || !get || !d.configurable) continue;
    let seen = false;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: d.enumerable,
      get() {
        const s = get.call(process) as NodeJS.WriteStream;
        if (!seen) {
          seen = true;
          built.push(s);
          s.on('error', (e: NodeJS.ErrnoException) => {
            if (e.code === 'EPIPE') pipeClosed();
            throw e;
          });
        }
        return s;
      },
    });
  }
}
