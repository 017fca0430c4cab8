import { existsSync, linkSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApduTracer } from '../apdu/trace.js';
import type { Transport } from '../apdu/transport.js';
import type { Card } from '../card/card.js';
import { CnsSession } from '../card/session.js';
import type { PcscClient, PinPadInfo, ReaderState } from '../pcsc/client.js';

export type { PinPadInfo } from '../pcsc/client.js';

import { PcscUnavailableError } from '../pcsc/winscard.js';
import { DeviceError, type DeviceFault, deviceFault } from './errors.js';
import { demoImagePath } from './paths.js';

/** How to reach the card: which reader or slot, which backend, and where to trace APDUs. */
export interface OpenOptions {
  /** `--reader`: a PC/SC reader or PKCS#11 slot (name, unique part, index), `sim` or `sim:IMAGE`. */
  reader?: string;
  backend?: 'pcsc' | 'pkcs11';
  /** A PKCS#11 module path (implies the PKCS#11 backend unless `backend` says otherwise). */
  module?: string;
  tracer?: ApduTracer;
  env?: NodeJS.ProcessEnv;
  /** Open a card whose ATR does not say CNS too (diagnosis); by default it is refused. */
  anyCard?: boolean;
  /** Reset the card on release even if this command verified nothing (another program logged in). */
  resetOnRelease?: boolean;
}

/** A card held for one command, and how to let it go. */
export interface OpenCard {
  card: Card;
  close(): Promise<void>;
  /**
   * Set when PC/SC could not be used and the card was reached through the default PKCS#11 module
   * instead, without the user asking: what failed, so that the caller can say so before anything
   * (the module may not know the tries).
   */
  fallback?: { fault: DeviceFault; cause: unknown };
}

export type ReaderSpec = { kind: 'sim'; path: string; demo: boolean } | { kind: 'pcsc'; name?: string };

export function parseReaderSpec(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): ReaderSpec {
  if (spec === 'sim') return { kind: 'sim', path: demoImagePath(env), demo: true };
  if (spec?.startsWith('sim:')) {
    const p = spec.slice(4);
    if (!p) throw new DeviceError('BAD_READER_SPEC', { reader: spec });
    return { kind: 'sim', path: resolve(p), demo: false };
  }
  return { kind: 'pcsc', name: spec };
}

