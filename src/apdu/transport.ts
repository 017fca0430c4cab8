/**
 * What a reader gives: bytes in, bytes out. Knows nothing of any card family.
 *
 * Exclusivity: a transport holds the card alone for as long as it is open. PC/SC connects shared
 * and holds a transaction from the first APDU to the last, so no other program can send a command
 * between a VERIFY and what it protects, yet a browser keeps its own connection; the virtual card
 * holds its image lock.
 */
export interface Transport {
  /** Human-readable name of the reader or virtual card. */
  readonly name: string;
  atr(): Buffer;
  /** `deadlineMs`: give up (ApduTransportError 'timeout') when the card has not answered by then. */
  transmit(command: Buffer, deadlineMs?: number): Promise<Buffer>;
  /**
   * Release the card. `resetCard`: reset it on the way out, so that no verified PIN outlives the
   * command for another program (a virtual card forgets its security state on release anyway).
   */
  close(resetCard?: boolean): Promise<void>;
}
