import { ApduError, ApduTransportError } from '../apdu/response.js';
import { type Said, saidOf } from '../apdu/said.js';
import { describeStatus, swHex } from '../apdu/status.js';
import { TlvError } from '../apdu/tlv.js';
import { ModuleListError, NssToolError, NssToolMissingError } from '../browser/errors.js';
import type { Keyset } from '../card/card.js';
import { DatiPersonaliError } from '../card/efDatiPersonali.js';
import { CardError, PinpadError, SecretBlockedError, WrongSecretError } from '../card/errors.js';
import { CertificateError } from '../cert/errors.js';
import { PemError } from '../cert/pem.js';
import { DeviceError } from '../device/errors.js';
import { recordUnanswered, stillUnanswered } from '../device/unanswered.js';
import { PcscError } from '../pcsc/client.js';
import { PcscUnavailableError } from '../pcsc/winscard.js';
import { Pkcs11CallError, Pkcs11ModuleError } from '../pkcs11/errors.js';
import { ImageError } from '../sim/imageError.js';
import { CnsError } from '../util/codes.js';
import { printable } from '../util/text.js';
import type { Context } from './context.js';
import { CliError, ErrorWithData } from './errors.js';
import { EXIT_FOR } from './exitCodes.js';
import { type MessageKey, messageKey } from './i18n.js';
import { err } from './stdio.js';

type Translate = Context['t'];

const SECRET_CODES = {
  pin: { wrong: 'PIN_INCORRECT', blocked: 'PIN_BLOCKED' },
  puk: { wrong: 'PUK_INCORRECT', blocked: 'PUK_BLOCKED' },
} as const;

/** The PC/SC return code in a message ("...(0x8010001d)"), kept for the help desk. */
function pcscCodeOf(message: string): string {
  return /\((0x[0-9a-fA-F]{8})\)/.exec(message)?.[1] ?? '-';
}

/**
 * What a lower layer's error says, in the user's language: the card's status word, the PC/SC
 * return code, the PKCS#11 module's failure. Anything else keeps its own message.
 */
export function libraryDetail(e: unknown, t: Translate): string {
  if (e instanceof ApduError) return t('apduStatus', { operation: e.operation, sw: swHex(e.sw), meaning: swMeaning(e.sw, t) });
  if (e instanceof PcscError && e.code !== undefined) return pcscText(e.fn ?? 'PC/SC', e.code, t);
  // transport, card, data and certificate errors: the lower layer's message id (and a card's SW)
  const said = saidOf(e);
  if (said && e instanceof Error) {
    const text = saidText(said, e.message, t);
    const sw = e instanceof CardError ? e.details.sw : undefined;
    return sw === undefined ? text : t('cSw', { text, sw: swHex(sw), meaning: swMeaning(sw, t) });
  }
  if (e instanceof Pkcs11ModuleError) {
    const f = e.facts;
    const module = f.module ?? 'PKCS#11';
    let text: string;
    if (e.reason === 'not-installed') text = t('p11NotInstalled');
    else if (e.reason === 'load') text = t('p11Load', { module });
    else if (e.reason === 'timeout') text = t('p11Timeout', { module, op: f.op, seconds: f.seconds });
    else text = f.signal ? t('p11CrashSignal', { module, signal: f.signal }) : t('p11CrashExit', { module, exitCode: f.exitCode });
    return f.said && e.reason !== 'not-installed' ? t('p11Said', { text, said: foreignText(f.said) }) : text;
  }
  if (e instanceof NssToolError) {
    const said = foreignText(e.output.trim().split('\n').pop() ?? '');
    return t('brToolSaid', { tool: e.tool, said });
  }
  if (e instanceof ModuleListError) return t(`brList_${e.reason}`, { file: foreignText(e.file) });
  if (e instanceof Pkcs11CallError) return e.ckr ? t('p11Call', { ckr: e.ckr }) : t('p11CallUnknown', { said: foreignText(e.message) });
  return e instanceof Error ? e.message : String(e);
}

export function swMeaning(sw: number, t: Translate): string {
  const s = describeStatus(sw);
  const k = messageKey(`sw_${s.name}`);
  return k ? t(k, { n: s.n }) : s.meaning;
}

function pcscText(fn: string, rv: number, t: Translate): string {
  const hex = (rv >>> 0).toString(16).padStart(8, '0');
  return t('pcscSays', { fn, text: t(messageKey(`pcsc_${hex}`) ?? 'pcscUnknownCode'), code: `0x${hex}` });
}