/** The demo card: created on first use with the documented PIN 12345 and PUK 12345678. */
async function ensureDemoImage(path: string): Promise<void> {
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

const listed = (items: { index: number; name: string }[]): string[] => items.map((r) => `${r.index}: "${r.name}"`);

/** A reader's state and, where it was asked for, its keypad (null: none). */
export type ReaderWithPad = ReaderState & { pinpad?: PinPadInfo | null };

/** Every PC/SC reader and its state, from a context opened and closed for the purpose. */
export async function readerStates(opts: { pinpads?: boolean } = {}): Promise<ReaderWithPad[]> {
  const { PcscClient } = await import('../pcsc/client.js');
  const client = await PcscClient.open();
  try {
    const states = await client.readerStates();
    if (!opts.pinpads) return states;
    const out: ReaderWithPad[] = [];
    for (const s of states) out.push({ ...s, pinpad: await client.readerPinpad(s.name).catch(() => null) });
    return out;
  } finally {
    client.close();
  }
}

/**
 * The readers a diagnosis looks at: every one with `all`; otherwise the one `--reader` names
 * (with or without a card), the only one with a CNS, or every candidate when several could be meant.
 */
export async function readersToExamine(name: string | undefined, all: boolean): Promise<string[]> {
  const states = await readerStates();
  if (all) return states.map((s) => s.name);
  const { selectReader } = await import('../pcsc/select.js');
  const { decodeAtr } = await import('../card/atr.js');
  const sel = selectReader(states, name, (a) => decodeAtr(a).isCns);
  switch (sel.kind) {
    case 'ok':
    case 'not-cns':
      return [sel.reader.name];
    case 'no-card':
      return sel.reader ? [sel.reader.name] : [];
    case 'ambiguous':
      return sel.candidates.map((c) => c.name);
    default:
      return [];
  }
}

/** Which reader `--reader` (or its absence) means: the only CNS, by default. */
async function pickReader(client: PcscClient, name: string | undefined): Promise<string> {
  const { selectReader } = await import('../pcsc/select.js');
  const { decodeAtr } = await import('../card/atr.js');
  const readers = await client.readerStates();
  const sel = selectReader(readers, name, (atr) => decodeAtr(atr).isCns);
  switch (sel.kind) {
    case 'ok':
    case 'not-cns':
      return sel.reader.name;
    case 'no-readers':
      throw new DeviceError('NO_READER');
    case 'unknown-reader':
      throw new DeviceError('READER_UNKNOWN', { reader: name ?? '', candidates: listed(sel.readers) });
    case 'ambiguous':
      throw new DeviceError('READER_AMBIGUOUS', { candidates: listed(sel.candidates) });
    case 'no-card':
      throw new DeviceError('NO_CARD', { reader: sel.reader?.name });
  }
}

/** The card behind a transport as a CNS session, released with a reset when a PIN was verified. */
async function sessionOn(transport: Transport, o: OpenOptions): Promise<OpenCard & { card: CnsSession }> {
  const session = new CnsSession(transport, o.tracer);
  const close = async (): Promise<void> => {
    await transport.close(session.securityStateChanged || !!o.resetOnRelease).catch(() => {});
  };
  // an ATR that does not decide: the card's own files may (read-only, no PIN)
  if (!session.atrInfo.isCns && session.atrInfo.probe) {
    try {
      const { parseCertificate } = await import('../cert/x509.js');
      await session.identifyByApplication((der) => parseCertificate(der).keyBits);
    } catch (e) {
      await close();
      throw e;
    }
  }
  if (!o.anyCard && !session.atrInfo.isCns) {
    await close();
    throw new DeviceError('NOT_CNS', {
      atr: session.atrInfo.atr,
      reason: session.atrInfo.reason,
      reader: transport.name,
      probed: session.atrInfo.probe,
    });
  }
  return { card: session, close };
}

/**
 * A card in a named PC/SC reader through `client` (its own context unless `keepClient`).
 * `busyWaitMs`: how long a card held by another program is waited for.
 */
export async function openReader(
  client: PcscClient,
  reader: string,
  o: OpenOptions & { busyWaitMs?: number; keepClient?: boolean; transmitTimeoutMs?: number; lastLook?: boolean } = {},
): Promise<OpenCard & { card: CnsSession }> {
  const transport = await client.connect(reader, {
    busyWaitMs: o.busyWaitMs,
    keepClient: o.keepClient,
    transmitTimeoutMs: o.transmitTimeoutMs,
    lastLook: o.lastLook,
  });
  return sessionOn(transport, o);
}

/** A card in a named PC/SC reader, on a PC/SC context of its own (readers diagnosed at once). */
export async function openNamedReader(
  reader: string,
  o: OpenOptions & { busyWaitMs?: number; transmitTimeoutMs?: number } = {},
): Promise<OpenCard & { card: CnsSession }> {
  const { PcscClient } = await import('../pcsc/client.js');
  const client = await PcscClient.open();
  try {
    await client.readerStates();
    return await openReader(client, reader, { ...o, lastLook: true });
  } catch (e) {
    client.close();
    throw e;
  }
}

/** The card through raw APDUs: the virtual card in-process, or a PC/SC reader. */
async function openApdu(o: OpenOptions): Promise<OpenCard & { card: CnsSession }> {
  const spec = parseReaderSpec(o.reader, o.env);
  if (spec.kind === 'sim') {
    if (spec.demo) await ensureDemoImage(spec.path);
    const { SimTransport } = await import('../sim/transport.js');
    return sessionOn(SimTransport.open(spec.path), o);
  }
  const { PcscClient } = await import('../pcsc/client.js');
  const client = await PcscClient.open();
  try {
    // the reader's state as pickReader just read it serves the connect too
    return await openReader(client, await pickReader(client, spec.name), { ...o, lastLook: true });
  } catch (e) {
    client.close();
    throw e;
  }
}

/** The card through a PKCS#11 module (--backend pkcs11, --module, or the fallback). */
async function openPkcs11(o: OpenOptions): Promise<OpenCard> {
  const { discoverModules, defaultModule } = await import('../pkcs11/modules.js');
  const modulePath = o.module ?? defaultModule(discoverModules())?.path;
  if (!modulePath) throw new DeviceError('NO_PKCS11_MODULE');
  const { Pkcs11Client } = await import('../pkcs11/client.js');
  const { Pkcs11Card } = await import('../pkcs11/card.js');
  const { client, info } = await Pkcs11Client.open(modulePath);
  try {
    const slots = await client.slots();
    const describe = (l: typeof slots): string[] => l.map((s) => `${s.index}: "${s.description}"${s.token ? ` [${s.token.label}]` : ''}`);
    let slot: (typeof slots)[number] | undefined;
    if (o.reader !== undefined) {
      const { matchSpec } = await import('../pcsc/select.js');
      const m = matchSpec(slots, o.reader, (s) => [s.description, s.token?.label ?? '', s.token?.serialNumber ?? ''].filter(Boolean));
      if (m.kind === 'ambiguous') throw new DeviceError('READER_AMBIGUOUS', { candidates: describe(m.list) });
      if (m.kind === 'none') throw new DeviceError('READER_UNKNOWN', { reader: o.reader, candidates: describe(slots) });
      slot = m.item;
    } else {
      // an uninitialised token (SoftHSM always offers one) is not a card to use
      const present = slots.filter((s) => s.tokenPresent);
      const initialised = present.filter((s) => !s.token || (s.token.flags & 0x400) !== 0);
      const withToken = initialised.length ? initialised : present;
      if (withToken.length > 1) throw new DeviceError('READER_AMBIGUOUS', { candidates: describe(withToken) });
      slot = withToken[0];
      if (!slot) throw new DeviceError(slots.length ? 'NO_CARD' : 'NO_READER');
    }
    if (!slot.tokenPresent) throw new DeviceError('NO_CARD', { reader: slot.description });
    if (slot.tokenError === 'CKR_TOKEN_NOT_RECOGNIZED')
      throw new DeviceError('TOKEN_NOT_RECOGNIZED', { reader: slot.description, detail: info.description });
    const token = slot.token;
    if (!token) throw new DeviceError('TOKEN_UNREADABLE', { reader: slot.description, detail: slot.tokenError ?? 'no token information' });
    const card = new Pkcs11Card(client, { ...slot, token }, { path: modulePath, ...info });
    return { card, close: () => client.close() };
  } catch (e) {
    client.kill();
    throw e;
  }
}

/**
 * Which backend: `sim` readers in-process; --backend pkcs11 or --module: PKCS#11; otherwise
 * PC/SC, falling back to the default PKCS#11 module when PC/SC cannot reach any reader.
 */
export async function openCard(o: OpenOptions): Promise<OpenCard> {
  const sim = o.reader === 'sim' || o.reader?.startsWith('sim:');
  if (sim) {
    if (o.backend === 'pkcs11' || o.module) throw new DeviceError('SIM_THROUGH_PKCS11');
    return openApdu(o);
  }
  if (o.backend === 'pkcs11' || (o.backend === undefined && o.module)) return openPkcs11(o);
  try {
    return await openApdu(o);
  } catch (e) {
    const fault = deviceFault(e);
    if (o.backend === 'pcsc' || (fault !== 'service-unavailable' && fault !== 'no-reader')) throw e;
    // a service that is there but stuck: the middleware would talk to the same pcscd and wait too
    if (e instanceof PcscUnavailableError && e.reason === 'stuck') throw e;
    try {
      return { ...(await openPkcs11(o)), fallback: { fault, cause: e } };
    } catch {
      throw e; // PKCS#11 could not help either: the PC/SC error is the one to act on
    }
  }
}

/** Open the card, hold it for `fn` (exclusively), always release it. */
export async function withCard<T>(o: OpenOptions, fn: (card: Card, opened: OpenCard) => Promise<T>): Promise<T> {
  const opened = await openCard(o);
  try {
    return await fn(opened.card, opened);
  } finally {
    await opened.close();
  }
}
