import type { DiagnosisAdvice, DiagnosisCheck } from '../report/diagnose.js';
import { printable } from '../util/text.js';
import { databaseText, databaseTitle, storeText } from './browserText.js';
import { checkText, problemText, ruleText } from './cardText.js';
import type { Context } from './context.js';
import { EXIT, EXIT_FOR } from './exitCodes.js';
import type { MessageKey } from './i18n.js';
import { describeError } from './render.js';
import { VERSION } from './version.js';

/** The doctor's checks (report/diagnose.ts) in words: the JSON document's, the ticket's and the lines'. */
export interface DoctorCheck {
  code: string;
  status: DiagnosisCheck['status'];
  message: string;
  advice?: string;
  /** The exit code this failure stands for. */
  exit?: number;
  reader?: string;
  /** READERS: each reader, whether a card is in it, its keypad. */
  readers?: DiagnosisCheck['readers'];
}

const ADVICE: Record<DiagnosisAdvice, MessageKey> = {
  'install-pcsc': 'pcscInstall',
  'start-pcsc': 'pcscStart',
  'restart-pcsc': 'pcscRestart',
  'connect-reader': 'advREADERS',
  'install-pkcs11': 'advPKCS11_MODULES',
  'insert-card': 'advCARD_PRESENT',
  'card-busy': 'advCARD_BUSY',
  'card-not-answering': 'advCARD_NOT_ANSWERING',
  'not-cns': 'advATR',
  cie: 'advCIE',
  'atr-unlisted': 'advATR_UNLISTED',
  nfc: 'nfcNote',
  middleware: 'advMIDDLEWARE',
  'unblock-pin': 'advPIN_BLOCKED',
  'pin-low': 'advPIN_LOW',
  'puk-blocked': 'advPUK_BLOCKED',
  'puk-low': 'advPUK_LOW',
  'signature-pin': 'advSigPin',
  'signature-certificate': 'advSigCert',
  'certificate-damaged': 'advCERT_DAMAGED',
  'certificate-unread': 'advCERT_UNREAD',
  'certificate-expiring': 'advCERT_EXPIRING',
  'certificate-expired': 'advCERTIFICATE',
  'check-clock': 'advCERT_NOT_YET',
  'card-data': 'advDATA',
  'certificate-write': 'advCERT_WRITE',
  browser: 'advBrowser',
  'browser-duplicate': 'advBrowserDuplicate',
  'nss-tools': 'NSS_TOOLS_MISSING',
};

/** What each finding is called, where one catalogue key says it with the check's facts. */
const FINDING: Record<string, MessageKey> = {
  'PCSCD answers': 'dPcscdOk',
  'READERS none': 'dNoReader',
  'PKCS11_MODULES none': 'dNoModule',
  'CARD_PRESENT none': 'dNoCardAnywhere',
  'IDENTIFIED_BY application': 'identifiedByApplication',
  'INTERFACE contactless': 'dNfc',
  'INTERFACE contact': 'dContact',
  'MIDDLEWARE own': 'dMwOwn',
  'MIDDLEWARE installed': 'dMwInstalled',
  'MIDDLEWARE missing': 'dMwMissing',
  'CARD_ID valid': 'dCardId',
  'CARD_ID invalid': 'dCardIdBad',
  'SIGNATURE puk-blocked': 'dSigPukBlocked',
  'SIGNATURE pin-blocked': 'dSigPinBlocked',
  'SIGNATURE no-certificate': 'dSigNoCert',
  'SIGNATURE expired': 'dSigExpired',
  'SIGNATURE ok': 'dSigOk',
  'CERTIFICATE damaged': 'pr_CERT_SIGNATURE_INVALID',
  'CERTIFICATE none': 'dCertNone',
  'CERTIFICATE valid': 'dCertValid',
  'CERTIFICATE expiring': 'dCertExpiring',
  'CERTIFICATE expired': 'dCertExpired',
  'CERTIFICATE not-yet-valid': 'dCertNotYet',
  'EXTENSION eligible': 'dExtYes',
  'MIDDLEWARE_SEES_CARD sees': 'dModuleSees',
  'MIDDLEWARE_SEES_CARD blind': 'dModuleBlind',
  'NSS_TOOLS missing': 'brNssTools',
  'PIN blocked': 'dSecretBlocked',
  'PIN one-try': 'dOneTry',
  'PIN unknown': 'dTriesUnknown',
  'PIN tries': 'dTries',
};

const SECRET_FINDING = new Set(['PIN', 'PUK']);

type Values = Record<string, string | number | null>;

/** A check's facts as values a sentence can hold. */
function plain(c: DiagnosisCheck): Values {
  return Object.fromEntries(Object.entries(c.facts).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]));
}

/** A check's facts as a sentence's values: days as people read them. */
function params(ctx: Context, c: DiagnosisCheck): Values {
  const f = plain(c);
  const day = (v: unknown): string => (typeof v === 'string' ? ctx.day(new Date(v)) : '');
  return {
    ...f,
    lib: f.library ?? null,
    n: f.triesLeft ?? null,
    date: c.code === 'CERTIFICATE' && c.finding === 'not-yet-valid' ? day(f.notBefore) : day(f.notAfter),
    days: f.daysLeft ?? null,
    id: f.id ?? '?',
    pin: f.pin ?? '?',
    puk: f.puk ?? '?',
    extra: f.tokenError ? ` (${f.tokenError})` : '',
  };
}

