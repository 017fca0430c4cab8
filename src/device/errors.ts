import { ApduTransportError } from '../apdu/response.js';
import { PcscError } from '../pcsc/client.js';
import { PcscUnavailableError } from '../pcsc/winscard.js';
import { ImageError } from '../sim/imageError.js';

/** Why a card could not be opened, in the device's terms (the CLI says it in the user's language). */
export type DeviceErrorCode =
  | 'BAD_READER_SPEC'
  | 'SIM_THROUGH_PKCS11'
  | 'NO_READER'
  | 'READER_UNKNOWN'
  | 'READER_AMBIGUOUS'
  | 'NO_CARD'
  | 'NOT_CNS'
  | 'NO_PKCS11_MODULE'
  | 'TOKEN_NOT_RECOGNIZED'
  | 'TOKEN_UNREADABLE';

export interface DeviceErrorInfo {
  /** The reader or slot concerned, or the --reader text that matched nothing. */
  reader?: string;
  /** What could have been meant: readers or slots, each as `index: "name"`. */
  candidates?: string[];
  /** NOT_CNS: the ATR (hex) and why it is not a CNS. */
  atr?: string;
  reason?: string;
  /** NOT_CNS: its files were read (without a PIN) and are not a CNS's either. */
  probed?: boolean;
  /** TOKEN_*: what the module said. */
  detail?: string;
}

export class DeviceError extends Error {
  constructor(
    readonly code: DeviceErrorCode,
    readonly info: DeviceErrorInfo = {},
  ) {
    super(`${code}${info.reader ? ` (${info.reader})` : ''}${info.detail ? `: ${info.detail}` : ''}`);
    this.name = 'DeviceError';
  }
}

/** The faults a caller may wait out or fall back from (guided mode, backend fallback, reports). */
export type DeviceFault = 'service-unavailable' | 'no-reader' | 'no-card' | 'card-removed' | 'card-busy' | 'card-not-answering';

/** What kind of device fault an error is, by its type; undefined for anything else. */
export function deviceFault(e: unknown): DeviceFault | undefined {
  if (e instanceof DeviceError) return e.code === 'NO_READER' ? 'no-reader' : e.code === 'NO_CARD' ? 'no-card' : undefined;
  if (e instanceof PcscUnavailableError) return 'service-unavailable';
  if (e instanceof ApduTransportError) {
    // an answer that is no APDU is that read's problem; silence or absence ends the conversation
    return e.reason === 'timeout' ? 'card-not-answering' : e.reason === 'garbage' ? undefined : 'card-removed';
  }
  if (e instanceof PcscError) {
    switch (e.fault) {
      case 'service':
        return 'service-unavailable';
      case 'no-reader':
        return 'no-reader';
      case 'no-card':
        return 'no-card';
      case 'removed':
        return 'card-removed';
      case 'busy':
        return 'card-busy';
      default:
        return undefined;
    }
  }
  if (e instanceof ImageError) return e.reason === 'missing' ? 'no-card' : e.reason === 'busy' ? 'card-busy' : undefined;
  return undefined;
}