/** A lower layer's message id and facts, from the catalogue; its English message if the id is unknown. */
export function saidText(said: Said, fallback: string, t: Translate): string {
  const f = said.facts ?? {};
  if (said.id === 'pcsc') return pcscText(String(f.fn), Number(f.rv), t);
  const k = messageKey(said.id);
  return k ? t(k, f) : fallback;
}

/** Why an input file given on the command line could not be used, in the user's language. */
export function inputFileDetail(e: unknown, t: Translate): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    if (err.code === 'ENOENT') return t('inFileMissing', { path: err.path });
    const k = messageKey(`io_${err.code}`);
    return `${err.path}: ${k ? t(k) : err.code}`;
  }
  return libraryDetail(e, t);
}

/** Another program's words, made safe for a terminal: no control characters, bounded. */
export function foreignText(text: string): string {
  const one = printable(text.replace(/\s+/g, ' ')).trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

/** The errors about a PIN or PUK, which name the keyset they are about. */
const SECRET_CODES_ALL = new Set(['PIN_INCORRECT', 'PUK_INCORRECT', 'PIN_BLOCKED', 'PUK_BLOCKED']);

/** A device layer error, in the user's language. */
function deviceError(e: DeviceError, t: Translate): CliError {
  const { reader, candidates = [] } = e.info;
  switch (e.code) {
    case 'BAD_READER_SPEC':
      return new CliError('USAGE', { detail: t('uSimPath') });
    case 'SIM_THROUGH_PKCS11':
      return new CliError('USAGE', { detail: t('uSimPkcs11') });
    case 'NO_READER':
      return new CliError('NO_READER');
    case 'READER_UNKNOWN':
      return new CliError('READER_UNKNOWN', { reader: reader ?? '', list: candidates.join(', ') });
    case 'READER_AMBIGUOUS':
      return new CliError('READER_AMBIGUOUS', { list: candidates.join(', ') });
    case 'NO_CARD':
      return new CliError('NO_CARD', { detail: reader !== undefined ? t('noCardIn', { reader }) : t('noCardAnywhere') });
    case 'NOT_CNS':
      return new CliError('CARD_UNSUPPORTED', {
        detail: t(e.info.reason === 'cie' ? 'nsCie' : e.info.probed ? 'nsProbed' : 'nsAtr'),
        atr: e.info.atr ?? '',
        ...(e.info.reason === 'cie' ? { cie: 1 } : {}),
      });
    case 'NO_PKCS11_MODULE':
      return new CliError('PKCS11_UNAVAILABLE', { detail: t('noPkcs11Module') });
    case 'TOKEN_NOT_RECOGNIZED':
      return new CliError('CARD_UNSUPPORTED', {
        detail: t('rTokenNotRecognized', { module: e.info.detail ?? '', reader: reader ?? '' }),
        atr: '-',
      });
    case 'TOKEN_UNREADABLE':
      return new CliError('CARD_ERROR', { detail: e.info.detail ?? '' });
  }
}

/** The error came from the one command that carried the PIN or PUK (the library says so). */
export function onSecretCommand(e: unknown): boolean {
  return e instanceof CnsError && e.facts.secretCommand === true;
}

/**
 * A library error: one that wraps a lower error is said as that error (its details, in words);
 * the library's own refusals by their code and facts.
 */
function fromCnsError(e: CnsError, t: Translate, secretOp?: 'PIN' | 'PUK'): CliError {
  if (e.constructor === CnsError && e.cause !== undefined) return toCliError(e.cause, t, secretOp);
  const f = e.facts;
  switch (e.code) {
    case 'PIN_BLOCKED':
    case 'PUK_BLOCKED':
      return new CliError(e.code, f.pukToo ? { pukToo: 1 } : {}, { triesLeft: 0 });
    case 'LAST_ATTEMPT_REFUSED': {
      const kind = f.kind === 'puk' ? 'PUK' : 'PIN';
      return new CliError(e.code, { what: f.keyset === 'signature' ? t(kind === 'PIN' ? 'sigPinName' : 'sigPukName') : kind });
    }
    case 'INVALID_PIN_FORMAT':
      return new CliError(e.code, { what: secretOp ?? 'PIN', len: `${f.min ?? 5}-${f.max ?? 8}` });
    case 'USAGE': {
      const { reason, ...rest } = f;
      return new CliError(e.code, {
        ...wordable(rest),
        ...(typeof reason === 'string' && messageKey(reason) ? { detailKey: reason } : {}),
      });
    }
    default:
      return new CliError(e.code, wordable(f));
  }
}

/** The facts a message can say: strings and numbers. */
function wordable(facts: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(facts)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  return params;
}

/** Whatever was thrown, as a CliError with a stable code. Never a stack trace for the user. */
export function toCliError(e: unknown, t: Translate, secretOp?: 'PIN' | 'PUK'): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof CnsError) return fromCnsError(e, t, secretOp);
  if (e instanceof ErrorWithData) {
    const ce = toCliError(e.cause, t, secretOp);
    return new CliError(ce.code, ce.params, {
      ...ce.extra,
      data: { ...ce.extra.data, ...e.data },
      ...(e.result ? { result: { ...ce.extra.result, ...e.result } } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
    });
  }
  if (e instanceof DeviceError) return deviceError(e, t);
  if (e instanceof WrongSecretError) {
    const codes = SECRET_CODES[e.kind];
    if (e.triesLeft === 0) return new CliError(codes.blocked, { tries: 0, now: 1 }, { triesLeft: 0 });
    return new CliError(codes.wrong, { tries: e.triesLeft ?? '?', now: '' }, { triesLeft: e.triesLeft ?? undefined });
  }
  if (e instanceof PinpadError) {
    if (e.reason === 'cancelled') return new CliError('PINPAD_CANCELLED');
    if (e.reason === 'timeout') return new CliError('PINPAD_TIMEOUT');
    return new CliError(e.reason === 'mismatch' ? 'PIN_MISMATCH' : 'INVALID_PIN_FORMAT', { what: 'PIN', len: '5-8', pad: 1 });
  }
  if (e instanceof SecretBlockedError) return new CliError(SECRET_CODES[e.kind].blocked, { tries: 0, now: '' }, { triesLeft: 0 });
  if (e instanceof CardError) {
    switch (e.code) {
      case 'INVALID_PIN_FORMAT':
        return new CliError('INVALID_PIN_FORMAT', { what: secretOp ?? 'PIN', len: '5-8' });
      case 'CARD_UNSUPPORTED':
        return new CliError('CARD_UNSUPPORTED', { detail: libraryDetail(e, t), atr: '-' });
      case 'NOT_SUPPORTED':
        return new CliError('PKCS11_NOT_SUPPORTED', { detail: libraryDetail(e, t) });
      case 'FILE_NOT_FOUND':
        return new CliError('CARD_UNSUPPORTED', { detail: t('rLayout', { detail: libraryDetail(e, t) }), atr: '' });
      case 'LAYOUT_UNKNOWN':
        return new CliError('CERT_LAYOUT_UNKNOWN', { atr: String(e.details.said?.facts?.atr ?? '') });
      default:
        return new CliError('CARD_ERROR', { detail: libraryDetail(e, t) });
    }
  }
  if (e instanceof ApduError) return new CliError('CARD_ERROR', { detail: libraryDetail(e, t) });
  if (e instanceof ApduTransportError) {
    const code = e.reason === 'timeout' ? 'CARD_NOT_ANSWERING' : e.reason === 'garbage' ? 'CARD_BAD_ANSWER' : 'CARD_REMOVED';
    const params: Record<string, string | number> = code === 'CARD_REMOVED' ? {} : { detail: libraryDetail(e, t) };
    // stopped before it left: nothing reached the card, whatever the operation
    if (e.unsent && code === 'CARD_REMOVED' && secretOp) return new CliError(code, { what: secretOp, before: 1 });
    if (e.unsent && code === 'CARD_REMOVED') return new CliError(code, { unsent: 1 });
    if (e.unsent) return new CliError(code, params);
    return secretOp ? new CliError(code, { ...params, what: secretOp, secret: 1 }) : new CliError(code, params);
  }
  if (e instanceof ImageError) {
    const path = e.facts.path ?? '';
    switch (e.problem) {
      case 'missing':
        return new CliError('NO_CARD', { detail: t('imgMissing', { path }) });
      case 'busy':
        return new CliError('CARD_BUSY', { detail: t('imgBusy') });
      case 'attached':
        return new CliError('CARD_BUSY', { detail: t('imgAttached') });
      default: {
        const why: Record<Exclude<typeof e.problem, 'missing' | 'busy' | 'attached'>, MessageKey> = {
          'not-file': 'imgNotFile',
          'not-json': 'imgNotJson',
          'not-image': 'imgNotImage',
          version: 'imgVersion',
          field: 'imgField',
          'read-only': 'imgReadOnly',
          symlink: 'imgSymlink',
          io: 'imgIo',
        };
        return new CliError('IMAGE_INVALID', { path, why: t(why[e.problem], { field: e.facts.field ?? '', detail: e.message }) });
      }
    }
  }
  if (e instanceof PcscUnavailableError) {
    const detail =
      e.reason === 'module-missing'
        ? t('pcscLibMissing')
        : e.reason === 'stuck'
          ? t('pcscStuck')
          : t('pcscNotAnswering', { code: pcscCodeOf(e.message) });
    return new CliError('PCSC_UNAVAILABLE', { detail, reason: e.reason });
  }
  if (e instanceof Pkcs11ModuleError) {
    return e.reason === 'not-installed'
      ? new CliError('PKCS11_UNAVAILABLE', { detail: libraryDetail(e, t) })
      : new CliError('PKCS11_MODULE_ERROR', { detail: libraryDetail(e, t) });
  }
  if (e instanceof Pkcs11CallError) return new CliError('CARD_ERROR', { detail: libraryDetail(e, t) });
  if (e instanceof NssToolMissingError) return new CliError('NSS_TOOLS_MISSING');
  if (e instanceof NssToolError) return new CliError('NSS_TOOL_FAILED', { detail: libraryDetail(e, t) });
  if (e instanceof PcscError) {
    switch (e.fault) {
      case 'service':
        return new CliError('PCSC_UNAVAILABLE', { detail: t('pcscNotAnswering', { code: pcscCodeOf(e.message) }), reason: 'service-down' });
      case 'no-reader':
        return new CliError('NO_READER');
      case 'no-card':
        return new CliError('NO_CARD', { detail: libraryDetail(e, t) });
      case 'removed':
        return secretOp ? new CliError('CARD_REMOVED', { what: secretOp, secret: 1 }) : new CliError('CARD_REMOVED');
      case 'busy':
        return new CliError('CARD_BUSY', { detail: libraryDetail(e, t) });
      case 'unresponsive':
        return new CliError('CARD_UNSUPPORTED', {
          detail: t('rUnresponsive', { detail: libraryDetail(e, t) }),
          atr: '',
        });
      default:
        return new CliError('CARD_ERROR', { detail: libraryDetail(e, t) });
    }
  }
  if (e instanceof DatiPersonaliError || e instanceof TlvError)
    return new CliError('CARD_UNSUPPORTED', { detail: t('rUnreadable', { detail: libraryDetail(e, t) }), atr: '' });
  if (e instanceof CertificateError || e instanceof PemError)
    return new CliError('INVALID_INPUT', { what: t('wCertificate'), detail: libraryDetail(e, t) });
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    return new CliError('IO_ERROR', { op: err.syscall ?? 'use', path: err.path, detail: err.code });
  }
  return new CliError('INTERNAL', { detail: err instanceof Error ? err.message : String(e) });
}

