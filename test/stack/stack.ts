import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
// @ts-expect-error -- plain JavaScript module shared with the README's demo commands
import * as stackModule from '../../scripts/test-stack.mjs';
import { cns, tempDir } from '../helpers.js';

export const stack = stackModule as {
  attach(image: string, port?: number, extra?: string[]): Promise<number>;
  detach(port?: number, signal?: string): Promise<void>;
  startPcscd(): Promise<number>;
  stopPcscd(): Promise<void>;
  STATE_DIR: string;
};

export const STACK_OK = inject('stack').ok;
/** OpenSC's PKCS#11 module; CNS_OPENSC_MODULE points at another build (with its tools first in PATH). */
export const OPENSC_MODULE = process.env.CNS_OPENSC_MODULE ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
export const READER0 = 'Virtual PCD 00 00';
export const READER1 = 'Virtual PCD 00 01';

const dir = tempDir('cns-stack-');
let n = 0;

export async function makeCard(...extra: string[]): Promise<string> {
  const path = join(dir, `card-${++n}.json`);
  const r = await cns(['sim', 'create', path, ...extra]);
  if (r.code !== 0) throw new Error(r.stderr);
  return path;
}

/** The certificate as stored in the image (EF 1101 up to the DER length). */
export function imageCertificate(image: string): Buffer {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { files: { path: string; data?: string }[] };
  const ef = Buffer.from(j.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
  const len = ef[1]! & 0x80 ? 4 + ef.readUInt16BE(2) : 2 + ef[1]!;
  return ef.subarray(0, len);
}

/** The ATR the image answers with, in hex capitals. */
export function imageAtr(image: string): string {
  return (JSON.parse(readFileSync(image, 'utf8')) as { atr: string }).atr.replace(/\s/g, '').toUpperCase();
}

export function imageCounters(image: string): { pin: number; puk: number; pinValue: string } {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { pin: { triesLeft: number; value: string }; puk: { triesLeft: number } };
  return { pin: j.pin.triesLeft, puk: j.puk.triesLeft, pinValue: j.pin.value };
}

/** Run one of OpenSC's tools (an independent CNS implementation). */
export function opensc(tool: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Start `cns watch`, collecting its JSON lines. */
export function watch(
  args: string[] = [],
  env: Record<string, string> = {},
): {
  lines: () => Record<string, unknown>[];
  waitFor: (event: string, n?: number) => Promise<Record<string, unknown>>;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
} {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'cns.js'), 'watch', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  const lines = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    async waitFor(event, count = 1) {
      const end = Date.now() + 15000;
      for (;;) {
        const hits = lines().filter((l) => l.event === event);
        if (hits.length >= count) return hits[count - 1]!;
        if (Date.now() > end) throw new Error(`no ${event} event; got:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
