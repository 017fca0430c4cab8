import { ApduError, ApduTransportError } from '../apdu/response.js';
import { TlvError } from '../apdu/tlv.js';
import { NssToolError, NssToolMissingError } from '../browser/errors.js';
import { DatiPersonaliError } from '../card/efDatiPersonali.js';
import { CardError, PinpadError, SecretBlockedError, WrongSecretError } from '../card/errors.js';
import { CertificateError } from '../cert/errors.js';
import { PemError } from '../cert/pem.js';
import { DeviceError } from '../device/errors.js';
import { WriteInterruptedError } from '../extension/errors.js';
import { PcscError } from '../pcsc/client.js';
import { PcscUnavailableError } from '../pcsc/winscard.js';
import { Pkcs11CallError, Pkcs11ModuleError } from '../pkcs11/errors.js';
import { ImageError } from '../sim/imageError.js';
import { CnsError, type ErrorCode } from '../util/codes.js';

type Facts = Record<string, string | number | boolean | null>;

const error = (code: ErrorCode, cause: unknown, facts: Facts = {}): CnsError => new CnsError(code, facts, { cause });

const DEVICE: Record<DeviceError['code'], ErrorCode> = {
  BAD_READER_SPEC: 'USAGE',
  SIM_THROUGH_PKCS11: 'USAGE',
  NO_READER: 'NO_READER',
  READER_UNKNOWN: 'READER_UNKNOWN',
  READER_AMBIGUOUS: 'READER_AMBIGUOUS',
  NO_CARD: 'NO_CARD',
  NOT_CNS: 'CARD_UNSUPPORTED',
  NO_PKCS11_MODULE: 'PKCS11_UNAVAILABLE',
  TOKEN_NOT_RECOGNIZED: 'CARD_UNSUPPORTED',
  TOKEN_UNREADABLE: 'CARD_ERROR',
};

/**
 * Any error met on the way to the card as a CnsError: the stable code the CLI shows for it, and
 * its facts. The same codes as `cns --json` and the exit codes' table; the original error stays
 * as `cause`. A CnsError passes through.
 */
export function toCnsError(e: unknown): CnsError {
  if (e instanceof CnsError) return e;
  // a certificate write cut off: the code of what cut it, and that a journal waits to resume it
  if (e instanceof WriteInterruptedError) {
    const c = toCnsError(e.cause);
    return new CnsError(c.code, { ...c.facts, interrupted: true, journal: e.journal }, { cause: e });
  }
  if (e instanceof DeviceError) {
    const { reader, candidates, atr, reason } = e.info;
    return error(DEVICE[e.code], e, {
      reason: e.code,
      ...(reader !== undefined ? { reader } : {}),
      ...(candidates ? { candidates: candidates.join(', ') } : {}),
      ...(atr ? { atr } : {}),
      ...(reason === 'cie' ? { cie: true } : {}),
    });
  }
  if (e instanceof WrongSecretError) {
    const blocked = e.triesLeft === 0;
    const code: ErrorCode = e.kind === 'pin' ? (blocked ? 'PIN_BLOCKED' : 'PIN_INCORRECT') : blocked ? 'PUK_BLOCKED' : 'PUK_INCORRECT';
    return error(code, e, { triesLeft: e.triesLeft, ...(blocked ? { now: true } : {}) });
  }
  if (e instanceof PinpadError) {
    const code: Record<PinpadError['reason'], ErrorCode> = {
      cancelled: 'PINPAD_CANCELLED',
      timeout: 'PINPAD_TIMEOUT',
      mismatch: 'PIN_MISMATCH',
      length: 'INVALID_PIN_FORMAT',
    };
    return error(code[e.reason], e, { pinpad: true, unsent: true });
  }
  if (e instanceof SecretBlockedError) return error(e.kind === 'pin' ? 'PIN_BLOCKED' : 'PUK_BLOCKED', e, { triesLeft: 0 });
  if (e instanceof CardError) {
    const sw: Facts = e.details.sw !== undefined ? { sw: e.details.sw } : {};
    switch (e.code) {
      case 'INVALID_PIN_FORMAT':
        return error('INVALID_PIN_FORMAT', e);
      case 'CARD_UNSUPPORTED':
      case 'FILE_NOT_FOUND':
        return error('CARD_UNSUPPORTED', e, sw);
      case 'NOT_SUPPORTED':
        return error('PKCS11_NOT_SUPPORTED', e);
      case 'LAYOUT_UNKNOWN':
        return error('CERT_LAYOUT_UNKNOWN', e, { atr: String(e.details.said?.facts?.atr ?? '') });
      default:
        return error('CARD_ERROR', e, sw);
    }
  }
  if (e instanceof ApduError) return error('CARD_ERROR', e, { sw: e.sw });
  if (e instanceof ApduTransportError) {
    const code: ErrorCode = e.reason === 'timeout' ? 'CARD_NOT_ANSWERING' : e.reason === 'garbage' ? 'CARD_BAD_ANSWER' : 'CARD_REMOVED';
    // unsent: stopped before it left, nothing reached the card
    return error(code, e, { unsent: e.unsent === true });
  }
  if (e instanceof ImageError) {
    if (e.problem === 'missing') return error('NO_CARD', e, { image: e.facts.path ?? '' });
    if (e.problem === 'busy' || e.problem === 'attached') return error('CARD_BUSY', e, { image: true, attached: e.problem === 'attached' });
    return error('IMAGE_INVALID', e, { problem: e.problem, path: e.facts.path ?? '', field: e.facts.field ?? '' });
  }
  if (e instanceof PcscUnavailableError) return error('PCSC_UNAVAILABLE', e, { reason: e.reason });
  if (e instanceof Pkcs11ModuleError) return error(e.reason === 'not-installed' ? 'PKCS11_UNAVAILABLE' : 'PKCS11_MODULE_ERROR', e);
  if (e instanceof Pkcs11CallError) return error('CARD_ERROR', e);
  if (e instanceof NssToolMissingError) return error('NSS_TOOLS_MISSING', e);
  if (e instanceof NssToolError) return error('NSS_TOOL_FAILED', e);
  if (e instanceof PcscError) {
    const code = e.code ?? null;
    switch (e.fault) {
      case 'service':
        return error('PCSC_UNAVAILABLE', e, { reason: 'service-down', pcsc: code });
      case 'no-reader':
        return error('NO_READER', e, { pcsc: code });
      case 'no-card':
        return error('NO_CARD', e, { pcsc: code });
      case 'removed':
        return error('CARD_REMOVED', e, { pcsc: code });
      case 'busy':
        return error('CARD_BUSY', e, { pcsc: code, ...(e.held ? { reader: e.held.reader, exclusive: e.held.exclusive } : {}) });
      case 'unresponsive':
        return error('CARD_UNSUPPORTED', e, { pcsc: code, unresponsive: true });
      default:
        return error('CARD_ERROR', e, { pcsc: code });
    }
  }
  if (e instanceof DatiPersonaliError || e instanceof TlvError) return error('CARD_UNSUPPORTED', e, { unreadable: true });
  if (e instanceof CertificateError || e instanceof PemError) return error('INVALID_INPUT', e, { what: 'certificate' });
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string')
    return error('IO_ERROR', e, { op: err.syscall ?? 'use', path: err.path, errno: err.code });
  return error('INTERNAL', e);
}

/** Run library work; whatever it throws comes out as a CnsError. */
export async function coded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toCnsError(e);
  }
}
