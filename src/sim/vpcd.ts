import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { writeTarget } from '../util/fs.js';
import { VirtualCard } from './card.js';
import { ImageLock, loadImage, saveImage } from './image.js';

/**
 * The virtual card in a real reader: a TCP client of vpcd (vsmartcard), which pcscd shows as
 * "Virtual PCD 00 0x". Wire format both ways: 2-byte big-endian length, then the bytes. A
 * 1-byte message from vpcd is a control code: 00 power off, 01 power on, 02 reset (no reply),
 * 04 "send your ATR". Anything longer is a command APDU; the reply is the response APDU.
 * Closing the socket is the card leaving the reader.
 */
export interface AttachOptions {
  host: string;
  port: number;
  /** Fault injection for tests: leave the reader after this many APDUs. */
  leaveAfter?: number;
  /** Fault injection for tests: stay in the reader but answer nothing after this many APDUs. */
  muteAfter?: number;
  /** Fault injection for tests: answer `garbage` instead of the card after this many APDUs. */
  garbageAfter?: number;
  /** What to answer then (default: one byte 90, no status word; empty, 6110 for endless 61xx...). */
  garbage?: Buffer;
  /** Called for every APDU (for counting; never logged, it may carry a PIN). */
  onApdu?: (command: Buffer, response: Buffer) => void;
  /** What happens, as an event and its values: the caller says it in the user's language. */
  log?: (event: AttachEvent, params?: Record<string, string | number>) => void;
  /** How long to wait between attempts when vpcd is not there (pcscd not running). */
  retryMs?: number;
  /** Keep {apdus, bytes} in this file, rewritten after every APDU (for the benchmark). */
  statsFile?: string;
  /**
   * A physical reader and card, for the benchmark: each answer waits `perApduMs` plus 11 bit
   * times per byte (command and response) at `baud`.
   */
  latency?: { perApduMs: number; baud: number };
}

/** How long a physical card would take for one exchange, in the latency model. */
export function exchangeMs(latency: { perApduMs: number; baud: number }, commandBytes: number, responseBytes: number): number {
  return latency.perApduMs + ((commandBytes + responseBytes) * 11 * 1000) / latency.baud;
}

export type LeaveReason = 'stopped' | 'fault';

export type AttachEvent =
  | 'inserted'
  | 'removed'
  | 'unreachable'
  | 'powerOff'
  | 'powerOn'
  | 'reset'
  | 'unknownControl'
  | 'faultLeave'
  | 'faultMute';

/**
 * Keeps the card in the reader: reconnects when vpcd goes away (pcscd restarted) until
 * stopped. The image stays locked the whole time: the card is in a reader, not on the desk.
 */
export class VpcdLink {
  private readonly card: VirtualCard;
  private readonly lock: ImageLock;
  private socket?: Socket;
  private stopped?: LeaveReason;
  private timer?: NodeJS.Timeout;
  private finish!: (r: LeaveReason) => void;
  readonly done: Promise<LeaveReason>;
  apdus = 0;
  bytes = 0;
  connected = false;

  constructor(
    imagePath: string,
    private readonly o: AttachOptions,
  ) {
    // a symbolic link is the card it points to: the same lock as a command on the target takes
    const path = writeTarget(imagePath);
    this.lock = new ImageLock(path, 2000, 'attach');
    this.lock.acquire();
    try {
      this.card = new VirtualCard(loadImage(path), (img) => saveImage(path, img));
    } catch (e) {
      this.lock.release();
      throw e;
    }
    this.done = new Promise((r) => (this.finish = r));
    this.connect();
  }

  private log(event: AttachEvent, params?: Record<string, string | number>): void {
    this.o.log?.(event, params);
  }

  private unreachableSaid = false;

  private connect(): void {
    if (this.stopped) return;
    const socket = connect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    socket.on('connect', () => {
      this.connected = true;
      this.unreachableSaid = false;
      this.log('inserted', { vpcd: `${this.o.host}:${this.o.port}` });
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        if (!this.handle(socket, msg)) return;
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // 'close' follows, and a new try; say once that nobody listens, not silence
      if (!this.connected && !this.unreachableSaid) {
        this.unreachableSaid = true;
        this.log('unreachable', { vpcd: `${this.o.host}:${this.o.port}`, code: e.code ?? e.message });
      }
    });
    socket.on('close', () => {
      if (this.connected) this.log('removed');
      this.connected = false;
      if (this.stopped) {
        this.end();
        return;
      }
      this.timer = setTimeout(() => this.connect(), this.o.retryMs ?? 250);
    });
  }

  private send(socket: Socket, payload: Buffer): void {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length);
    socket.write(Buffer.concat([len, payload]));
  }

  private handle(socket: Socket, msg: Buffer): boolean {
    if (msg.length === 1) {
      const code = msg[0]!;
      if (code <= 0x02) {
        this.card.reset();
        this.log((['powerOff', 'powerOn', 'reset'] as const)[code]!);
      } else if (code === 0x04) this.send(socket, this.card.atr);
      else this.log('unknownControl', { code });
      return true;
    }
    if (this.o.leaveAfter !== undefined && this.apdus >= this.o.leaveAfter) {
      this.log('faultLeave', { n: this.apdus });
      this.stop('fault');
      return false;
    }
    if (this.o.muteAfter !== undefined && this.apdus >= this.o.muteAfter) {
      this.log('faultMute', { n: this.apdus });
      return true;
    }
    if (this.o.garbageAfter !== undefined && this.apdus >= this.o.garbageAfter) {
      this.send(socket, this.o.garbage ?? Buffer.from([0x90]));
      return true;
    }
    const response = this.card.transmit(msg);
    this.apdus++;
    this.bytes += msg.length + response.length;
    this.o.onApdu?.(Buffer.from(msg), response);
    if (this.o.statsFile) writeFileSync(this.o.statsFile, JSON.stringify({ apdus: this.apdus, bytes: this.bytes }));
    if (this.o.latency) {
      // vpcd waits for this answer before the next command: a delay keeps the order
      const delay = exchangeMs(this.o.latency, msg.length, response.length);
      setTimeout(() => {
        if (!socket.destroyed) this.send(socket, response);
      }, delay);
    } else this.send(socket, response);
    return true;
  }

  stop(reason: LeaveReason = 'stopped'): void {
    if (this.stopped) return;
    this.stopped = reason;
    if (this.timer) clearTimeout(this.timer);
    if (this.socket && !this.socket.destroyed) this.socket.destroy();
    else this.end();
  }

  private end(): void {
    this.lock.release();
    this.finish(this.stopped ?? 'stopped');
  }
}
