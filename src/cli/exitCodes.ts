/** Exit codes: stable for scripts, documented in the README and `cns --help`. */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  WRONG_SECRET: 3,
  BLOCKED: 4,
  NO_SERVICE: 5,
  NO_CARD: 6,
  UNSUPPORTED: 7,
  CERT: 8,
  REFUSED: 9,
  NOT_ELIGIBLE: 10,
  REMOTE: 11,
} as const;

export type ErrorCode =
  | 'USAGE'
  | 'INVALID_INPUT'
  | 'INVALID_PIN_FORMAT'
  | 'INVALID_PUK_FORMAT'
  | 'PIN_MISMATCH'
  | 'NO_SECRET_SOURCE'
  | 'PIN_INCORRECT'
  | 'PUK_INCORRECT'
  | 'PIN_BLOCKED'
  | 'PUK_BLOCKED'
  | 'NO_READER'
  | 'READER_UNKNOWN'
  | 'READER_AMBIGUOUS'
  | 'PCSC_UNAVAILABLE'
  | 'PKCS11_UNAVAILABLE'
  | 'PKCS11_MODULE_ERROR'
  | 'PKCS11_NOT_SUPPORTED'
  | 'CARD_BUSY'
  | 'NO_CARD'
  | 'CARD_REMOVED'
  | 'CARD_NOT_ANSWERING'
  | 'CARD_BAD_ANSWER'
  | 'IMAGE_INVALID'
  | 'CARD_UNSUPPORTED'
  | 'CARD_ERROR'
  | 'NO_CERTIFICATE'
  | 'CERT_EXPIRED'
  | 'CERT_EXPIRING'
  | 'CERT_NOT_YET_VALID'
  | 'LAST_ATTEMPT_REFUSED'
  | 'DECLINED'
  | 'NOT_ELIGIBLE'
  | 'SERVICE_ERROR'
  | 'EXTENSION_PENDING'
  | 'NOTHING_TO_RESUME'
  | 'WRITE_VERIFY_FAILED'
  | 'FILE_EXISTS'
  | 'IO_ERROR'
  | 'INTERNAL';

export const EXIT_FOR: Record<ErrorCode, number> = {
  USAGE: EXIT.USAGE,
  INVALID_INPUT: EXIT.USAGE,
  INVALID_PIN_FORMAT: EXIT.USAGE,
  INVALID_PUK_FORMAT: EXIT.USAGE,
  PIN_MISMATCH: EXIT.USAGE,
  NO_SECRET_SOURCE: EXIT.USAGE,
  FILE_EXISTS: EXIT.USAGE,
  PIN_INCORRECT: EXIT.WRONG_SECRET,
  PUK_INCORRECT: EXIT.WRONG_SECRET,
  PIN_BLOCKED: EXIT.BLOCKED,
  PUK_BLOCKED: EXIT.BLOCKED,
  NO_READER: EXIT.NO_SERVICE,
  READER_UNKNOWN: EXIT.NO_SERVICE,
  READER_AMBIGUOUS: EXIT.USAGE,
  PCSC_UNAVAILABLE: EXIT.NO_SERVICE,
  PKCS11_UNAVAILABLE: EXIT.NO_SERVICE,
  PKCS11_MODULE_ERROR: EXIT.INTERNAL,
  PKCS11_NOT_SUPPORTED: EXIT.UNSUPPORTED,
  CARD_BUSY: EXIT.NO_SERVICE,
  NO_CARD: EXIT.NO_CARD,
  CARD_REMOVED: EXIT.NO_CARD,
  CARD_NOT_ANSWERING: EXIT.UNSUPPORTED,
  CARD_BAD_ANSWER: EXIT.UNSUPPORTED,
  IMAGE_INVALID: EXIT.UNSUPPORTED,
  CARD_UNSUPPORTED: EXIT.UNSUPPORTED,
  CARD_ERROR: EXIT.UNSUPPORTED,
  NO_CERTIFICATE: EXIT.UNSUPPORTED,
  CERT_EXPIRED: EXIT.CERT,
  CERT_EXPIRING: EXIT.CERT,
  CERT_NOT_YET_VALID: EXIT.CERT,
  LAST_ATTEMPT_REFUSED: EXIT.REFUSED,
  DECLINED: EXIT.REFUSED,
  NOT_ELIGIBLE: EXIT.NOT_ELIGIBLE,
  SERVICE_ERROR: EXIT.REMOTE,
  EXTENSION_PENDING: EXIT.USAGE,
  NOTHING_TO_RESUME: EXIT.USAGE,
  WRITE_VERIFY_FAILED: EXIT.UNSUPPORTED,
  IO_ERROR: EXIT.INTERNAL,
  INTERNAL: EXIT.INTERNAL,
};

export const EXIT_TABLE_TEXT = `Exit codes:
  0  success
  1  internal error, or a PKCS#11 module that crashed, hung or would not load
  2  usage error or invalid input (nothing was sent to the card)
  3  wrong PIN or PUK (the card counted an attempt)
  4  PIN or PUK blocked
  5  smart-card service unavailable, no reader (or PKCS#11 module), or card in use
  6  no card, or card removed during the operation
  7  card not a supported TS-CNS, unreadable, not answering or answering garbage
     (or not possible through that module)
  8  certificate expired, not yet valid or expiring (cert check)
  9  refused: last attempt without confirmation, or the user declined
  10 not eligible (validity extension)
  11 remote service error (validity extension)`;
