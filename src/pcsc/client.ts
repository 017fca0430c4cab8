import { ApduTransportError } from '../apdu/response.js';
import { type PinPad, type PinPadInfo, pinPadInfo, type Transport } from '../apdu/transport.js';
import { LATE, onTime } from '../util/deadlines.js';
import { classify, type PcscFault, pcscMessage, SCARD_E } from './errors.js';
import { readPinPad } from './pinpad.js';
import { SCARD } from './platform.js';
import { exitHardWhenDone, type Handle, loadWinscard, PcscUnavailableError, type ReaderStateEntry, type Winscard } from './winscard.js';

export interface ReaderState {
  name: string;
  index: number;
  present: boolean;
  mute: boolean;
  inUse: boolean;
  exclusive: boolean;
  atr: Buffer | null;
}

/** A reader's keypad, as `readers` and `status --json` report it. */
export type { PinPadInfo } from '../apdu/transport.js';

export class PcscError extends Error {
  constructor(
    message: string,
    readonly fault: PcscFault,
    readonly code?: number,
    /** the PC/SC function that failed (SCardConnect...) */
    readonly fn?: string,
    /**
     * A card another connection holds: its reader, the reader's card-event count (the same count
     * later = the same card, never taken out) and whether a program holds it exclusively.
     */
    readonly held?: { reader: string; events: number; exclusive: boolean },
  ) {
    super(message);
    this.name = 'PcscError';
  }
}

function fail(fn: string, rv: number): PcscError {
  return new PcscError(pcscMessage(fn, rv), classify(rv), rv, fn);
}

/**
 * No context with the service: whatever the code, no reader nor card was reached yet, so it is the
 * service that is missing. pcsc-lite says SCARD_E_NO_SERVICE; Windows with its Smart Card service
 * stopped (since Windows 8 it runs only while a reader is plugged in) says the same or, where
 * winscard.dll cannot reach its service or library at all, SCARD_F_INTERNAL_ERROR and others.
 */
export function contextFailure(rv: number): PcscError {
  return new PcscError(pcscMessage('SCardEstablishContext', rv), 'service', rv, 'SCardEstablishContext');
}

/** pcsc-lite and Windows count a reader's card insertions and removals in the state's high word. */
export function eventCount(eventState: number): number {
  return eventState >>> 16;
}

/** The card in `reader` is held by another connection (SCARD_E_SHARING_VIOLATION), with what pcscd says of it. */
function held(fn: string, reader: string, state: ReaderStateEntry | undefined): PcscError {
  const rv = SCARD_E.E_SHARING_VIOLATION;
  const ev = state?.eventState ?? 0;
  return new PcscError(pcscMessage(fn, rv), classify(rv), rv, fn, {
    reader,
    events: eventCount(ev),
    exclusive: (ev & SCARD.STATE_EXCLUSIVE) !== 0,
  });
}

export function describeState(name: string, index: number, state: number, atr?: Buffer): ReaderState {
  const present = (state & SCARD.STATE_PRESENT) !== 0;
  return {
    name,
    index,
    present,
    mute: (state & SCARD.STATE_MUTE) !== 0,
    inUse: (state & SCARD.STATE_INUSE) !== 0,
    exclusive: (state & SCARD.STATE_EXCLUSIVE) !== 0,
    atr: present && atr?.length ? Buffer.from(atr) : null,
  };
}

export interface ReaderEvent {
  type: 'reader-added' | 'reader-removed' | 'status';
  reader: string;
  state?: ReaderState;
}

