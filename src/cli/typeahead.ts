import { spawnSync } from 'node:child_process';
import { requireKoffi } from '../util/koffi.js';

/**
 * Keys typed before a PIN prompt appears (while the card is read, a browser test starts) must
 * neither show on the screen nor become the PIN. From the moment a PIN will be asked, the
 * terminal's echo is off (the prompt draws its own masked input); right before each prompt
 * whatever was typed ahead is thrown away; echo comes back when the command ends, however it ends.
 */
let quiet = false;

function stty(arg: string): void {
  // the terminal's own tool, on the terminal itself (stdin), so that Ctrl-C keeps working
  spawnSync('stty', [arg], { stdio: ['inherit', 'ignore', 'ignore'], timeout: 2000 });
}

const restore = (): void => {
  if (!quiet) return;
  quiet = false;
  stty('echo');
};

/** Echo off on a terminal, until the process ends. */
export function quietTerminal(): void {
  if (quiet || process.platform === 'win32' || !process.stdin.isTTY) return;
  quiet = true;
  stty('-echo');
  process.once('exit', restore);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(sig, () => {
      restore();
      process.kill(process.pid, sig);
    });
}

let flushFn: ((fd: number, queue: number) => number) | null | undefined;

/** Throw away what was typed on the terminal and not read yet (tcflush, TCIFLUSH). */
export function discardTypeAhead(): void {
  if (process.platform === 'win32' || !process.stdin.isTTY) return;
  if (flushFn === undefined) {
    flushFn = null;
    try {
      const f = requireKoffi().load(null).func('int tcflush(int fd, int queue_selector)');
      flushFn = (fd, q) => Number(f(fd, q));
    } catch {
      flushFn = null;
    }
  }
  // TCIFLUSH is 0 on Linux, 1 on macOS and the BSDs
  flushFn?.(0, process.platform === 'linux' ? 0 : 1);
}
