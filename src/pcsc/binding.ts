import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** The subset of the `pcsclite` module this project uses (it ships loose typings). */
export interface PcscReader extends EventEmitter {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_STATE_EXCLUSIVE: number;
  SCARD_STATE_INUSE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: Error | null | undefined, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null | undefined, response: Buffer) => void): void;
  close(): void;
}

export interface PcscContextHandle extends EventEmitter {
  start(cb: (err: Error | undefined, data: Buffer) => void): void;
  close(): void;
  readers: Record<string, PcscReader>;
}

export type PcscFactory = () => PcscContextHandle;

export class PcscUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: 'module-missing' | 'service-down',
  ) {
    super(message);
    this.name = 'PcscUnavailableError';
  }
}

let cached: PcscFactory | undefined;

/**
 * Load the native binding lazily. It is an optional dependency (it needs libpcsclite-dev to
 * build): without it the tool still runs on the virtual card and says how to enable PC/SC.
 */
export function loadPcsc(): PcscFactory {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require('pcsclite') as PcscFactory;
  } catch (e) {
    throw new PcscUnavailableError(`the pcsclite module is not installed (${(e as Error).message.split('\n')[0]})`, 'module-missing');
  }
  return cached;
}
