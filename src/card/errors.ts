import { swHex } from '../apdu/status.js';

/** What went wrong at the card-application level, in the card's terms. */
export type CardErrorCode =
  | 'PIN_INCORRECT'
  | 'PUK_INCORRECT'
  | 'PIN_BLOCKED'
  | 'PUK_BLOCKED'
  | 'SECURITY_STATUS'
  | 'FILE_NOT_FOUND'
  | 'CARD_UNSUPPORTED'
  | 'CARD_ERROR'
  | 'INVALID_PIN_FORMAT'
  | 'NOT_SUPPORTED';

export class CardError extends Error {
  constructor(
    readonly code: CardErrorCode,
    message: string,
    readonly details: { sw?: number; triesLeft?: number; operation?: string; blockedNow?: boolean } = {},
  ) {
    super(details.sw !== undefined ? `${message} (SW ${swHex(details.sw)})` : message);
    this.name = 'CardError';
  }
}
