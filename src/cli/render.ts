import { ApduError, ApduTransportError } from '../apdu/response.js';
import { describeStatus, swHex } from '../apdu/status.js';
import { TlvError } from '../apdu/tlv.js';
import { DatiPersonaliError } from '../card/efDatiPersonali.js';
import { CardError } from '../card/errors.js';
import { CertificateError } from '../cert/errors.js';
import { PemError } from '../cert/pem.js';
import { ImageError } from '../sim/image.js';
import { PcscUnavailableError } from '../pcsc/binding.js';
import { PcscError } from '../pcsc/client.js';
import { Pkcs11CallError, Pkcs11ModuleError } from '../pkcs11/client.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import type { MessageKey } from './i18n.js';

/** Whatever was thrown, as a CliError with a stable code. Never a stack trace for the user. */
export function toCliError(e: unknown, secretOp?: 'PIN' | 'PUK'): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof CardError) {
    switch (e.code) {
      case 'PIN_INCORRECT':
      case 'PUK_INCORRECT':
      case 'PIN_BLOCKED':
      case 'PUK_BLOCKED':
        return new CliError(e.code, { tries: e.details.triesLeft ?? '?', now: e.details.blockedNow ? 1 : '' }, { triesLeft: e.details.triesLeft });
      case 'INVALID_PIN_FORMAT':
        return new CliError('INVALID_PIN_FORMAT', { what: secretOp ?? 'PIN', len: '5-8' });
      case 'CARD_UNSUPPORTED':
        return new CliError('CARD_UNSUPPORTED', { detail: e.message, atr: '-' });
      case 'NOT_SUPPORTED':
        return new CliError('PKCS11_NOT_SUPPORTED', { detail: e.message });
      case 'FILE_NOT_FOUND':
        return new CliError('CARD_UNSUPPORTED', { detail: `unsupported layout: ${e.message}`, atr: '' });
      default:
        return new CliError('CARD_ERROR', { detail: e.message });
    }
  }
  if (e instanceof ApduError) return new CliError('CARD_ERROR', { detail: `${e.operation}: ${swHex(e.sw)} ${describeStatus(e.sw).meaning}` });
  if (e instanceof ApduTransportError) {
    return secretOp ? new CliError('CARD_REMOVED', { what: secretOp, secret: 1 }) : new CliError('CARD_REMOVED');
  }
  if (e instanceof ImageError) {
    switch (e.reason) {
      case 'missing':
        return new CliError('NO_CARD', { detail: e.message });
      case 'busy':
        return new CliError('CARD_BUSY', { detail: e.message });
      case 'io':
        return new CliError('IO_ERROR', { op: 'use', path: '', detail: e.message });
      default:
        return new CliError('CARD_UNSUPPORTED', { detail: `virtual card image refused: ${e.message}`, atr: '-' });
    }
  }
  if (e instanceof PcscUnavailableError) {
    return new CliError('PCSC_UNAVAILABLE', { detail: e.message, reason: e.reason });
  }
  if (e instanceof Pkcs11ModuleError) {
    return e.reason === 'not-installed' ? new CliError('PKCS11_UNAVAILABLE', { detail: e.message }) : new CliError('PKCS11_MODULE_ERROR', { detail: e.message });
  }
  if (e instanceof Pkcs11CallError) return new CliError('CARD_ERROR', { detail: `${e.ckr ?? ''} ${e.message}`.trim() });
  if (e instanceof PcscError) {
    switch (e.fault) {
      case 'service':
        return new CliError('PCSC_UNAVAILABLE', { detail: e.message, reason: 'service-down' });
      case 'no-reader':
        return new CliError('NO_READER');
      case 'no-card':
        return new CliError('NO_CARD', { detail: e.message });
      case 'removed':
        return secretOp ? new CliError('CARD_REMOVED', { what: secretOp, secret: 1 }) : new CliError('CARD_REMOVED');
      case 'busy':
        return new CliError('CARD_BUSY', { detail: e.message });
      case 'unresponsive':
        return new CliError('CARD_UNSUPPORTED', { detail: `the card does not answer (${e.message}); if the reader has two slots or interfaces, try the other one`, atr: '' });
      default:
        return new CliError('CARD_ERROR', { detail: e.message });
    }
  }
  if (e instanceof DatiPersonaliError || e instanceof TlvError) return new CliError('CARD_UNSUPPORTED', { detail: `unreadable data: ${e.message}`, atr: '' });
  if (e instanceof CertificateError || e instanceof PemError) return new CliError('INVALID_INPUT', { what: 'certificate', detail: e.message });
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    return new CliError('IO_ERROR', { op: err.syscall ?? 'use', path: err.path, detail: err.code });
  }
  return new CliError('INTERNAL', { detail: err instanceof Error ? err.message : String(e) });
}

export function renderError(ctx: Context, e: unknown, secretOp?: 'PIN' | 'PUK'): number {
  const ce = toCliError(e, secretOp);
  let key: MessageKey = ce.code;
  if (ce.code === 'CARD_REMOVED' && ce.params.secret) key = 'CARD_REMOVED_SECRET';
  else if (ce.code === 'PIN_BLOCKED' && ce.params.now) key = 'PIN_BLOCKED_NOW';
  else if (ce.code === 'PIN_INCORRECT' && ce.params.tries === '?') key = 'PIN_INCORRECT_UNKNOWN';
  else if (ce.code === 'PUK_INCORRECT' && ce.params.tries === '?') key = 'PUK_INCORRECT_UNKNOWN';
  else if (ce.code === 'PUK_BLOCKED' && ce.params.now) key = 'PUK_BLOCKED_NOW';
  if (ce.code === 'PCSC_UNAVAILABLE' && !ce.extra.hint) {
    const hint = ctx.t(ce.params.reason === 'module-missing' ? 'pcscInstall' : 'pcscStart');
    return ctx.failure(new CliError(ce.code, ce.params, { ...ce.extra, hint }), ctx.t(key, ce.params));
  }
  if (ce.code === 'INTERNAL' && process.env.CNS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return ctx.failure(ce, ctx.t(key, ce.params));
}
