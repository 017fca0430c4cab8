/** PC/SC return codes (pcsc-lite's pcsclite.h; the same values in winscard.h), by what they mean for a user. */
export const SCARD_E = {
  F_INTERNAL_ERROR: 0x80100001,
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_INSUFFICIENT_BUFFER: 0x80100008,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  E_NOT_READY: 0x80100010,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

/** The wording pcsc-lite's pcsc_stringify_error uses, so messages read the same on every platform. */
const TEXT: Record<number, string> = {
  0x80100001: 'Internal error.',
  0x80100002: 'Command cancelled.',
  0x80100003: 'Invalid handle.',
  0x80100004: 'Invalid parameter given.',
  0x80100006: 'Not enough memory.',
  0x80100008: 'Insufficient buffer.',
  0x80100009: 'Unknown reader specified.',
  0x8010000a: 'Command timeout.',
  0x8010000b: 'Sharing violation.',
  0x8010000c: 'No smart card inserted.',
  0x8010000d: 'Unknown card.',
  0x8010000f: 'Card protocol mismatch.',
  0x80100010: 'Subsystem not ready.',
  0x80100013: 'RPC transport error.',
  0x80100014: 'Unknown error.',
  0x80100016: 'Transaction failed.',
  0x80100017: 'Reader is unavailable.',
  0x8010001d: 'Service not available.',
  0x8010001e: 'Service was stopped.',
  0x8010002e: 'Cannot find a smart card reader.',
  0x80100065: 'Card is not supported.',
  0x80100066: 'Card is unresponsive.',
  0x80100067: 'Card is unpowered.',
  0x80100068: 'Card was reset.',
  0x80100069: 'Card was removed.',
};

/** "SCardConnect error: Sharing violation.(0x8010000b)" */
export function pcscMessage(fn: string, rv: number): string {
  return `${fn} error: ${TEXT[rv] ?? 'Unknown error.'}(0x${rv.toString(16).padStart(8, '0')})`;
}

export type PcscFault = 'service' | 'no-reader' | 'no-card' | 'removed' | 'busy' | 'unresponsive' | 'other';

export function classify(rv: number | undefined): PcscFault {
  switch (rv) {
    case SCARD_E.E_NO_SERVICE:
    case SCARD_E.E_SERVICE_STOPPED:
    case SCARD_E.F_COMM_ERROR:
      return 'service';
    case SCARD_E.E_UNKNOWN_READER:
    case SCARD_E.E_READER_UNAVAILABLE:
    case SCARD_E.E_NO_READERS_AVAILABLE:
      return 'no-reader';
    case SCARD_E.E_NO_SMARTCARD:
      return 'no-card';
    case SCARD_E.W_REMOVED_CARD:
    case SCARD_E.W_RESET_CARD:
    case SCARD_E.E_NOT_TRANSACTED:
    case SCARD_E.E_INVALID_HANDLE:
      return 'removed';
    case SCARD_E.E_SHARING_VIOLATION:
      return 'busy';
    case SCARD_E.W_UNRESPONSIVE_CARD:
    case SCARD_E.W_UNPOWERED_CARD:
    case SCARD_E.E_PROTO_MISMATCH:
    case SCARD_E.E_TIMEOUT:
      return 'unresponsive';
    default:
      return 'other';
  }
}
