import type { CertificateSummary } from '../cert/summary.js';
import type { RuleResult } from '../extension/rules.js';
import type { Check, Problem, TriesJson } from '../report/report.js';
import { isIsoDay, replaceIsoDays } from '../util/text.js';
import type { Context } from './context.js';
import { type MessageKey, messageKey } from './i18n.js';
import { saidText, swMeaning } from './render.js';

/** How commands show a card's certificate and tries as text. */

const STATE_KEY: Record<CertificateSummary['state'], MessageKey> = {
  valid: 'stValid',
  expiring: 'stExpiring',
  expired: 'stExpired',
  'not-yet-valid': 'stNotYetValid',
};

export function certificateLine(ctx: Context, c: CertificateSummary): string {
  const d = ctx.day(new Date(c.notAfter));
  // not valid yet: the days to its end say nothing; what to check does
  const days =
    c.state === 'not-yet-valid'
      ? ctx.t('notYetShort', { date: ctx.day(new Date(c.notBefore)) })
      : c.daysLeft === 0
        ? ctx.t('expiresToday')
        : c.daysLeft > 0
          ? ctx.t('daysLeft', { days: c.daysLeft })
          : ctx.t('daysAgo', { days: -c.daysLeft });
  const label = ctx.t(STATE_KEY[c.state]);
  const color = c.state === 'valid' ? ctx.c.green : c.state === 'expiring' ? ctx.c.yellow : ctx.c.red;
  return `${color(label)} ${ctx.day(new Date(c.notBefore))} → ${d} (${days})`;
}

/** Values for a sentence: Italian days as people read them, the rest as they are. */
function humanParams(ctx: Context, params: Record<string, string> = {}): Record<string, string> {
  // a day inside a value too ("M 1980-01-01 H501"): as people read days
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, isIsoDay(v) ? ctx.day(v) : replaceIsoDays(v, (d) => ctx.day(d))]));
}

/** An eligibility verdict for the JSON document: each reason in the user's language (codes stay). */
export function eligibilityJson<T extends { reasons: RuleResult[] }>(ctx: Context, e: T): T {
  return { ...e, reasons: e.reasons.map((r) => ({ ...r, reason: ruleText(ctx, r) })) };
}

/**
 * Why the 2023 extension is not possible: the rules that say no, as `cns extend` words them. An
 * advisory rule, or one not known either way (revocation, the service's), is no reason.
 */
export function notEligibleWhy(ctx: Context, e: { reasons: RuleResult[] }): string {
  return refusals(e)
    .map((r) => ruleText(ctx, r))
    .join('; ');
}

/** The rules that say no to the 2023 extension (notEligibleWhy's). */
export function refusals(e: { reasons: RuleResult[] }): RuleResult[] {
  return e.reasons.filter((r) => r.ok === false && !r.advisory);
}

/**
 * One rule of the 2023 extension, in the user's language (the library gives its code, variant
 * and facts only). A rule this catalogue does not know, named by another service: its own words.
 */
export function ruleText(ctx: Context, r: RuleResult & { reason?: string }): string {
  const key = messageKey(`rule_${r.code}_${r.variant}`);
  return key ? ctx.t(key, humanParams(ctx, r.params)) : (r.reason ?? r.code);
}

const CF_RESULT: Record<string, MessageKey> = { valid: 'cfValid', malformed: 'cfMalformed', 'bad-check-character': 'cfBadCheck' };
const ID_PROBLEM: Record<string, MessageKey> = { 'not-16-digits': 'idNot16', luhn: 'idLuhn' };

/** What a data check found, in the user's language. */
export function checkText(ctx: Context, c: Check): string {
  const v = c.values ?? {};
  if (v.certificate !== undefined && v.card !== undefined) return ctx.t('chkCompare', humanParams(ctx, v));
  if (v.result !== undefined) return ctx.t(CF_RESULT[v.result] ?? 'chkValue', { value: v.result });
  if (v.cf !== undefined && v.data !== undefined) return ctx.t('chkCfData', humanParams(ctx, v));
  if (v.value !== undefined) return v.value;
  if (v.problem !== undefined)
    return ctx.t('chkCardIdBad', { id: v.id, problem: ctx.t(ID_PROBLEM[v.problem] ?? 'chkValue', { value: v.problem }) });
  // a valid card id: the id itself; a check this catalogue does not know: its code
  return v.id ?? c.code;
}

/** A problem of a report, in the user's language (the library gives its code and facts only). */
export function problemText(ctx: Context, p: Problem): string {
  const f = p.params ?? {};
  // a failed reading: the lower layer's message id, or the card's status word; else its own text
  const { said, error, ...facts } = f;
  const fallback = error ?? p.code;
  const key = messageKey(p.variant ? `pr_${p.code}_${p.variant}` : `pr_${p.code}`);
  if (!key) return fallback;
  const t = ctx.t.bind(ctx);
  if (said !== undefined) return ctx.t(key, { detail: saidText({ id: said, facts }, fallback, t) });
  if (f.sw !== undefined)
    return ctx.t(key, { detail: ctx.t('apduStatus', { operation: f.operation, sw: f.sw, meaning: swMeaning(parseInt(f.sw, 16), t) }) });
  // what an interrupted write was (extend, restore), in words
  const kind = f.kind !== undefined ? messageKey(`kind_${f.kind}`) : undefined;
  return ctx.t(key, { detail: fallback, ...humanParams(ctx, p.params), ...(kind ? { kind: ctx.t(kind) } : {}) });
}

/** A report's problems as the JSON document shows them: the code and facts, and the text in the user's language. */
export function problemsJson(ctx: Context, problems: Problem[]): (Problem & { message: string })[] {
  return problems.map((p) => ({ ...p, message: problemText(ctx, p) }));
}

export function triesText(ctx: Context, t: TriesJson): string {
  if (t.blocked) return ctx.c.red(ctx.t('blocked'));
  if (t.triesLeft === null && t.atLeast !== undefined) return `≥ ${t.atLeast}`;
  if (t.triesLeft === null) return t.verified ? ctx.t('verifiedNow') : ctx.t('unknown');
  const s = ctx.t('tries', { tries: t.triesLeft });
  return t.triesLeft <= 1 ? ctx.c.yellow(s) : s;
}

/** A labelled line: a catalogue label (keys starting with "l") or a literal one. */
export function row(ctx: Context, key: MessageKey | string, value: string, indent = 0): void {
  const label = key.startsWith('l') ? ctx.t(key as MessageKey) : key;
  ctx.print(`${' '.repeat(indent)}${ctx.c.bold(label.padEnd(24 - indent))} ${value}`);
}

export function printCertificate(ctx: Context, c: CertificateSummary): void {
  row(ctx, 'lCertificate', certificateLine(ctx, c));
  row(ctx, 'lSubject', c.subject, 2);
  if (c.codiceFiscale) row(ctx, 'lCodiceFiscale', `${c.codiceFiscale}  (${ctx.t('lCardId')} ${c.cardId})`, 2);
  row(ctx, 'lIssuer', c.issuer, 2);
  row(ctx, 'lSerial', c.serialNumber, 2);
  row(ctx, 'SHA-256', c.sha256, 2);
}
