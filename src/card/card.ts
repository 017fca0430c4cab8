import type { PinPad } from '../apdu/transport.js';
import type { CnsAtrInfo } from './atr.js';
import type { CardId } from './efIdCarta.js';
import type { HashName } from './pkcs1.js';

export type SecretKind = 'pin' | 'puk';
/** The authentication keyset (CNS0, every card) or the signature keyset some cards add (CNS1). */
export type Keyset = 'auth' | 'signature';
export type SignatureLayout = 'cns1' | 'infocamere';

/** Tries left as the card reports them without spending one. null = the card would not say. */
export interface TriesState {
  triesLeft: number | null;
  blocked: boolean | null;
  /** The reference is verified in the current security state (the card answered 9000). */
  verified: boolean;
  /** The raw status word of the probe, for diagnostics (0 when not from an APDU). */
  sw: number;
  /** False when the source only knows a range (PKCS#11 token flags); absent means exact. */
  exact?: boolean;
  /** With `exact: false`: the least number of tries known to be left. */
  atLeast?: number;
}

/**
 * Raw access to the card's files, only where APDUs reach the card (PC/SC and the virtual card):
 * the holder data, the card id, and writing EF 1101 for the validity extension.
 */
export interface CardFiles {
  readCardId(): Promise<CardId>;
  readDatiPersonaliRaw(): Promise<Buffer>;
  /** EF 1101 as it is, all of it, padding included. */
  readCertificateEf(): Promise<Buffer>;
  fileSize(path: readonly number[]): Promise<number | undefined>;
  /** Write `data` at `offset` (default 0) of an EF; `onChunk` hears the bytes written so far. */
  writeFile(path: readonly number[], data: Uint8Array, o?: { offset?: number; onChunk?: (written: number) => void }): Promise<void>;
}

/** A PKCS#11 token as the module describes it. */
export interface TokenDescription {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  slot: string;
  module: { path: string; description: string; manufacturerID: string };
  /** Whether the token flags say anything about the card's counters. */
  flagsReliable: boolean;
}

/** What is known of the card besides its application: its ATR, or what a middleware says. */
export type CardOrigin = { kind: 'atr'; atr: CnsAtrInfo } | { kind: 'token'; token: TokenDescription };

/**
 * One TS-CNS, whichever way it is reached: raw APDUs (PC/SC, the virtual card) or a PKCS#11
 * module. Every PIN/PUK operation sends its secret exactly once and never retries it.
 */
export interface Card {
  /** The reader, slot or image the card is in. */
  readonly name: string;
  readonly origin: CardOrigin;
  /** A PIN or PUK was verified: the card holds a security state worth clearing on release. */
  readonly securityStateChanged: boolean;
  /** Raw file access, or null where the backend cannot reach the files (PKCS#11). */
  readonly files: CardFiles | null;
  tries(kind: SecretKind, keyset?: Keyset): Promise<TriesState>;
  verify(kind: SecretKind, secret: string, keyset?: Keyset): Promise<void>;
  changePin(current: string, next: string, keyset?: Keyset): Promise<void>;
  unblockPin(puk: string, newPin: string, keyset?: Keyset): Promise<void>;
  /** The reader's PIN pad, or null; absent where the backend cannot use one (PKCS#11, a card image). */
  pinpad?(): Promise<PinPad | null>;
  /** VERIFY or CHANGE with the PIN typed on the reader's pad (see CnsCardSession.onPad). */
  onPad?(op: 'verify' | 'change', keyset?: Keyset, timeoutSeconds?: number): Promise<void>;
  /** The DER certificate of a keyset (EF 1101 or 9010 without padding, or the token's object). */
  readCertificate(keyset?: Keyset): Promise<Buffer>;
  /** Whether the card carries the signature keyset (false where that cannot be known). */
  hasSignatureKeyset(): Promise<boolean>;
  /**
   * Which signature layout, once `hasSignatureKeyset` found one: OpenSC's "CNS1" (certificate
   * 1400/9010, its own PIN 1A and PUK 1B) or the older InfoCamere 1204 "CNS01" (certificate in
   * 2FFF/8228 from offset 5, under the CNS PIN and PUK).
   */
  readonly signatureLayout?: SignatureLayout | null;
  /** Where the authentication certificate was found (card/files.ts AUTH_LAYOUTS), once read; absent through PKCS#11. */
  readonly authLayout?: 'cns' | 'idemia2021' | 'ace2025';
  /** RSASSA-PKCS1-v1_5 signature with the authentication key; the PIN must be verified. */
  sign(message: Uint8Array, hash: HashName, modulusBytes: number): Promise<Buffer>;
}
