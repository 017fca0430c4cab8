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
   * Whether the card is still in the reader, as the reader says now, without talking to the card.
   * Asked right before a PIN command, so that a card pulled at the PIN prompt is told apart from
   * one pulled while the command was in flight (whose outcome is unknown). Absent: cannot tell.
   */
  present?(): Promise<boolean>;
  /**
   * Release the card. `resetCard`: reset it on the way out, so that no verified PIN outlives the
   * command for another program (a virtual card forgets its security state on release anyway).
   */
  close(resetCard?: boolean): Promise<void>;
}