/** What a check found, in the user's language. */
export function checkMessage(ctx: Context, c: DiagnosisCheck): string {
  const f = plain(c);
  if (c.error !== undefined) return describeError(ctx, c.error).text;
  if (c.check) return checkText(ctx, c.check);
  if (c.problem) return problemText(ctx, c.problem);
  if (c.database) return `${databaseTitle(ctx, c.database.db)}: ${databaseText(ctx, c.database)}`;
  if (c.store) return `${ctx.t('brStore')}: ${storeText(ctx, c.store, typeof f.middleware === 'string' ? f.middleware : undefined).text}`;
  switch (`${c.code} ${c.finding}`) {
    case 'NODE versions':
      return `Node.js ${f.node}, cns ${VERSION}, ${f.platform}/${f.arch}`;
    case 'PCSC_BINDING loaded':
      return ctx.t('dPcscLib', params(ctx, c));
    case 'READERS found':
      return (c.readers ?? [])
        .map((r) => {
          const notes = [...(r.present ? [] : [ctx.t('dEmpty')]), ...(r.pinpad ? [ctx.t('dPinpad')] : [])];
          return `${r.index}: ${printable(r.name)}${notes.length ? ` (${notes.join(', ')})` : ''}`;
        })
        .join('; ');
    case 'PKCS11_MODULES found':
      return (c.modules ?? []).map((m) => `${m.name} (${m.path})`).join('; ');
    case 'CARD_PRESENT atr':
      return `ATR ${f.atr}`;
    case 'ATR not-cns':
      return ctx.t('dNotCns', { reason: ctx.t(f.reason === 'cie' ? 'nsCie' : f.reason === 'probed' ? 'nsProbed' : 'nsAtr'), atr: f.atr });
    case 'ATR listed':
    case 'ATR unlisted': {
      const other = f.kind !== null && f.kind !== 'ts-cns';
      const what = other ? ` — ${ctx.t(f.kind === 'signature-device' ? 'dSignatureDevice' : 'dOtherCns')}` : '';
      return (
        ctx.t('dAtr', {
          model: f.model,
          generation: f.generation ?? ctx.t('unknown'),
          version: f.cnsVersion ?? '?',
          bits: f.keyBits ?? '?',
        }) + what
      );
    }
    case 'EXTENSION not-eligible':
      // the reasons in words (the menu's user reads them); the codes are in extend --check --json
      return ctx.t('dExtNo', { codes: (c.rules ?? []).map((r) => ruleText(ctx, r)).join('; ') });
  }
  const key = FINDING[`${SECRET_FINDING.has(c.code) ? 'PIN' : c.code} ${c.finding}`];
  return key ? ctx.t(key, params(ctx, c)) : `${c.code} ${c.finding}`;
}

/** What to do, in the user's language; a card that could not be read: by what the error is. */
function adviceText(ctx: Context, c: DiagnosisCheck, errorCode?: string): string | undefined {
  let key = c.advice ? ADVICE[c.advice] : undefined;
  if (errorCode && (c.code === 'CARD_READ' || c.code === 'CARD_PRESENT'))
    key =
      c.code === 'CARD_PRESENT' || errorCode === 'CARD_REMOVED'
        ? 'advCARD_PRESENT'
        : errorCode === 'CARD_BUSY'
          ? 'advCARD_BUSY'
          : errorCode === 'CARD_NOT_ANSWERING'
            ? 'advCARD_NOT_ANSWERING'
            : 'advATR';
  return key
    ? ctx.t(key, { atr: plain(c).atr ?? '-', date: c.facts.notBefore ? ctx.day(new Date(String(c.facts.notBefore))) : '' })
    : undefined;
}

/** The checks in words, each with the exit code its failure stands for. */
export function doctorChecks(ctx: Context, checks: DiagnosisCheck[]): DoctorCheck[] {
  return checks.map((c) => {
    const errorCode = c.error !== undefined ? describeError(ctx, c.error).error.code : undefined;
    const exit = c.fault ? EXIT[c.fault] : c.status === 'fail' && errorCode ? EXIT_FOR[errorCode] : undefined;
    const advice = adviceText(ctx, c, errorCode);
    return {
      code: c.code,
      status: c.status,
      message: checkMessage(ctx, c),
      ...(advice !== undefined ? { advice } : {}),
      ...(exit !== undefined ? { exit } : {}),
      ...(c.reader !== undefined ? { reader: c.reader } : {}),
      ...(c.readers !== undefined ? { readers: c.readers } : {}),
    };
  });
}

/** The checks as lines: a mark, the code, the reader where it changes, the words and the advice. */
export function printDoctor(ctx: Context, checks: DoctorCheck[]): void {
  for (const c of checks) {
    const mark = c.status === 'pass' ? ctx.c.green('✓') : c.status === 'warn' ? ctx.c.yellow('!') : ctx.c.red('✗');
    // the menu's user reads what was found and what to do: no check codes, no reader paths
    if (ctx.guided) ctx.print(`${mark} ${c.message}`);
    else
      ctx.print(
        `${mark} ${c.code.padEnd(24)} ${c.reader && c.reader !== checks[0]?.reader ? ctx.c.dim(`[${c.reader}] `) : ''}${c.message}`,
      );
    if (c.advice && c.status !== 'pass') ctx.print(`  ${ctx.c.dim('→')} ${c.advice}`);
  }
}
