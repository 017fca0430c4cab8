import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { LATE, onTime } from '../util/deadlines.js';
import { exitAtOnce, type KoffiModule, requireKoffi } from '../util/koffi.js';
import { SCARD_E } from './errors.js';
import { type PcscPlatform, parseMultiString, pcscPlatform, SCARD } from './platform.js';

/** A PC/SC context or card handle, as the C library returns it. */
export type Handle = number | bigint;

/** One entry of SCardGetStatusChange, in and out. */
export interface ReaderStateEntry {
  reader: string;
  currentState: number;
  eventState: number;
  atr: Buffer;
}

/** PC/SC itself is missing: the system library (libpcsclite1, PCSC.framework, winscard.dll), or the FFI. */
let hardExit = false;

/**
 * A call to the PC/SC library was given up while its thread still waits on pcscd (stuck in connect
 * or read). libuv joins its threads when the process exits, so the process would wait for that
 * thread for ever: it leaves with _exit instead, once everything was written (the CLI writes
 * straight to its descriptors) and every 'exit' listener before this one has run.
 */
export function exitHardWhenDone(): void {
  if (hardExit || process.platform === 'win32') return;
  hardExit = true;
  process.on('exit', exitAtOnce);
}

export class PcscUnavailableError extends Error {
  constructor(
    message: string,
    /** stuck: it took the call and never answered (a stopped or hung pcscd). */
    readonly reason: 'module-missing' | 'service-down' | 'stuck',
  ) {
    super(message);
    this.name = 'PcscUnavailableError';
  }
}

/**
 * The system's PC/SC API (winscard), typed: every call returns the PC/SC return code (0 is
 * success) and its outputs. Calls that may wait on the card or on another program (connect,
 * begin transaction, transmit, status change) run off the main thread and return promises.
 */
export interface Winscard {
  readonly platform: PcscPlatform;
  /**
   * `socket`: where pcsc-lite talks to pcscd for this context (Linux), so that a call stuck
   * waiting for pcscd can be cut off with `interrupt` (nothing else in the API can).
   */
  establishContext(): { rv: number; context: Handle; socket?: number };
  /**
   * The same off the main thread, given up after `ms`: a service that takes the call and never
   * answers gets 'stuck', and the socket the call opened is shut so that its thread returns (a
   * thread left waiting would keep the process from ending).
   */
  establishContextWithin(ms: number): Promise<{ rv: number; context: Handle; socket?: number } | 'stuck'>;
  /** Shut a context's socket down: a call waiting on it returns (SCARD_F_COMM_ERROR). */
  interrupt(socket: number): void;
  releaseContext(context: Handle): number;
  /** Reader names (off the main thread, so that a stuck service can be given up on). */
  listReaders(context: Handle): Promise<{ rv: number; readers: string[] }>;
  getStatusChange(context: Handle, timeoutMs: number, states: ReaderStateEntry[]): Promise<number>;
  getStatusChangeNow(context: Handle, states: ReaderStateEntry[]): number;
  cancel(context: Handle): number;
  connect(context: Handle, reader: string, share: number, protocols: number): Promise<{ rv: number; card: Handle; protocol: number }>;
  beginTransaction(card: Handle): Promise<number>;
  endTransaction(card: Handle, disposition: number): number;
  transmit(card: Handle, protocol: number, command: Buffer, maxResponse: number): Promise<{ rv: number; response: Buffer }>;
  disconnect(card: Handle, disposition: number): number;
  /** SCardControl, asynchronous: it blocks for as long as a reader's keypad waits for the person. */
  control(card: Handle, code: number, input: Buffer, maxOutput: number): Promise<{ rv: number; output: Buffer }>;
}

type Native = ReturnType<KoffiModule['load']>;
type NativeFunction = ReturnType<Native['func']>;

interface NativeState {
  szReader: string;
  pvUserData: null;
  dwCurrentState: number;
  dwEventState: number;
  cbAtr: number;
  rgbAtr: number[];
}

let cached: Winscard | undefined;

/** What SCardListReaders is first given room for, in characters (pcsc-lite: 16 readers of 128 at most). */
const LIST_CHARS = 4096;
/** Receive buffers of finished transmits, by size, for the next ones. */
const receiveBuffers = new Map<number, Buffer[]>();