export interface ConnectOptions {
  /** How long a card held by another program (in its transaction) is waited for; default 3 s. */
  busyWaitMs?: number;
  /** Leave the client open when the transport closes (the caller owns it). */
  keepClient?: boolean;
  /** Deadline of each APDU exchange (the card or reader may never answer); none by default. */
  transmitTimeoutMs?: number;
  /**
   * The reader's state (its card's ATR, its event count) as this client's last readerStates()
   * read it, instead of asking the service again: only for a connect that follows that look at
   * once (one round trip less, issue 27). The state was always read just before the connect; it
   * is now read a moment earlier.
   */
  lastLook?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long a status-change wait lasts when readers cannot announce themselves (no PnP). */
const POLL_MS = 1000;

/**
 * One PC/SC context on the system library (through koffi). Readers and their states come from
 * SCardGetStatusChange; events, when asked for, from a second context of their own (a status
 * wait holds its context, so commands keep theirs free). Close it, or the process does not exit.
 */
/**
 * How long the PC/SC service may take to answer a call that is not waiting on a card (a new
 * context, the reader list, the readers' state): a running pcscd answers in milliseconds.
 * CNS_PCSC_SERVICE_TIMEOUT_MS sets it (tests).
 */
function serviceMs(): number {
  return Number(process.env.CNS_PCSC_SERVICE_TIMEOUT_MS) > 0 ? Number(process.env.CNS_PCSC_SERVICE_TIMEOUT_MS) : 5000;
}

async function withinService<T>(call: Promise<T>, name: string, onTimeout?: () => void): Promise<T> {
  const r = await onTime(call, serviceMs());
  if (r !== LATE) return r;
  onTimeout?.();
  throw new PcscUnavailableError(`${name}: the PC/SC service did not answer within ${serviceMs()} ms`, 'stuck');
}

export class PcscClient {
  private ctx: Handle;
  private ctxSocket?: number;
  private monitor?: { ctx: Handle; done: Promise<void> };
  private closed = false;
  private listener?: (e: ReaderEvent) => void;
  private failure?: PcscError;
  private readonly lostWaiters: ((e: PcscError) => void)[] = [];

  private constructor(
    private readonly api: Winscard,
    established: { context: Handle; socket?: number },
  ) {
    this.ctx = established.context;
    this.ctxSocket = established.socket;
  }

  /**
   * A context with the PC/SC service, within SERVICE_MS: a service that takes the call and never
   * answers (stopped, hung) is said as such instead of blocking the command for ever.
   */
  static async open(api: Winscard = loadWinscard()): Promise<PcscClient> {
    const got = await api.establishContextWithin(serviceMs());
    if (got === 'stuck')
      throw new PcscUnavailableError(`SCardEstablishContext: the PC/SC service did not answer within ${serviceMs()} ms`, 'stuck');
    const { rv, context, socket } = got;
    if (rv !== 0) throw new PcscUnavailableError(contextFailure(rv).message, 'service-down');
    return new PcscClient(api, { context, socket });
  }

  /** A call to the service on our context, bounded: on time out its socket is shut, which ends the call. */
  private async bounded<T>(call: Promise<T>, name: string): Promise<T> {
    return withinService(call, name, () => {
      this.stuck = true;
      exitHardWhenDone();
      if (this.ctxSocket !== undefined) this.api.interrupt(this.ctxSocket);
    });
  }

  /** The service took a call and never answered: nothing more is asked of it. */
  private stuck = false;

  /** What the last readerStates() read (ConnectOptions.lastLook). */
  private lastLook: ReaderStateEntry[] = [];

  private async names(ctx: Handle): Promise<string[]> {
    const { rv, readers } = await this.bounded(this.api.listReaders(ctx), 'SCardListReaders');
    if (rv === SCARD_E.E_NO_READERS_AVAILABLE) return [];
    if (rv !== 0) throw fail('SCardListReaders', rv);
    return readers;
  }

  /** Every reader with its current state. */
  async readerStates(): Promise<ReaderState[]> {
    if (this.failure) throw this.failure;
    this.lastLook = [];
    const names = await this.names(this.ctx);
    if (names.length === 0) return [];
    const states: ReaderStateEntry[] = names.map((reader) => ({
      reader,
      currentState: SCARD.STATE_UNAWARE,
      eventState: 0,
      atr: Buffer.alloc(0),
    }));
    const rv = await this.bounded(this.api.getStatusChange(this.ctx, 0, states), 'SCardGetStatusChange');
    if (rv !== 0 && rv !== SCARD_E.E_TIMEOUT) throw fail('SCardGetStatusChange', rv);
    this.lastLook = states;
    return states.map((s, index) => describeState(s.reader, index, s.eventState, s.atr));
  }

