import { ApduTransportError } from '../apdu/response.js';
import type { Transport } from '../apdu/transport.js';
import { loadPcsc, type PcscContextHandle, type PcscReader, PcscUnavailableError } from './binding.js';
import { classify, pcscCode } from './errors.js';

export interface ReaderState {
  name: string;
  index: number;
  present: boolean;
  mute: boolean;
  inUse: boolean;
  exclusive: boolean;
  atr: Buffer | null;
}

export class PcscError extends Error {
  constructor(
    message: string,
    readonly fault: ReturnType<typeof classify>,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'PcscError';
  }
}

function wrap(e: unknown): PcscError {
  const msg = e instanceof Error ? e.message : String(e);
  return new PcscError(msg, classify(e), pcscCode(e));
}

const STATE_PRESENT = 0x20;
const STATE_MUTE = 0x200;
const STATE_INUSE = 0x100;
const STATE_EXCLUSIVE = 0x80;

export function describeState(name: string, index: number, state: number, atr?: Buffer): ReaderState {
  const present = (state & STATE_PRESENT) !== 0;
  return {
    name,
    index,
    present,
    mute: (state & STATE_MUTE) !== 0,
    inUse: (state & STATE_INUSE) !== 0,
    exclusive: (state & STATE_EXCLUSIVE) !== 0,
    atr: present && atr?.length ? Buffer.from(atr) : null,
  };
}

export interface ReaderEvent {
  type: 'reader-added' | 'reader-removed' | 'status';
  reader: string;
  state?: ReaderState;
}

/**
 * One PC/SC context (pcsclite). Readers and their states are tracked from pcsclite's events,
 * since `reader.state` is not kept current. Close it, or the process does not exit.
 */
export class PcscClient {
  private readonly ctx: PcscContextHandle;
  private readonly readers = new Map<string, { reader: PcscReader; state?: ReaderState; order: number }>();
  private listed = false;
  private order = 0;
  private closed = false;
  private readonly waiters: (() => void)[] = [];
  private listener?: (e: ReaderEvent) => void;
  private failure?: PcscError;

  private constructor(factory: () => PcscContextHandle) {
    try {
      this.ctx = factory();
    } catch (e) {
      throw new PcscUnavailableError(e instanceof Error ? e.message : String(e), 'service-down');
    }
    // pcsclite emits 'error' on close ("Command cancelled") and when pcscd goes away.
    this.ctx.on('error', (e: unknown) => {
      if (!this.closed) this.failure = wrap(e);
      this.wake();
    });
    const start = this.ctx.start.bind(this.ctx);
    // pcsclite calls start() on the next tick; hook it to learn when the first list is complete.
    this.ctx.start = (cb) =>
      start((err, data) => {
        cb(err, data);
        if (!err) {
          this.listed = true;
          this.wake();
        }
      });
    this.ctx.on('reader', (reader: PcscReader) => {
      const entry: { reader: PcscReader; state?: ReaderState; order: number } = { reader, order: this.order++ };
      this.readers.set(reader.name, entry);
      reader.on('error', () => {
        /* a reader that went away; 'end' follows */
      });
      reader.on('status', (s: { state: number; atr?: Buffer }) => {
        entry.state = describeState(reader.name, 0, s.state, s.atr);
        this.listener?.({ type: 'status', reader: reader.name, state: entry.state });
        this.wake();
      });
      reader.on('end', () => {
        this.readers.delete(reader.name);
        this.listener?.({ type: 'reader-removed', reader: reader.name });
        this.wake();
      });
      this.listener?.({ type: 'reader-added', reader: reader.name });
    });
  }

  static open(): PcscClient {
    return new PcscClient(loadPcsc());
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.failure) throw this.failure;
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return true;
  }

  /** Every reader with its current state, once pcscd has told us about all of them. */
  async readerStates(timeoutMs = 3000): Promise<ReaderState[]> {
    await this.until(() => this.listed && [...this.readers.values()].every((r) => r.state), timeoutMs);
    if (this.failure) throw this.failure;
    return [...this.readers.values()]
      .sort((a, b) => a.order - b.order)
      .map((r, index) => ({ ...(r.state ?? describeState(r.reader.name, index, 0)), index }));
  }

  onEvent(listener: (e: ReaderEvent) => void): void {
    this.listener = listener;
  }

  /** Resolves when pcscd goes away (or the context fails); never when closed by us. */
  lost(): Promise<PcscError> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.failure) resolve(this.failure);
        else if (!this.closed) this.waiters.push(check);
      };
      check();
    });
  }

  async connect(name: string, opts: { busyWaitMs?: number; keepClient?: boolean } = {}): Promise<PcscTransport> {
    const entry = this.readers.get(name);
    if (!entry) throw new PcscError(`no reader named ${name}`, 'no-reader');
    const reader = entry.reader;
    const deadline = Date.now() + (opts.busyWaitMs ?? 3000);
    for (;;) {
      try {
        // Exclusive: no other program can slip a command in between a VERIFY and what it
        // protects. pcsclite exposes no SCardBeginTransaction; an exclusive connection is the
        // stronger guarantee.
        const protocol = await new Promise<number>((resolve, reject) =>
          reader.connect(
            { share_mode: reader.SCARD_SHARE_EXCLUSIVE, protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 },
            (err, p) => (err ? reject(err) : resolve(p)),
          ),
        );
        const atr = entry.state?.atr ?? Buffer.alloc(0);
        return new PcscTransport(this, reader, protocol, atr, !opts.keepClient);
      } catch (e) {
        const w = wrap(e);
        if (w.fault === 'busy' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw w;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { reader } of this.readers.values()) {
      try {
        reader.close();
      } catch {
        /* already closed */
      }
    }
    try {
      this.ctx.close();
    } catch {
      /* already closed */
    }
  }
}

/** A card in a PC/SC reader, held exclusively until closed. */
export class PcscTransport implements Transport {
  readonly name: string;
  private open = true;

  constructor(
    private readonly client: PcscClient,
    private readonly reader: PcscReader,
    private readonly protocol: number,
    private readonly atrBytes: Buffer,
    private readonly closeClient: boolean,
  ) {
    this.name = reader.name;
  }

  atr(): Buffer {
    return this.atrBytes;
  }

  transmit(command: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (!this.open) return reject(new ApduTransportError('the card connection is closed', 'removed'));
      this.reader.transmit(command, 65538, this.protocol, (err, data) => {
        if (err) {
          const w = wrap(err);
          reject(
            new ApduTransportError(w.message, w.fault === 'removed' || w.fault === 'no-card' || w.fault === 'no-reader' ? 'removed' : 'io'),
          );
        } else resolve(data);
      });
    });
  }

  async close(resetCard = false): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const disposition = resetCard ? this.reader.SCARD_RESET_CARD : this.reader.SCARD_LEAVE_CARD;
    await new Promise<void>((r) => this.reader.disconnect(disposition, () => r()));
    if (this.closeClient) this.client.close();
  }
}
