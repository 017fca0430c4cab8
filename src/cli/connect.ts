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

/** What every backend offers the commands: the card application's operations. */
export type CardAccess = CnsSession | import('../pkcs11/card.js').Pkcs11Card;

/** The card through a PKCS#11 module (--backend pkcs11, --module, or the fallback). */
async function openPkcs11(ctx: Context): Promise<{ card: CardAccess; close: () => Promise<void> }> {
  const { discoverModules, defaultModule } = await import('../pkcs11/modules.js');
  const modulePath = ctx.opts.module ?? defaultModule(discoverModules())?.path;
  if (!modulePath) throw new CliError('PKCS11_UNAVAILABLE', { detail: ctx.t('noPkcs11Module') });
  const { Pkcs11Client } = await import('../pkcs11/client.js');
  const { Pkcs11Card } = await import('../pkcs11/card.js');
  const { client, info } = await Pkcs11Client.open(modulePath);
  try {
    const slots = await client.slots();
    const describe = (l: typeof slots): string => l.map((s) => `${s.index}: "${s.description}"${s.token ? ` [${s.token.label}]` : ''}`).join(', ');
    let slot = slots.find(() => false);
    if (ctx.reader !== undefined) {
      const { matchSpec } = await import('../pcsc/select.js');
      const m = matchSpec(slots, ctx.reader, (s) => [s.description, s.token?.label ?? '', s.token?.serialNumber ?? ''].filter(Boolean));
      if (m.kind === 'ambiguous') throw new CliError('READER_AMBIGUOUS', { list: describe(m.list) });
      if (m.kind === 'none') throw new CliError('READER_UNKNOWN', { reader: ctx.reader, list: describe(slots) });
      slot = m.item;
    } else {
      // an uninitialised token (SoftHSM always offers one) is not a card to use
      const present = slots.filter((s) => s.tokenPresent);
      const initialised = present.filter((s) => !s.token || (s.token.flags & 0x400) !== 0);
      const withToken = initialised.length ? initialised : present;
      if (withToken.length > 1) throw new CliError('READER_AMBIGUOUS', { list: describe(withToken) });
      slot = withToken[0];
      if (!slot) throw slots.length ? new CliError('NO_CARD', { detail: ctx.t('noCardAnywhere') }) : new CliError('NO_READER');
    }
    if (!slot.tokenPresent) throw new CliError('NO_CARD', { detail: ctx.t('noCardIn', { reader: slot.description }) });
    if (slot.tokenError === 'CKR_TOKEN_NOT_RECOGNIZED') {
      throw new CliError('CARD_UNSUPPORTED', { detail: `${info.description} does not recognise the card in "${slot.description}"`, atr: '-' });
    }
    if (!slot.token) throw new CliError('CARD_ERROR', { detail: slot.tokenError ?? 'no token information' });
    const card = new Pkcs11Card(client, slot, { path: modulePath, ...info });
    return { card, close: () => client.close() };
  } catch (e) {
    client.kill();
    throw e;
  }
}

async function openPcscOrSim(ctx: Context): Promise<{ card: CardAccess; close: () => Promise<void> }> {
  const transport = await openTransport(ctx);
  const session = new CnsSession(transport, ctx.tracer);
  const close = async (): Promise<void> => {
    if (session.securityStateChanged) transport.resetOnClose = true;
    await transport.endTransaction().catch(() => {});
    await transport.close().catch(() => {});
  };
  try {
    await transport.beginTransaction();
    if (!session.atrInfo.isCns) {
      throw new CliError('CARD_UNSUPPORTED', { detail: session.atrInfo.reason === 'cie' ? 'an Italian CIE, not a CNS' : 'the ATR does not say CNS', atr: session.atrInfo.atr });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { card: session, close };
}

/**
 * Which backend: `sim` readers in-process; --backend pkcs11 or --module: PKCS#11; otherwise
 * PC/SC, falling back to the default PKCS#11 module when PC/SC cannot reach any reader.
 */
async function openCard(ctx: Context): Promise<{ card: CardAccess; close: () => Promise<void> }> {
  const backend = ctx.opts.backend;
  if (backend !== undefined && backend !== 'pcsc' && backend !== 'pkcs11') throw new CliError('USAGE', { detail: `--backend must be pcsc or pkcs11, not ${backend}` });
  const sim = ctx.reader === 'sim' || ctx.reader?.startsWith('sim:');
  if (sim) {
    if (backend === 'pkcs11' || ctx.opts.module) throw new CliError('USAGE', { detail: 'the virtual card (--reader sim) is reached in-process, not through PKCS#11; attach it (cns sim attach) to use a module' });
    return openPcscOrSim(ctx);
  }
  if (backend === 'pkcs11' || (backend === undefined && ctx.opts.module)) return openPkcs11(ctx);
  try {
    return await openPcscOrSim(ctx);
  } catch (e) {
    const { toCliError } = await import('./render.js');
    const code = toCliError(e).code;
    if (backend === 'pcsc' || (code !== 'PCSC_UNAVAILABLE' && code !== 'NO_READER')) throw e;
    try {
      return await openPkcs11(ctx);
    } catch {
      throw e; // PKCS#11 could not help either: the PC/SC error is the one to act on
    }
  }
}

/** Open the card, hold it for `fn` (exclusively), always release it. */
export async function withCard<T>(ctx: Context, fn: (card: CardAccess) => Promise<T>): Promise<T> {
  const { card, close } = await openCard(ctx);
  try {
    return await fn(card);
  } finally {
    await close();
  }
}
