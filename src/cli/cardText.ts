import { romeDate } from '../card/dates.js';
import type { CertificateSummary } from '../cert/summary.js';
import type { TriesJson } from '../report/report.js';
import type { Context } from './context.js';
import type { MessageKey } from './i18n.js';

/** How commands show a card's certificate and tries as text. */

const STATE_KEY: Record<CertificateSummary['state'], MessageKey> = {
  valid: 'stValid',
  expiring: 'stExpiring',
  expired: 'stExpired',
  'not-yet-valid': 'stNotYetValid',
};

export function certificateLine(ctx: Context, c: CertificateSummary): string {
  const d = romeDate(new Date(c.notAfter));
  const days = c.daysLeft >= 0 ? ctx.t('daysLeft', { days: c.daysLeft }) : ctx.t('daysAgo', { days: -c.daysLeft });
  const label = ctx.t(STATE_KEY[c.state]);
  const color = c.state === 'valid' ? ctx.c.green : c.state === 'expiring' ? ctx.c.yellow : ctx.c.red;
  return `${color(label)} ${romeDate(new Date(c.notBefore))} → ${d} (${days})`;
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
