/** PC/SC return codes (pcsc-lite's pcsclite.h), by what they mean for a user. */
export const SCARD = {
  E_CANCELLED: 0x80100002,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
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

/** The code in a pcsclite error message: "SCardConnect error: Sharing violation.(0x8010000b)". */
export function pcscCode(e: unknown): number | undefined {
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(e instanceof Error ? e.message : String(e));
  return m ? parseInt(m[1]!, 16) : undefined;
}

export type PcscFault = 'service' | 'no-reader' | 'no-card' | 'removed' | 'busy' | 'unresponsive' | 'other';

export function classify(e: unknown): PcscFault {
  switch (pcscCode(e)) {
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return 'service';
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_READER_UNAVAILABLE:
    case SCARD.E_NO_READERS_AVAILABLE:
      return 'no-reader';
    case SCARD.E_NO_SMARTCARD:
      return 'no-card';
    case SCARD.W_REMOVED_CARD:
    case SCARD.W_RESET_CARD:
    case SCARD.E_NOT_TRANSACTED:
      return 'removed';
    case SCARD.E_SHARING_VIOLATION:
      return 'busy';
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.E_PROTO_MISMATCH:
      return 'unresponsive';
    default:
      return 'other';
  }
}
