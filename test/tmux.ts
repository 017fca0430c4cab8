import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Whether a system tool exists. In CI a missing tool is a failure, never a silent skip. */
export function haveTool(name: string): boolean {
  const ok = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!ok && process.env.CI) throw new Error(`${name} is required in CI (see .ci/run)`);
  if (!ok) process.stderr.write(`\n*** SKIPPING tests that need ${name}: install it (apt-get install ${name}) to run them ***\n\n`);
  return ok;
}

/**
 * The tests' own tmux server (one per test process, -L): another tmux user on the machine, or its
 * `tmux kill-server`, cannot take a test's terminal away (seen: "can't find pane" in CI while a
 * person used tmux on the same machine).
 */
const SERVER = ['-L', `cns-test-${process.pid}`];

/** A terminal program driven like a person would: tmux send-keys and capture-pane. */
export class TmuxSession {
  readonly name = `cns-${randomBytes(4).toString('hex')}`;

  constructor(command: string, env: Record<string, string> = {}) {
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}';`)
      .join(' ');
    // a tmux server that is just exiting (the previous session was the last one) refuses a new
    // session with "server exited unexpectedly": start it again on a fresh server
    for (let attempt = 1; ; attempt++) {
      try {
        execFileSync('tmux', [
          ...SERVER,
          'new-session',
          '-d',
          '-s',
          this.name,
          '-x',
          '150',
          '-y',
          '40',
          `${exports} ${command}; echo "EXIT=$?"; sleep 60`,
        ]);
        break;
      } catch (e) {
        if (attempt >= 5 || !/server exited unexpectedly/.test(String((e as { stderr?: unknown }).stderr ?? e))) throw e;
        execFileSync('sleep', ['0.2']);
      }
    }
    // keep the screen readable even if Ctrl-C also ends the shell around the program
    execFileSync('tmux', [...SERVER, 'set-option', '-t', this.name, 'remain-on-exit', 'on']);
  }

  screen(): string {
    return execFileSync('tmux', [...SERVER, 'capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
  }

  /** Everything the program printed, the scrollback included. */
  history(): string {
    return execFileSync('tmux', [...SERVER, 'capture-pane', '-p', '-S', '-', '-t', this.name], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', [...SERVER, 'send-keys', '-t', this.name, ...keys]);
  }

  type(text: string): void {
    execFileSync('tmux', [...SERVER, 'send-keys', '-t', this.name, '-l', text]);
    this.keys('Enter');
  }

  async waitFor(re: RegExp, timeoutMs = 10000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (re.test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${re} on screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async exitCode(): Promise<number> {
    const s = await this.waitFor(/EXIT=\d+/);
    return Number(/EXIT=(\d+)/.exec(s)![1]);
  }

  kill(): void {
    spawnSync('tmux', [...SERVER, 'kill-session', '-t', this.name]);
  }
}