  /**
   * What a reader's keypad offers, asked of the reader itself (a direct connection: no card
   * needed, none disturbed); null where it has none or does not answer the request.
   */
  async readerPinpad(name: string): Promise<PinPadInfo | null> {
    if (this.failure) throw this.failure;
    const r = await this.bounded(this.api.connect(this.ctx, name, SCARD.SHARE_DIRECT, 0), 'SCardConnect');
    if (r.rv !== 0) return null;
    try {
      const pad = await readPinPad(async (code, input) => {
        const o = await this.bounded(this.api.control(r.card, code, input, 1024), 'SCardControl');
        if (o.rv !== 0) throw fail('SCardControl', o.rv);
        return o.output;
      }, this.api.platform.suffix === 'W');
      return pad && pinPadInfo(pad);
    } finally {
      this.api.disconnect(r.card, SCARD.LEAVE_CARD);
    }
  }

  /** Reader and card events, from now on, until closed or the service goes away. */
  onEvent(listener: (e: ReaderEvent) => void): void {
    this.listener = listener;
    this.startMonitor();
  }

  /** Resolves when the smart-card service goes away; never when closed by us. */
  lost(): Promise<PcscError> {
    this.startMonitor();
    return new Promise((resolve) => {
      if (this.failure) resolve(this.failure);
      else this.lostWaiters.push(resolve);
    });
  }

  private setFailure(e: PcscError): void {
    if (this.closed || this.failure) return;
    this.failure = e;
    for (const w of this.lostWaiters.splice(0)) w(e);
  }

  private startMonitor(): void {
    if (this.monitor || this.closed) return;
    const { rv, context } = this.api.establishContext();
    if (rv !== 0) {
      this.setFailure(contextFailure(rv));
      return;
    }
    this.monitor = { ctx: context, done: this.watch(context) };
  }

  private async watch(ctx: Handle): Promise<void> {
    const known = new Map<string, number>();
    const pnp = this.api.platform.pnp;
    let readerCount = -1;
    const emit = (e: ReaderEvent): void => {
      if (!this.closed) this.listener?.(e);
    };
    try {
      for (let first = true; !this.closed; first = false) {
        let names: string[];
        try {
          names = await this.names(ctx);
        } catch (e) {
          if (e instanceof PcscError && e.fault === 'service') return this.setFailure(e);
          // a service that stopped answering is a service lost, for the watcher as for a command
          if (e instanceof PcscUnavailableError) return this.setFailure(fail('SCardListReaders', SCARD_E.E_NO_SERVICE));
          throw e;
        }
        for (const n of names) {
          if (!known.has(n)) {
            known.set(n, SCARD.STATE_UNAWARE);
            if (!first) emit({ type: 'reader-added', reader: n });
          }
        }
        for (const n of [...known.keys()]) {
          if (!names.includes(n)) {
            known.delete(n);
            emit({ type: 'reader-removed', reader: n });
          }
        }
        const states: ReaderStateEntry[] = names.map((reader) => ({
          reader,
          currentState: known.get(reader) ?? SCARD.STATE_UNAWARE,
          eventState: 0,
          atr: Buffer.alloc(0),
        }));
        if (pnp)
          states.push({
            reader: SCARD.PNP_READER,
            currentState: readerCount < 0 ? 0 : readerCount << 16,
            eventState: 0,
            atr: Buffer.alloc(0),
          });
        const rv = await this.api.getStatusChange(ctx, pnp ? SCARD.INFINITE : POLL_MS, states);
        if (this.closed || rv === SCARD_E.E_CANCELLED) return;
        if (rv === SCARD_E.E_TIMEOUT || rv === SCARD_E.E_UNKNOWN_READER || rv === SCARD_E.E_READER_UNAVAILABLE) continue;
        if (rv !== 0) {
          const e = fail('SCardGetStatusChange', rv);
          if (e.fault === 'service') return this.setFailure(e);
          await new Promise((r) => setTimeout(r, 200)); // anything else: look again shortly
          continue;
        }
        for (const s of states) {
          if (s.reader === SCARD.PNP_READER) {
            readerCount = s.eventState >>> 16;
            continue;
          }
          const was = known.get(s.reader);
          known.set(s.reader, s.eventState & ~SCARD.STATE_CHANGED);
          if (was === undefined || (s.eventState & SCARD.STATE_CHANGED) === 0) continue;
          if ((s.eventState & (SCARD.STATE_UNKNOWN | SCARD.STATE_UNAVAILABLE)) !== 0) continue; // going away: the list says
          emit({ type: 'status', reader: s.reader, state: describeState(s.reader, 0, s.eventState, s.atr) });
        }
      }
    } finally {
      this.api.releaseContext(ctx);
    }
  }

