import { linkSync, mkdirSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Transport } from '../apdu/transport.js';
import { CnsSession } from '../card/session.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';

/** Where the demo card and later backups live: $XDG_STATE_HOME/cns (default ~/.local/state/cns). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'cns');
}

export function demoImagePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'demo-card.json');
}

export type ReaderSpec = { kind: 'sim'; path: string; demo: boolean } | { kind: 'pcsc'; name?: string };

export function parseReaderSpec(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): ReaderSpec {
  if (spec === 'sim') return { kind: 'sim', path: demoImagePath(env), demo: true };
  if (spec?.startsWith('sim:')) {
    const p = spec.slice(4);
    if (!p) throw new CliError('USAGE', { detail: '--reader sim:IMAGE needs the path of a card image' });
    return { kind: 'sim', path: resolve(p), demo: false };
  }
  return { kind: 'pcsc', name: spec };
}

/** The demo card: created on first use with the documented PIN 12345 and PUK 12345678. */
async function ensureDemoImage(path: string): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (existsSync(path)) return;
  const { createImage } = await import('../sim/create.js');
  const { saveImage } = await import('../sim/image.js');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { image } = await createImage({ label: 'cns demo card (PIN 12345, PUK 12345678)' });
  const tmp = `${path}.new.${process.pid}`;
  saveImage(tmp, image);
  try {
    linkSync(tmp, path); // fails if another process created it first: keep theirs
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

export async function openTransport(ctx: Context): Promise<Transport> {
  const spec = parseReaderSpec(ctx.reader, ctx.env);
  if (spec.kind === 'sim') {
    if (spec.demo) await ensureDemoImage(spec.path);
    const { SimTransport } = await import('../sim/transport.js');
    return SimTransport.open(spec.path);
  }
  throw new CliError('NO_READER', {}, { hint: 'PC/SC readers: not supported by this build yet; use --reader sim or --reader sim:IMAGE' });
}

/** Open the card, hold it for `fn` (one transaction), always release it. */
export async function withCard<T>(ctx: Context, fn: (s: CnsSession) => Promise<T>): Promise<T> {
  const transport = await openTransport(ctx);
  try {
    await transport.beginTransaction();
    try {
      const session = new CnsSession(transport, ctx.tracer);
      if (!session.atrInfo.isCns) {
        throw new CliError('CARD_UNSUPPORTED', { detail: session.atrInfo.reason === 'cie' ? 'an Italian CIE, not a CNS' : 'the ATR does not say CNS', atr: session.atrInfo.atr });
      }
      return await fn(session);
    } finally {
      await transport.endTransaction().catch(() => {});
    }
  } finally {
    await transport.close().catch(() => {});
  }
}
