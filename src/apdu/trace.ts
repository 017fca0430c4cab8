import { toHex } from './bytes.js';
import { decodeCommand } from './command.js';
import { describeStatus, swHex } from './status.js';

/**
 * Instructions whose data field carries a PIN or PUK. Their data never reaches a trace:
 * VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER (ISO 7816-4), plus the even/odd variants.
 */
const SECRET_INS = new Set([0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d]);

export type TraceSink = (line: string) => void;

/** One line for a command APDU, with secret data replaced by its length. */
export function formatCommandForTrace(bytes: Uint8Array): string {
  if (bytes.length >= 2 && SECRET_INS.has(bytes[1]!)) {
    try {
      const c = decodeCommand(bytes);
      const head = toHex(Buffer.from([c.cla, c.ins, c.p1, c.p2]));
      const n = c.data?.length ?? 0;
      return n > 0 ? `${head} [${n} bytes redacted]` : head;
    } catch {
      return `${toHex(bytes.subarray(0, 4))} [redacted]`;
    }
  }
  return toHex(bytes);
}

/**
 * One line for a response. `triesRead`: it answers a VERIFY without data, the harmless way to read
 * the tries left, where 63Cx is no failed verification but the count ("tries left: 3").
 */
export function formatResponseForTrace(bytes: Uint8Array, triesRead = false): string {
  if (bytes.length < 2) return `${toHex(bytes)} (malformed)`;
  const sw = (bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]!;
  const data = bytes.subarray(0, bytes.length - 2);
  const info = describeStatus(sw);
  const label = triesRead && (sw & 0xfff0) === 0x63c0 ? `tries left: ${sw & 0x0f}` : info.name;
  return `${data.length ? `${toHex(data)} ` : ''}${swHex(sw)} ${label}`;
}

/** VERIFY (20) with no data: reads the tries left without spending one. */
function isTriesRead(bytes: Uint8Array): boolean {
  return bytes.length === 4 && bytes[1] === 0x20;
}

export class ApduTracer {
  private readonly started = performance.now();
  private triesRead = false;
  constructor(private readonly sink: TraceSink) {}

  command(bytes: Uint8Array): void {
    this.triesRead = isTriesRead(bytes);
    this.sink(`[${this.elapsed()}] > ${formatCommandForTrace(bytes)}`);
  }

  response(bytes: Uint8Array, ms: number): void {
    this.sink(`[${this.elapsed()}] < ${formatResponseForTrace(bytes, this.triesRead)} (${ms.toFixed(1)} ms)`);
  }

  private elapsed(): string {
    return `${((performance.now() - this.started) / 1000).toFixed(3)}s`;
  }
}