export function renderError(ctx: Context, e: unknown, secretOp?: 'PIN' | 'PUK', keyset: Keyset = 'auth'): number {
  const { error, text } = describeError(ctx, e, secretOp, keyset);
  if (error.code === 'INTERNAL' && process.env.CNS_DEBUG && e instanceof Error) err(`${e.stack}\n`);
  return ctx.failure(error, text);
}

/** The error under the wrappers that carry data for the JSON document. */
function rootError(e: unknown): unknown {
  return e instanceof ErrorWithData ? rootError(e.cause) : e;
}

/**
 * A mute card, a busy one, or one that cannot be told apart (issue 23 item 5). A card that never
 * answered leaves pcscd waiting on it, and every later connection is refused as if another
 * program held it: the reader and its card-event count are remembered when the card does not
 * answer, and a refusal on the same reader and count is that card, still mute. A refusal with
 * the card held exclusively is another program; any other refusal is either, and said so.
 */
function heldOrMute(ctx: Context, e: unknown): CliError | undefined {
  const root = rootError(e);
  if (root instanceof ApduTransportError && root.reason === 'timeout' && root.origin) {
    recordUnanswered(ctx.env, root.origin.reader, root.origin.events);
    return undefined;
  }
  if (!(root instanceof PcscError) || !root.held) return undefined;
  const detail = libraryDetail(root, ctx.t.bind(ctx));
  const mark = stillUnanswered(ctx.env, root.held.reader, root.held.events);
  if (mark) {
    const at = new Date(mark.at).toLocaleTimeString(ctx.lang === 'it' ? 'it-IT' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
    return new CliError('CARD_NOT_ANSWERING', { detail, stuck: 1, reader: printable(root.held.reader), at });
  }
  return new CliError('CARD_BUSY', { detail, held: root.held.exclusive ? 'exclusive' : 'unknown' });
}

/**
 * The end of a command that reached a verdict (doctor, cert check, extend --check, browser
 * setup/remove): exit 0 and its document, or the verdict's error with the same document, `ok`
 * false and the exit code. Text mode prints nothing more: the command has said it in its lines.
 */
export function outcome(ctx: Context, doc: Record<string, unknown>, failed?: CliError, exit?: number): number {
  if (!failed) {
    ctx.result(doc);
    return 0;
  }
  const { error, text } = describeError(ctx, new CliError(failed.code, failed.params, { ...failed.extra, result: doc }));
  return ctx.failure(error, text, exit ?? EXIT_FOR[error.code], false);
}

/** Any error as the error to report and its sentence in the user's language. */
export function describeError(
  ctx: Context,
  e: unknown,
  secretOp?: 'PIN' | 'PUK',
  keyset: Keyset = 'auth',
): { error: CliError; text: string } {
  let ce = heldOrMute(ctx, e) ?? toCliError(e, ctx.t.bind(ctx), secretOp);
  // a PIN or PUK of the signature keyset: every message names it, and its own unblock command
  if (keyset === 'signature' && SECRET_CODES_ALL.has(ce.code)) ce = new CliError(ce.code, { ...ce.params, keyset }, ce.extra);
  // a detail given as a catalogue key (usage mistakes found where no context is at hand)
  const detailKey = typeof ce.params.detailKey === 'string' ? messageKey(ce.params.detailKey) : undefined;
  if (detailKey) ce = new CliError(ce.code, { ...ce.params, detail: ctx.t(detailKey, ce.params) }, ce.extra);
  let key: MessageKey = ce.code;
  if (ce.code === 'CARD_REMOVED' && ce.params.secret) key = 'CARD_REMOVED_SECRET';
  else if (ce.code === 'CARD_REMOVED' && ce.params.before) key = 'CARD_REMOVED_BEFORE';
  else if (ce.code === 'CARD_REMOVED' && ce.params.unsent) key = 'CARD_REMOVED_UNSENT';
  else if (ce.code === 'CARD_NOT_ANSWERING' && ce.params.secret) key = 'CARD_NOT_ANSWERING_SECRET';
  else if (ce.code === 'CARD_NOT_ANSWERING' && ce.params.stuck) key = 'CARD_NOT_ANSWERING_STUCK';
  // the citizen's other card: not "unsupported", the card to insert instead
  else if (ce.code === 'CARD_UNSUPPORTED' && ce.params.cie) key = 'CARD_UNSUPPORTED_CIE';
  else if (ce.code === 'NO_CERTIFICATE' && ce.params.damaged) key = 'NO_CERTIFICATE_DAMAGED';
  else if (ce.code === 'CARD_BUSY' && ce.params.held) key = ce.params.held === 'exclusive' ? 'CARD_BUSY_EXCLUSIVE' : 'CARD_BUSY_UNKNOWN';
  else if (ce.code === 'CARD_BAD_ANSWER' && ce.params.secret) key = 'CARD_BAD_ANSWER_SECRET';
  else if (ce.code === 'PIN_BLOCKED' && ce.params.now) key = 'PIN_BLOCKED_NOW';
  else if (ce.code === 'PIN_BLOCKED' && ce.params.pukToo) key = 'PIN_BLOCKED_PUK_TOO';
  else if (ce.code === 'PIN_INCORRECT' && ce.params.tries === '?') key = 'PIN_INCORRECT_UNKNOWN';
  else if (ce.code === 'PUK_INCORRECT' && ce.params.tries === '?') key = 'PUK_INCORRECT_UNKNOWN';
  else if (ce.code === 'PUK_BLOCKED' && ce.params.now) key = 'PUK_BLOCKED_NOW';
  else if ((ce.code === 'PIN_MISMATCH' || ce.code === 'INVALID_PIN_FORMAT') && ce.params.pad) key = `${ce.code}_PAD`;
  if (ce.params.keyset === 'signature') key = messageKey(`${key}_SIG`) ?? key;
  if (ce.code === 'PCSC_UNAVAILABLE' && !ce.extra.hint) {
    const hint = ctx.t(ce.params.reason === 'module-missing' ? 'pcscInstall' : ce.params.reason === 'stuck' ? 'pcscRestart' : 'pcscStart');
    return { error: new CliError(ce.code, ce.params, { ...ce.extra, hint }), text: ctx.t(key, ce.params) };
  }
  if (ce.code === 'IO_ERROR') {
    // the system's words (write, ENOENT) in the user's language
    const op = messageKey(`ioOp_${String(ce.params.op)}`);
    const detail = messageKey(`io_${String(ce.params.detail)}`);
    const params = { ...ce.params, ...(op ? { op: ctx.t(op) } : {}), ...(detail ? { detail: ctx.t(detail) } : {}) };
    return { error: new CliError(ce.code, params, ce.extra), text: ctx.t('IO_ERROR', params) };
  }
  return { error: ce, text: ctx.t(key, ce.params) };
}
