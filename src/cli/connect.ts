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
  return openPcsc(ctx, spec.name);
}

function readerList(readers: { index: number; name: string }[]): string {
  return readers.map((r) => `${r.index}: "${r.name}"`).join(', ');
}

/** Pick the reader (see selectReader) and connect to its card exclusively. */
async function openPcsc(ctx: Context, name: string | undefined): Promise<Transport> {
  const { PcscClient } = await import('../pcsc/client.js');
  const { selectReader } = await import('../pcsc/select.js');
  const { decodeAtr } = await import('../card/atr.js');
  const client = PcscClient.open();
  try {
    const readers = await client.readerStates();
    const sel = selectReader(readers, name, (atr) => decodeAtr(atr).isCns);
    switch (sel.kind) {
      case 'ok':
        return await client.connect(sel.reader.name);
      case 'not-cns':
        return await client.connect(sel.reader.name);
      case 'no-readers':
        throw new CliError('NO_READER');
      case 'unknown-reader':
        throw new CliError('READER_UNKNOWN', { reader: name ?? '', list: readerList(sel.readers) });
      case 'ambiguous':
        throw new CliError('READER_AMBIGUOUS', { list: readerList(sel.candidates) });
      case 'no-card':
        throw new CliError('NO_CARD', { detail: sel.reader ? ctx.t('noCardIn', { reader: sel.reader.name }) : ctx.t('noCardAnywhere') });
    }
  } catch (e) {
    client.close();
    throw e;
  }
}

/** Open the card, hold it for `fn` (one transaction), always release it. */
export async function withCard<T>(ctx: Context, fn: (s: CnsSession) => Promise<T>): Promise<T> {
  const transport = await openTransport(ctx);
  try {
    await transport.beginTransaction();
    const session = new CnsSession(transport, ctx.tracer);
    try {
      if (!session.atrInfo.isCns) {
        throw new CliError('CARD_UNSUPPORTED', { detail: session.atrInfo.reason === 'cie' ? 'an Italian CIE, not a CNS' : 'the ATR does not say CNS', atr: session.atrInfo.atr });
      }
      const out = await fn(session);
      if (session.securityStateChanged) transport.resetOnClose = true;
      return out;
    } catch (e) {
      if (session.securityStateChanged) transport.resetOnClose = true;
      throw e;
    } finally {
      await transport.endTransaction().catch(() => {});
    }
  } finally {
    await transport.close().catch(() => {});
  }
}
