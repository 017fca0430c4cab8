import type { Card } from '../card/card.js';
import { withCard } from '../device/open.js';
import type { ServiceError } from '../extension/client.js';
import { ExtensionError, WriteInterruptedError } from '../extension/errors.js';
import type { CertificateFacts, ExtensionProgress, ResumeResult, WriteAuth } from '../extension/flow.js';
import type { Eligibility, RuleResult } from '../extension/rules.js';
import { eligibilityJson, notEligibleWhy, ruleText } from './cardText.js';
import type { Context } from './context.js';
import { CliError, ErrorWithData } from './errors.js';
import { pinAuth } from './gate.js';
import { type MessageKey, messageKey } from './i18n.js';
import { foreignText, outcome } from './render.js';
import { canPrompt, confirmTyped, type Secrets } from './secrets.js';
import { err, isTerminal } from './stdio.js';

/** How `cns extend` words the extension flow (src/extension/flow.ts): its questions, progress and errors. */

/** What the extension service answered, in the user's language: its code where known, else its own words. */
function serviceText(ctx: Context, e: ServiceError): string {
  if (e.code === 'UNREACHABLE') {
    const why = messageKey(`svcNet_${e.facts.last}`);
    return ctx.t('svcUnreachable', { url: e.facts.url, attempts: e.facts.attempts, why: why ? ctx.t(why) : e.facts.last });
  }
  const known = messageKey(`svc_${e.code}`);
  // codes and facts (this service), or a foreign service's own words in `reason`
  const reasons = (e.reasons ?? []).filter(
    (r): r is RuleResult & { reason?: string } =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as RuleResult).code === 'string' &&
      (typeof (r as RuleResult).variant === 'string' || typeof (r as { reason?: unknown }).reason === 'string'),
  );
  if (known && reasons.length) {
    const why = reasons.map((r) => foreignText(ruleText(ctx, { ...r, params: stringsOnly(r.params) }))).join('; ');
    return ctx.t('svcBecause', { text: ctx.t(known), why });
  }
  if (known) return ctx.t(known);
  return ctx.t('svcSaid', { code: e.code, said: foreignText(e.message) });
}