/** From now on, `w` answers as the PC/SC library (simWinscard.ts, for the build's code-cache training). */
export function useWinscard(w: Winscard): void {
  cached = w;
}

/**
 * Load the system PC/SC library through koffi, once. Throws PcscUnavailableError when it cannot.
 * CNS_PCSC_LIBRARY names another library file (a pcsc-lite outside the usual paths).
 */
export function loadWinscard(): Winscard {
  if (cached) return cached;
  const known = pcscPlatform(process.platform, process.arch);
  if (!known) throw new PcscUnavailableError(`no PC/SC support is known for ${process.platform}/${process.arch}`, 'module-missing');
  const platform = process.env.CNS_PCSC_LIBRARY ? { ...known, library: process.env.CNS_PCSC_LIBRARY } : known;
  let koffi: KoffiModule;
  try {
    koffi = requireKoffi();
  } catch (e) {
    throw new PcscUnavailableError(`the koffi module is not installed (${(e as Error).message.split('\n')[0]})`, 'module-missing');
  }
  let lib: Native;
  try {
    lib = koffi.load(platform.library);
  } catch (e) {
    throw new PcscUnavailableError(`cannot load ${platform.library} (${(e as Error).message.split('\n')[0]})`, 'module-missing');
  }
  cached = bind(koffi, lib, platform);
  return cached;
}