  /**
   * Connect to the card in `name`, shared, and begin a transaction for the whole conversation:
   * other programs (a browser through its middleware) keep their own connection, and none can
   * slip a command in between ours. A card in another program's transaction is waited for.
   */
  async connect(name: string, opts: ConnectOptions = {}): Promise<PcscTransport> {
    if (this.failure) throw this.failure;
    const deadline = Date.now() + (opts.busyWaitMs ?? 3000);
    const seen = opts.lastLook ? this.lastLook.find((s) => s.reader === name) : undefined;
    const states: ReaderStateEntry[] = [seen ?? { reader: name, currentState: SCARD.STATE_UNAWARE, eventState: 0, atr: Buffer.alloc(0) }];
    if (!seen) {
      const srv = this.api.getStatusChangeNow(this.ctx, states);
      if (srv !== 0 && srv !== SCARD_E.E_TIMEOUT) throw fail('SCardGetStatusChange', srv);
    }
    for (;;) {
      // pcscd answers a connect only once another program's transaction on the card is over:
      // bound the wait, and leave the context to that call if it outlives the deadline
      const ctx = this.ctx;
      const call = this.api.connect(ctx, name, SCARD.SHARE_SHARED, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1);
      const r = await onTime(call, deadline - Date.now());
      if (r === LATE) {
        this.abandon(
          ctx,
          call.then((late) => {
            if (late.rv === 0) this.api.disconnect(late.card, SCARD.LEAVE_CARD);
          }),
        );
        throw held('SCardConnect', name, states[0]);
      }
      const { rv, card, protocol } = r;
      if (rv === 0) {
        try {
          await this.begin(card, deadline);
        } catch (e) {
          throw e instanceof PcscError && e.code === SCARD_E.E_SHARING_VIOLATION ? held('SCardBeginTransaction', name, states[0]) : e;
        }
        return new PcscTransport(this, this.api, ctx, name, card, protocol, states[0]?.atr ?? Buffer.alloc(0), {
          closeClient: !opts.keepClient,
          timeoutMs: opts.transmitTimeoutMs,
          events: eventCount(states[0]?.eventState ?? 0),
        });
      }
      // a program holding the card exclusively: wait a little, then say it is busy
      if (rv === SCARD_E.E_SHARING_VIOLATION && Date.now() < deadline) {
        await sleep(100);
        continue;
      }
      throw rv === SCARD_E.E_SHARING_VIOLATION ? held('SCardConnect', name, states[0]) : fail('SCardConnect', rv);
    }
  }

  /**
   * SCardBeginTransaction waits as long as another program's transaction lasts. Bound it: at the
   * deadline the handle is disconnected, which ends the wait inside the library.
   */
  private async begin(card: Handle, deadline: number): Promise<void> {
    const wait = this.api.beginTransaction(card);
    const rv = await onTime(wait, deadline - Date.now());
    if (rv === LATE) {
      this.api.disconnect(card, SCARD.LEAVE_CARD);
      await wait;
      throw fail('SCardBeginTransaction', SCARD_E.E_SHARING_VIOLATION);
    }
    if (rv !== 0) {
      this.api.disconnect(card, SCARD.LEAVE_CARD);
      throw fail('SCardBeginTransaction', rv);
    }
  }