function stringsOnly(p: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof p === 'object' && p !== null) for (const [k, v] of Object.entries(p)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function printEligibility(ctx: Context, e: Eligibility): void {
  ctx.print(e.eligible ? ctx.c.green(ctx.t('extEligible')) : ctx.c.red(ctx.t('extNotEligible')));
  for (const r of e.reasons) {
    const mark = r.ok === true ? ctx.c.green('✓') : r.ok === false ? (r.advisory ? ctx.c.yellow('!') : ctx.c.red('✗')) : ctx.c.dim('?');
    ctx.print(`  ${mark} ${ruleText(ctx, r)}`);
  }
}

export function notEligible(ctx: Context, e: Eligibility): CliError {
  return new CliError('NOT_ELIGIBLE', { detail: notEligibleWhy(ctx, e) }, { result: { extension: eligibilityJson(ctx, e) } });
}

/** The service's answer refused before the card is written: why, by the flow's reason. */
const REFUSED: Record<string, MessageKey> = {
  notCertificate: 'svcNotCert',
  otherKey: 'svcOtherKey',
  otherSubject: 'svcOtherSubject',
  wrongEnd: 'svcWrongEnd',
  otherCa: 'svcOtherCa',
  notSigned: 'svcNotSigned',
  tooBig: 'svcTooBig',
};

/** An error of the extension flow as the CLI reports it (the same codes); any other error as it is. */
export function extensionCliError(ctx: Context, e: unknown): unknown {
  if (e instanceof WriteInterruptedError)
    // said at once, not only at the next status: what happened and what to run
    return new ErrorWithData(e.cause, { interrupted: true, journal: e.journal }, ctx.t('extInterrupted', { dir: e.journal }));
  if (!(e instanceof ExtensionError)) return e;
  const f = e.facts;
  const s = (k: string): string => String(f[k] ?? '');
  const service = e.cause as ServiceError | undefined;
  switch (e.code) {
    case 'PKCS11_NOT_SUPPORTED':
      return new CliError(e.code, { detailKey: 'extNeedsApdu' });
    case 'CARD_UNSUPPORTED':
      return new CliError(
        e.code,
        f.reason === 'layout' ? { detailKey: 'extLayout', atr: s('atr') } : { detailKey: 'extNoCardId', atr: '' },
      );
    case 'NOT_ELIGIBLE':
      if (e.eligibility) return notEligible(ctx, e.eligibility);
      return new CliError(
        e.code,
        { detail: serviceText(ctx, service!) },
        { data: { service: { code: service!.code, reasons: service!.reasons ?? [] } } },
      );
    case 'SERVICE_ERROR': {
      if (f.reason === 'service')
        return new CliError(
          e.code,
          { detail: serviceText(ctx, service!) },
          { data: { service: { code: service!.code, status: service!.status } } },
        );
      const p = f.reason === 'wrongEnd' ? { date: ctx.day(new Date(s('notAfter'))) } : { size: s('size'), room: s('room') };
      return new CliError(e.code, { detail: ctx.t('svcRefused', { why: ctx.t(REFUSED[s('reason')] ?? 'svcNotCert', p) }) });
    }
    case 'EXTENSION_PENDING':
      return new CliError(e.code, { dir: s('journal') });
    case 'NOTHING_TO_RESUME':
      return new CliError(e.code, { card: s('card') }, f.reason === 'noCopy' ? { hint: ctx.t('extPartialNoCopy') } : {});
    case 'WRITE_VERIFY_FAILED':
      return new CliError(e.code, { dir: f.journal !== undefined ? s('journal') : '-' });
    case 'INVALID_INPUT':
      return f.reason === 'otherCard'
        ? new CliError(e.code, { what: '--restore', detailKey: 'uBackupCard', other: s('other'), card: s('card') })
        : new CliError(e.code, { what: '--restore', detailKey: 'uNoFit', n: s('size'), size: s('room') });
    default:
      // the safety sequence's refusals (blocked, last try, format): as every PIN command says them
      return e;
  }
}

/**
 * The person's side of the flow's secrets: loaded (or a terminal checked) when the flow says it
 * will need them; the tries shown before each; a last try only with --last-attempt or typed.
 */
export function writeAuth(ctx: Context, secrets: Secrets, lastAttempt: boolean | undefined): WriteAuth {
  return { ready: () => secrets.preload(), ...pinAuth(ctx, secrets, lastAttempt), secret: (kind) => secrets.get(kind) };
}

/** Progress on the terminal: the service's attempts, the bytes written (only where a person watches). */
export function progress(ctx: Context): (p: ExtensionProgress) => void {
  let writing = false;
  return (p) => {
    if (p.step === 'contactless') ctx.note(ctx.c.yellow(ctx.t('nfcNote')));
    else if (p.step === 'contacting') {
      if (!ctx.json || isTerminal(2)) ctx.note(ctx.c.dim(ctx.t('extContacting', { url: p.url, n: p.attempt })));
    } else if (p.step === 'writing') {
      if (!ctx.json && isTerminal(2)) {
        writing = true;
        err(`\r${ctx.t(p.kind === 'restore' ? 'restoreWriting' : 'extWriting', { done: p.done, total: p.total })}`);
      }
    } else if (writing) err('\n');
  };
}

/** --yes, or a typed confirmation; no terminal: DECLINED with what to add. */
export async function confirmWrite(ctx: Context, yes: boolean | undefined, question: 'extConfirm' | 'restoreConfirm'): Promise<boolean> {
  if (yes) return true;
  if (!canPrompt()) throw new CliError('DECLINED', {}, { hint: ctx.t('noTtyConfirm') });
  try {
    return await confirmTyped(ctx, ctx.t(question), false);
  } catch {
    return false;
  }
}

/** What a resume did, in a sentence. */
export function resumedText(ctx: Context, r: ResumeResult): string {
  const serial = r.new.serialNumber;
  if (r.outcome === 'fromCard') return ctx.t('extResumedFromCard', { serial, date: ctx.day(r.new.notAfter) });
  if (r.outcome === 'already') return ctx.t('extAlreadyDone');
  if (r.old) return ctx.t('extDone', { old: ctx.day(r.old.notAfter), new: ctx.day(r.new.notAfter), backup: r.backup });
  return ctx.t('extRestored', { serial });
}

/** A certificate the flow names, as the JSON document shows it. */
export function certificateJson(c: CertificateFacts): { serialNumber: string; notAfter: string } {
  return { serialNumber: c.serialNumber, notAfter: c.notAfter.toISOString() };
}

/** The card, then the flow: its errors in the CLI's codes and words. */
export function onCard<T>(ctx: Context, fn: (card: Card) => Promise<T>): Promise<T> {
  return withCard(ctx.cardOptions, fn).catch((e: unknown) => {
    throw extensionCliError(ctx, e);
  });
}

/** `extend --check`: the rules, each with its mark; exit 10 when the card is not eligible. */
export function checkOutcome(ctx: Context, e: Eligibility, contactless: boolean): number {
  if (contactless) progress(ctx)({ step: 'contactless' });
  if (!ctx.json) printEligibility(ctx, e);
  return outcome(ctx, { extension: eligibilityJson(ctx, e) }, e.eligible ? undefined : notEligible(ctx, e));
}
