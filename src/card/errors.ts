import type { Said } from '../apdu/said.js';
import { swHex } from '../apdu/status.js';
import type { SecretKind } from './card.js';

/** What went wrong at the card-application level, in the card's terms. */
export type CardErrorCode =
  | 'PIN_INCORRECT'
  | 'PUK_INCORRECT'
  | 'PIN_BLOCKED'
  | 'PUK_BLOCKED'
  | 'SECURITY_STATUS'
  | 'FILE_NOT_FOUND'
  | 'CARD_UNSUPPORTED'
  /** A CNS whose authentication certificate is not where this version looks: the card is fine. */
  | 'LAYOUT_UNKNOWN'
  | 'CARD_ERROR'
  | 'INVALID_PIN_FORMAT'
  | 'NOT_SUPPORTED';

export interface CardErrorDetails {
  sw?: number;
  triesLeft?: number;
  operation?: string;
  blockedNow?: boolean;
  /** the message id and facts for a user-facing text */
  said?: Said;
}

export class CardError extends Error {
  constructor(
    readonly code: CardErrorCode,
    message: string,
    readonly details: CardErrorDetails = {},
  ) {
    super(details.sw !== undefined ? `${message} (SW ${swHex(details.sw)})` : message);
    this.name = 'CardError';
  }
}

const NAME: Record<SecretKind, string> = { pin: 'PIN', puk: 'PUK' };
const WRONG: Record<SecretKind, CardErrorCode> = { pin: 'PIN_INCORRECT', puk: 'PUK_INCORRECT' };
const BLOCKED: Record<SecretKind, CardErrorCode> = { pin: 'PIN_BLOCKED', puk: 'PUK_BLOCKED' };

/**
 * The card counted a wrong PIN or PUK. `triesLeft` is what it said is left (null: it did not
 * say); 0 means this very attempt blocked the secret.
 */
export class WrongSecretError extends CardError {
  constructor(
    readonly kind: SecretKind,
    readonly triesLeft: number | null,
    details: { sw?: number; operation: string },
  ) {
    const blockedNow = triesLeft === 0;
    super(blockedNow ? BLOCKED[kind] : WRONG[kind], blockedNow ? `${NAME[kind]} blocked` : `wrong ${NAME[kind]}`, {
      ...details,
      triesLeft: triesLeft ?? undefined,
      ...(blockedNow ? { blockedNow } : {}),
    });
    this.name = 'WrongSecretError';
  }
}

/** The PIN or PUK was blocked already: the card refused it without counting anything. */
export class SecretBlockedError extends CardError {
  constructor(
    readonly kind: SecretKind,
    details: { sw?: number; operation: string },
  ) {
    super(BLOCKED[kind], `${NAME[kind]} blocked`, { ...details, triesLeft: 0 });
    this.name = 'SecretBlockedError';
  }
}

/**
 * The reader's keypad ended the entry itself (PC/SC part 10): the person cancelled (64 01), did
 * not finish in time (64 00), typed a confirmation that differs (64 02) or a PIN of a length the
 * pad refuses (64 03). Nothing reached the card: no try was spent.
 */
export class PinpadError extends Error {
  constructor(
    readonly reason: 'timeout' | 'cancelled' | 'mismatch' | 'length',
    readonly sw: number,
  ) {
    super(`PIN pad: ${reason} (SW ${swHex(sw)})`);
    this.name = 'PinpadError';
  }
}