function bind(koffi: KoffiModule, lib: Native, p: PcscPlatform): Winscard {
  const { dword: D, long: L, handle: H, suffix: A } = p;
  // the W functions take and give UTF-16 (koffi converts JS strings for char16_t *)
  const wide = A === 'W';
  const S = wide ? 'const char16_t *' : 'const char *';
  const define = p.packed ? koffi.pack : koffi.struct;
  const stateName = `SCARD_READERSTATE${A}_${p.atrSize}_${p.packed ? 'p' : 'n'}`;
  define(stateName, {
    szReader: S,
    pvUserData: 'void *',
    dwCurrentState: D,
    dwEventState: D,
    cbAtr: D,
    rgbAtr: koffi.array('uint8', p.atrSize, 'Array'),
  });
  const ioName = `SCARD_IO_REQUEST_${D}_${p.packed ? 'p' : 'n'}`;
  define(ioName, { dwProtocol: D, cbPciLength: D });
  const ioSize = koffi.sizeof(ioName);
  const f = (decl: string): NativeFunction => lib.func(decl);
  const est = f(`${L} SCardEstablishContext(${D} scope, void *r1, void *r2, _Out_ ${H} *ctx)`);
  const rel = f(`${L} SCardReleaseContext(${H} ctx)`);
  const list = f(`${L} SCardListReaders${A}(${H} ctx, ${S} groups, _Out_ uint8_t *buf, _Inout_ ${D} *len)`);
  const gsc = f(`${L} SCardGetStatusChange${A}(${H} ctx, ${D} timeout, _Inout_ ${stateName} *states, ${D} n)`);
  const cancel = f(`${L} SCardCancel(${H} ctx)`);
  const conn = f(`${L} SCardConnect${A}(${H} ctx, ${S} reader, ${D} share, ${D} protocols, _Out_ ${H} *card, _Out_ ${D} *active)`);
  const begin = f(`${L} SCardBeginTransaction(${H} card)`);
  const end = f(`${L} SCardEndTransaction(${H} card, ${D} disposition)`);
  const tx = f(
    `${L} SCardTransmit(${H} card, const ${ioName} *pci, const uint8_t *send, ${D} sendLen, void *recvPci, _Out_ uint8_t *recv, _Inout_ ${D} *recvLen)`,
  );
  const disc = f(`${L} SCardDisconnect(${H} card, ${D} disposition)`);
  const ctl = f(
    `${L} SCardControl(${H} card, ${D} code, const uint8_t *send, ${D} sendLen, _Out_ uint8_t *recv, ${D} recvLen, _Out_ ${D} *returned)`,
  );

  // LONG return codes come back signed (0x80100002 is negative in 32 bits): compare unsigned
  const rc = (v: unknown): number => Number(v) >>> 0;
  let shutdownFn: NativeFunction | undefined;
  const call = (fn: NativeFunction, ...args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      fn.async(...args, (err: unknown, res: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)));
    });
  const toNative = (s: ReaderStateEntry): NativeState => ({
    szReader: s.reader,
    pvUserData: null,
    dwCurrentState: s.currentState,
    dwEventState: 0,
    cbAtr: 0,
    rgbAtr: new Array<number>(p.atrSize).fill(0),
  });
  const fromNative = (n: NativeState[], states: ReaderStateEntry[]): void => {
    n.forEach((x, i) => {
      const s = states[i];
      if (!s) return;
      s.eventState = Number(x.dwEventState);
      s.atr = Buffer.from(x.rgbAtr.slice(0, Math.min(Number(x.cbAtr), p.atrSize)));
    });
  };

  // pcsc-lite: the socket a new context opens (see descriptorsNow)
  const socketsBefore = (): DescriptorMark | undefined => (p.library.includes('pcsclite') ? descriptorsNow() : undefined);
  const established = (rv: number, out: Handle[], before: DescriptorMark | undefined) => {
    if (rv !== 0) {
      releaseMark(before);
      return { rv, context: out[0] ?? 0 };
    }
    const opened = socketsSince(before);
    return { rv, context: out[0] ?? 0, ...(opened.length === 1 ? { socket: opened[0] } : {}) };
  };
  const interrupt = (socket: number): void => {
    shutdownFn ??= koffi.load(null).func('int shutdown(int fd, int how)');
    shutdownFn(socket, 2); // SHUT_RDWR
  };

  return {
    platform: p,
    establishContext() {
      const out: Handle[] = [0];
      const before = socketsBefore();
      let rv: number;
      try {
        rv = rc(est(SCARD.SCOPE_SYSTEM, null, null, out));
      } catch (e) {
        releaseMark(before);
        throw e;
      }
      return established(rv, out, before);
    },
    async establishContextWithin(ms) {
      const out: Handle[] = [0];
      const before = socketsBefore();
      let first: number | typeof LATE;
      try {
        first = await onTime(
          call(est, SCARD.SCOPE_SYSTEM, null, null, out).then((v) => rc(v)),
          ms,
        );
      } catch (e) {
        releaseMark(before);
        throw e;
      }
      if (first === LATE) {
        exitHardWhenDone();
        for (const fd of socketsSince(before)) interrupt(fd);
        return 'stuck';
      }
      return established(first, out, before);
    },
    async listReaders(context) {
      // one call with room for a usual list (each call is a round trip to the service); a longer
      // list is asked for its length first, as before. The length counts characters: WCHARs for
      // the W function.
      const first: number[] = [LIST_CHARS];
      const room = Buffer.alloc(LIST_CHARS * (wide ? 2 : 1));
      let rv = rc(await call(list, context, null, room, first));
      if (rv === 0) return { rv, readers: parseMultiString(room, Number(first[0] ?? 0), wide) };
      if (rv !== SCARD_E.E_INSUFFICIENT_BUFFER) return { rv, readers: [] };
      const len: number[] = [0];
      rv = rc(await call(list, context, null, null, len));
      if (rv !== 0) return { rv, readers: [] };
      const buf = Buffer.alloc(Number(len[0] ?? 0) * (wide ? 2 : 1));
      rv = rc(await call(list, context, null, buf, len));
      if (rv !== 0) return { rv, readers: [] };
      return { rv, readers: parseMultiString(buf, Number(len[0] ?? 0), wide) };
    },
    interrupt,
    releaseContext: (context) => rc(rel(context)),
    async getStatusChange(context, timeoutMs, states) {
      const n = states.map(toNative);
      const rv = rc(await call(gsc, context, timeoutMs, n, n.length));
      fromNative(n, states);
      return rv;
    },
    getStatusChangeNow(context, states) {
      const n = states.map(toNative);
      const rv = rc(gsc(context, 0, n, n.length));
      fromNative(n, states);
      return rv;
    },
    cancel: (context) => rc(cancel(context)),
    async connect(context, reader, share, protocols) {
      const card: Handle[] = [0];
      const active: number[] = [0];
      const rv = rc(await call(conn, context, reader, share, protocols, card, active));
      return { rv, card: card[0] ?? 0, protocol: Number(active[0] ?? 0) };
    },
    beginTransaction: async (card) => rc(await call(begin, card)),
    endTransaction: (card, disposition) => rc(end(card, disposition)),
    async transmit(card, protocol, command, maxResponse) {
      // a receive buffer of a free one kept for the next call (zeroing and collecting 64 KiB for
      // every APDU cost ~0.1 ms each); the answer is copied out of it
      const recv = receiveBuffers.get(maxResponse)?.pop() ?? Buffer.alloc(maxResponse);
      const len: number[] = [maxResponse];
      try {
        const rv = rc(await call(tx, card, { dwProtocol: protocol, cbPciLength: ioSize }, command, command.length, null, recv, len));
        if (rv !== 0) return { rv, response: Buffer.alloc(0) };
        // copied out in one step (no view of the receive buffer made first: one object less per APDU)
        const response = Buffer.allocUnsafe(Math.min(Number(len[0] ?? 0), maxResponse));
        recv.copy(response, 0, 0, response.length);
        return { rv, response };
      } finally {
        const free = receiveBuffers.get(maxResponse) ?? [];
        receiveBuffers.set(maxResponse, free);
        if (free.length < 2) free.push(recv);
      }
    },
    disconnect: (card, disposition) => rc(disc(card, disposition)),
    async control(card, code, input, maxOutput) {
      const output = Buffer.alloc(maxOutput);
      const len: number[] = [0];
      const rv = rc(await call(ctl, card, code, input, input.length, output, maxOutput, len));
      return { rv, output: rv === 0 ? output.subarray(0, Math.min(Number(len[0] ?? 0), maxOutput)) : Buffer.alloc(0) };
    },
  };
}

