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
  2148532225: 'Internal error.',
  2148532226: 'Command cancelled.',
  2148532227: 'Invalid handle.',
  2148532228: 'Invalid parameter given.',
  2148532230: 'Not enough memory.',
  2148532232: 'Insufficient buffer.',
  2148532233: 'Unknown reader specified.',
  2148532234: 'Command timeout.',
  2148532235: 'Sharing violation.',
  2148532236: 'No smart card inserted.',
  2148532237: 'Unknown card.',
  2148532239: 'Card protocol mismatch.',
  2148532240: 'Subsystem not ready.',
  2148532243: 'RPC transport error.',
  2148532244: 'Unknown error.',
  2148532246: 'Transaction failed.',
  2148532247: 'Reader is unavailable.',
  2148532253: 'Service not available.',
  2148532254: 'Service was stopped.',
  2148532270: 'Cannot find a smart card reader.',
  2148532325: 'Card is not supported.',
  2148532326: 'Card is unresponsive.',
  2148532327: 'Card is unpowered.',
  2148532328: 'Card was reset.',
  2148532329: 'Card was removed.',
};

/** Every PC/SC return code this module has words for. */
export function knownPcscCodes(): number[] {
  return Object.keys(TEXT).map(Number);
}

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
