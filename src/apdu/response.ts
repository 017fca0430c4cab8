import type { Said } from './said.js';
import { describeStatus, swHex } from './status.js';

export interface ResponseApdu {
  data: Buffer;
  sw: number;
}

export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new ApduTransportError('response shorter than the two status bytes', 'garbage', { id: 'tShort' });
  const n = bytes.length;
  // a copy (the caller keeps it; the transport may reuse its bytes), made in one step
  const data = Buffer.allocUnsafe(n - 2);
  Buffer.prototype.copy.call(bytes, data, 0, 0, n - 2);
  return { data, sw: (bytes[n - 2]! << 8) | bytes[n - 1]! };
}

export function encodeResponse(data: Uint8Array, sw: number): Buffer {
  return Buffer.concat([Buffer.from(data), Buffer.from([sw >> 8, sw & 0xff])]);
}

/** A status word the caller did not expect; carries it. */
export class ApduError extends Error {
  constructor(
    readonly sw: number,
    readonly operation: string,
  ) {
    super(`${operation}: card answered ${swHex(sw)} (${describeStatus(sw).meaning})`);
    this.name = 'ApduError';
  }
}

/** The link to the card failed (removed, reader gone, garbage). */
export class ApduTransportError extends Error {
  constructor(
    message: string,
    /** removed: the card left; io: the link failed; garbage: an answer that is no APDU; timeout: no answer in time. */
    readonly reason: 'removed' | 'io' | 'garbage' | 'timeout' = 'garbage',
    readonly said?: Said,
    /** Raised before the command left: the card never saw it (a PIN command's outcome is known: nothing). */
    readonly unsent = false,
    /** Where it happened, as the transport names it (a PC/SC reader and its card-event count). */
    readonly origin?: { reader: string; events: number },
  ) {
    super(message);
    this.name = 'ApduTransportError';
  }
}