  /**
   * A call on `ctx` is still waiting inside the library, holding the context: go on with a new
   * context, and let the old one go when the call returns.
   */
  abandon(ctx: Handle, call: Promise<unknown>): void {
    if (ctx !== this.ctx) return; // done already
    const socket = this.ctxSocket;
    const next = this.api.establishContext();
    if (next.rv === 0) {
      this.ctx = next.context;
      this.ctxSocket = next.socket;
    } else this.setFailure(contextFailure(next.rv));
    void call.finally(() => this.api.releaseContext(ctx));
    // the waiting call holds a library thread, and the process cannot end before it returns:
    // cutting its socket to pcscd makes it return now (where the socket is known: pcsc-lite)
    if (socket !== undefined) this.api.interrupt(socket);
  }

  /**
   * Whether the card that was connected (same ATR) is still in `reader`, as pcscd sees it; a
   * reader that polls its slot (vpcd: 400 ms) may take a moment to notice a removal.
   */
  async stillPresent(reader: string, atr: Buffer, withinMs = 600): Promise<boolean> {
    const end = Date.now() + withinMs;
    for (;;) {
      const states: ReaderStateEntry[] = [{ reader, currentState: SCARD.STATE_UNAWARE, eventState: 0, atr: Buffer.alloc(0) }];
      const rv = this.api.getStatusChangeNow(this.ctx, states);
      const s = states[0];
      if (rv !== 0 && rv !== SCARD_E.E_TIMEOUT) return false;
      if (!s || (s.eventState & SCARD.STATE_PRESENT) === 0 || !s.atr.equals(atr)) return false;
      if (Date.now() >= end) return true;
      await sleep(50);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // a service that stopped answering would block these calls too: the process ends without them
    if (this.stuck) return;
    if (this.monitor) this.api.cancel(this.monitor.ctx); // ends the status wait; the watcher releases its context
    this.api.releaseContext(this.ctx);
  }
}

/** A card in a PC/SC reader: a shared connection holding a transaction until closed. */
export class PcscTransport implements Transport {
  private open = true;
  /** A call still running in the library after its deadline: the handle cannot be used or released. */
  private stuck = false;
  /**
   * The card left (or stopped answering) during the conversation. It is then not reset on
   * release: resetting a card that is gone races pcscd's own removal handling, and when another
   * card is inserted before pcscd notices, the reader shows no card until the next insertion
   * (seen with pcsc-lite 1.9.9 and vpcd, 3 times in 8).
   */
  private gone = false;
  /** The card is known to have left the reader (not merely answering garbage): nothing more is sent. */
  private departed = false;

  constructor(
    private readonly client: PcscClient,
    private readonly api: Winscard,
    private readonly ctx: Handle,
    readonly name: string,
    private readonly card: Handle,
    private readonly protocol: number,
    private readonly atrBytes: Buffer,
    private readonly o: { closeClient: boolean; timeoutMs?: number; events?: number },
  ) {}

  atr(): Buffer {
    return this.atrBytes;
  }

  async transmit(command: Buffer, deadlineMs?: number): Promise<Buffer> {
    if (this.stuck) throw new ApduTransportError('the card did not answer an earlier command', 'timeout', { id: 'tStuck' });
    if (!this.open) throw new ApduTransportError('the card connection is closed', 'removed', { id: 'tClosed' }, true);
    // the card was seen leaving on an earlier command: this one is not sent at all
    if (this.departed) throw new ApduTransportError('the card left the reader', 'removed', { id: 'tLeft' }, true);
    const timeoutMs =
      this.o.timeoutMs !== undefined && deadlineMs !== undefined
        ? Math.min(this.o.timeoutMs, deadlineMs)
        : (deadlineMs ?? this.o.timeoutMs);
    const r = await this.bounded(this.api.transmit(this.card, this.protocol, command, 65538), timeoutMs, 'the card');
    if (r.rv !== 0) {
      const f = classify(r.rv);
      const removed = f === 'removed' || f === 'no-card' || f === 'no-reader';
      if (removed) this.gone = this.departed = true;
      throw new ApduTransportError(pcscMessage('SCardTransmit', r.rv), removed ? 'removed' : 'io', {
        id: 'pcsc',
        facts: { fn: 'SCardTransmit', rv: r.rv },
      });
    }
    if (r.response.length < 2) {
      // no status word: a card that left (vpcd and some readers say so this way), or one that
      // answers garbage; pcscd's view of the slot tells them apart
      this.gone = true;
      const present = await this.client.stillPresent(this.name, this.atrBytes);
      if (!present) this.departed = true;
      throw new ApduTransportError(
        present ? `the card answered ${r.response.length} byte(s), without a status word` : 'the card left the reader',
        present ? 'garbage' : 'removed',
        present ? { id: 'tNoSw', facts: { bytes: r.response.length } } : { id: 'tLeft' },
      );
    }
    return r.response;
  }