/**
 * The descriptors open now (Linux, /proc/self/fd), to tell later which socket a call opened. The
 * number that listing the folder used is free again once it is listed, and the call's socket
 * would take it: it is held (an open /dev/null) until socketsSince(). Only the numbers are read
 * here, and after the call only the new ones are looked at: reading every descriptor's link
 * before and after cost ~1 ms of every command (issue 27). Undefined where the folder cannot be
 * read.
 *
 * While another mark holds its number (contexts opened at once: `doctor` on several readers),
 * that number is freed during this mark's call and the new socket may take it, hidden among the
 * numbers listed: such a mark lists the sockets themselves (every link read), as before.
 */
export interface DescriptorMark {
  /** the numbers open; only the sockets where the mark holds no number */
  listed: ReadonlySet<number>;
  /** the descriptor holding the listing's number, until socketsSince() closes it */
  hold?: number;
}

const FD_DIR = '/proc/self/fd';

/** Marks holding a number now (descriptorsNow() to socketsSince()). */
let holding = 0;

function isSocket(fd: number): boolean {
  try {
    return readlinkSync(`${FD_DIR}/${fd}`).startsWith('socket:');
  } catch {
    return false; // closed since (a listing's own descriptor)
  }
}

export function descriptorsNow(): DescriptorMark | undefined {
  let listed: number[];
  try {
    listed = readdirSync(FD_DIR).map(Number);
  } catch {
    return undefined;
  }
  if (holding === 0) {
    try {
      const hold = openSync('/dev/null', 'r');
      holding++;
      return { listed: new Set(listed), hold };
    } catch {
      // nothing to hold the number with: the sockets themselves, below
    }
  }
  return { listed: new Set(listed.filter(isSocket)) };
}

/** The descriptor `mark` holds, closed (once); a call that failed needs no more of the mark. */
export function releaseMark(mark: DescriptorMark | undefined): void {
  if (mark?.hold === undefined) return;
  try {
    closeSync(mark.hold);
  } catch {}
  mark.hold = undefined;
  holding--;
}

/** The sockets opened since `mark` (its held descriptor closed first). */
export function socketsSince(mark: DescriptorMark | undefined): number[] {
  if (!mark) return [];
  releaseMark(mark);
  let now: number[];
  try {
    now = readdirSync(FD_DIR).map(Number);
  } catch {
    return [];
  }
  return now.filter((fd) => !mark.listed.has(fd) && isSocket(fd));
}
