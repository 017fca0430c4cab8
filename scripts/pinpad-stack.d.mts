// Types of scripts/pinpad-stack.mjs (the test stack's PIN-pad readers); the module's header says how it works.

export interface PinpadReader {
  /** 0: the PIN pad, 1: the plain reader (no PIN features). */
  index: number;
  /** The reader's name in PC/SC, e.g. "CNS Test PINpad 00 00". */
  name: string;
  friendly: string;
  /** Where its card (`cns sim attach --vpcd 127.0.0.1:PORT`) connects. */
  port: number;
  pinpad: boolean;
}

export interface PinpadStartOptions {
  /** The keypad's PIN length limits (reported and enforced); default 4 and 8. */
  min?: number;
  max?: number;
  /** A 2x16 display (wLcdLayout 0x0210); default none. */
  display?: boolean;
  /** Keep vpcd's "Virtual PCD 00 00/01" too (listed after the PIN-pad readers); default false. */
  vpcd?: boolean;
}

/** One PIN operation from the driver's log. */
export interface PinpadEntry {
  op: 'verify' | 'modify';
  /** "typed 5 digits", "typed 5+6 digits", "cancelled", "timeout", "waited 300 ms, timeout",
   * "length 3 out of range 4-8", "confirmation differs", "card removed during entry", "no card",
   * "nothing typed", "bad structure (why)". */
  outcome: string;
  /** Whether an APDU reached the card. */
  sent: boolean;
  /** "SW 9000", "SW 63C2", "SW 6401"..., or "error" / "error (why)". */
  result: string;
}

/** One PIN structure the reader received (hex as sent). */
export interface PinpadRequest {
  op: 'verify' | 'modify';
  /** CLA INS P1 P2 of the APDU template, e.g. "00200010" (VERIFY, PIN CNS0). */
  apdu: string;
  /** bmFormatString, bmPINBlockString, bmPINLengthFormat, e.g. "82", "08", "00". */
  format: string;
  block: string;
  length: string;
  /** The PIN length range the keypad enforced (the request's narrowed by the reader's). */
  min: number;
  max: number;
  /** bTimerOut in seconds (0: the reader's default, 30 s). */
  timeout: number;
  /** MODIFY: bConfirmPIN ("03": current PIN, new PIN twice) and the block offsets [old, new]. */
  confirm?: string;
  offsets?: number[];
}

export const READERS: PinpadReader[];
export const PINPAD_DIR: string;
/** Compile the driver when missing or older than its source; returns the .so path. */
export function build(): string;
/** Stop the shared pcscd and start one with the two PIN-pad test readers. */
export function start(opts?: PinpadStartOptions): Promise<void>;
/** Pull the cards, stop that pcscd, start the shared one again. */
export function stop(): Promise<void>;
/** Put a card image in a reader (0: pad, 1: plain); resolves when pcscd sees it; returns the sim's pid. */
export function attach(image: string, reader?: number, extra?: string[]): Promise<number>;
/** Pull the card out; resolves when pcscd sees the reader empty. */
export function detach(reader?: number, signal?: NodeJS.Signals): Promise<void>;
/** Replace what the person will type: one line per PIN entry (digits, "+MS digits", CANCEL, TIMEOUT, WAIT [MS], REMOVE [MS]). */
export function type(reader: number, lines: string[]): void;
/** The typed lines not consumed yet. */
export function typedLeft(reader: number): string[];
/** The driver's log lines, without timestamps. */
export function log(reader: number): string[];
/** The PIN operations in the driver's log. */
export function entries(reader: number): PinpadEntry[];
/** The PIN structures the reader received, from its log. */
export function requests(reader: number): PinpadRequest[];
/** Empty a reader's log and typed file. */
export function clearLog(reader: number): void;
export function status(): Record<string, unknown>;
