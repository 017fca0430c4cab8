/**
 * What a reader gives: bytes in, bytes out. Knows nothing of any card family.
 * A transaction is exclusive access to the card across several APDUs (PC/SC SCardBeginTransaction).
 */
export interface Transport {
  /** Human-readable name of the reader or virtual card. */
  readonly name: string;
  atr(): Buffer;
  transmit(command: Buffer): Promise<Buffer>;
  beginTransaction(): Promise<void>;
  endTransaction(): Promise<void>;
  /** Warm reset: the card's security state is cleared. */
  reset(): Promise<void>;
  /** Set to reset the card when it is released, so no verified PIN outlives the command. */
  resetOnClose?: boolean;
  close(): Promise<void>;
}
