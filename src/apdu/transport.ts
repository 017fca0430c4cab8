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
  /** The reader's PIN pad (secure PIN entry, PC/SC part 10), or null where it has none. Absent: no way to ask. */
  pinpad?(): Promise<PinPad | null>;
}

/** How the reader puts the typed PIN into the command (PC/SC part 10's format, as a card needs it). */
export interface PinBlockFormat {
  /** ASCII digits (the CNS), BCD, or binary. */
  encoding: 'ascii' | 'bcd' | 'binary';
  /** The PIN block's length in bytes (the command's data), padded with what the template carries. */
  blockLength: number;
  /** The PIN's length range the card takes; narrowed to the reader's own. */
  minLength: number;
  maxLength: number;
}

/** What a reader's keypad offers, as `readers --json`, `status --json` and the doctor say it. */
export interface PinPadInfo {
  verify: true;
  /** It takes a PIN change too (MODIFY PIN DIRECT). */
  modify: boolean;
  minLength: number | null;
  maxLength: number | null;
  display: boolean;
}

/** A keypad's description, from what it is. */
export function pinPadInfo(pad: PinPad): PinPadInfo {
  return { verify: true, modify: pad.canModify, minLength: pad.minLength, maxLength: pad.maxLength, display: pad.display };
}

/** A reader's keypad: the person types the PIN on it; the computer never sees it. */
export interface PinPad {
  /** The PIN lengths the reader accepts (from its properties; null where it does not say). */
  readonly minLength: number | null;
  readonly maxLength: number | null;
  /** It has a display (its own messages are shown). */
  readonly display: boolean;
  /** It can take a PIN change (MODIFY PIN DIRECT), not only a VERIFY. */
  readonly canModify: boolean;
  /**
   * VERIFY on the pad: `template` is the command with the block padded (the reader puts the PIN
   * in). Resolves with the status word: the card's, or the reader's own 64 00 (timeout),
   * 64 01 (cancelled), 64 02 (confirmation differs), 64 03 (length out of range).
   */
  verify(template: Buffer, format: PinBlockFormat, timeoutSeconds: number): Promise<number>;
  /** CHANGE on the pad: the current PIN at offset 0 of the data, the new one at `blockLength`, asked twice. */
  modify(template: Buffer, format: PinBlockFormat, timeoutSeconds: number): Promise<number>;
}