  private pad?: Promise<PinPad | null>;

  /** The reader's PIN pad, read once from its features. */
  pinpad(): Promise<PinPad | null> {
    this.pad ??= readPinPad((code, input, ms) => this.control(code, input, ms), this.api.platform.suffix === 'W');
    return this.pad;
  }

  /**
   * SCardControl with a deadline: it blocks while the person types on the reader. A call that
   * outlives it leaves the context to the library, as a transmit does.
   */
  async control(code: number, input: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.stuck) throw new ApduTransportError('the card did not answer an earlier command', 'timeout', { id: 'tStuck' });
    if (!this.open || this.departed) throw new ApduTransportError('the card left the reader', 'removed', { id: 'tLeft' }, true);
    const r = await this.bounded(this.api.control(this.card, code, input, 1024), timeoutMs, 'the reader');
    if (r.rv !== 0) {
      const f = classify(r.rv);
      // a keypad call cut off by the card leaving comes back as "not transacted": pcscd's view of
      // the slot tells a removal from another failure
      const maybeRemoved = f === 'removed' || f === 'no-card' || f === 'no-reader' || r.rv === SCARD_E.E_NOT_TRANSACTED;
      if (maybeRemoved && !(await this.client.stillPresent(this.name, this.atrBytes).catch(() => false))) this.gone = this.departed = true;
      throw new ApduTransportError(pcscMessage('SCardControl', r.rv), this.departed ? 'removed' : 'io', {
        id: 'pcsc',
        facts: { fn: 'SCardControl', rv: r.rv },
      });
    }
    return r.output;
  }

  /**
   * A call to the card or the reader, given up at its deadline (none: waited for). One given up
   * still holds the context inside the library: it is cut off, so that the client goes on (a new
   * context) and the process can end; this connection is then stuck.
   */
  private bounded<T>(call: Promise<T>, timeoutMs: number | undefined, who: 'the card' | 'the reader'): Promise<T> {
    if (timeoutMs === undefined) return call;
    // not an async function: every APDU passes here, and its frame was ~0.5 KB of young
    // generation each time (issue 27)
    return onTime(call, timeoutMs).then((r) => (r !== LATE ? r : this.late(call, timeoutMs, who)));
  }

  /** A call that did not end within `timeoutMs`: the connection is given up. */
  private late(call: Promise<unknown>, timeoutMs: number, who: 'the card' | 'the reader'): never {
    this.stuck = true;
    this.client.abandon(this.ctx, call);
    throw new ApduTransportError(
      `${who} did not answer within ${timeoutMs} ms`,
      'timeout',
      { id: 'tTimeout', facts: { seconds: Math.round(timeoutMs / 100) / 10 } },
      false,
      { reader: this.name, events: this.o.events ?? 0 },
    );
  }

  async present(): Promise<boolean> {
    if (!this.open || this.gone) return false;
    return this.client.stillPresent(this.name, this.atrBytes, 0);
  }

  /** End the transaction and the connection; `resetCard` resets the card on the way out. */
  async close(resetCard = false): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (!this.stuck) {
      this.api.endTransaction(this.card, resetCard && !this.gone ? SCARD.RESET_CARD : SCARD.LEAVE_CARD);
      this.api.disconnect(this.card, SCARD.LEAVE_CARD);
    }
    if (this.o.closeClient) this.client.close();
  }
}
