import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toHex } from '../src/apdu/bytes.js';
import type { Transport } from '../src/apdu/transport.js';
import type { VirtualCard } from '../src/sim/card.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'cns.js');

export function tempDir(prefix = 'cns-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A transport straight onto a VirtualCard, recording every APDU. */
export function cardTransport(card: VirtualCard, log: string[] = []): Transport {
  return {
    name: 'test',
    atr: () => card.atr,
    transmit: async (b) => {
      log.push(toHex(b));
      return card.transmit(b);
    },
    close: async () => {},
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any; // test-side parsing of the JSON contract
}

/** The longest a test lets one run of the tool take before it is killed and said so (issue 23 item 13). */
export const RUN_TIMEOUT_MS = 60_000;

/** Run the real executable, as a user would, with no TTY; killed after `timeoutMs`, said in its stderr. */
export function cns(
  args: string[],
  opts: {
    input?: string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** The process, as soon as it runs (to signal it). */
    onStart?: (child: ChildProcess) => void;
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      LANG: 'C.UTF-8',
      LC_ALL: undefined,
      LC_MESSAGES: undefined,
      NO_COLOR: '1',
      ...opts.env,
    };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? RUN_TIMEOUT_MS);
    opts.onStart?.(child);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[test] cns ${args.join(' ')} killed after ${opts.timeoutMs ?? RUN_TIMEOUT_MS} ms\n`;
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The single executable for this machine (scripts/sea.mjs), built once per test file into a
 * temporary folder from the current build: ~100 MB, never kept.
 */
let seaBuilt: string | undefined;
export function seaExecutable(): string {
  if (seaBuilt) return seaBuilt;
  const dir = tempDir('cns-sea-');
  const target = `${process.platform}-${process.arch}`;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'sea.mjs'), dir, '--targets', target], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`scripts/sea.mjs failed (${r.status}): ${r.stderr}`);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  seaBuilt = join(dir, `cns-${target}`);
  return seaBuilt;
}
