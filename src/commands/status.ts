import {
  certificateLine,
  checkText,
  eligibilityJson,
  notEligibleWhy,
  printCertificate,
  problemsJson,
  refusals,
  row,
  triesText,
} from '../cli/cardText.js';
import type { Context } from '../cli/context.js';
import { fallbackText } from '../cli/gate.js';
import { messageKey } from '../cli/i18n.js';
import { parseWarnDays } from '../cli/options.js';
import { withCard } from '../device/open.js';
import { stateDir } from '../device/paths.js';
import { collectReport, eligibilityFromReport } from '../report/report.js';
import { hexPairs } from '../util/text.js';

/** `cns status`: everything readable without a PIN, as text or the JSON report. */
export async function statusCommand(ctx: Context, o: { warnDays?: string }): Promise<number> {
  const warnDays = parseWarnDays(o.warnDays);
  const now = new Date();
  // said first, on stderr, and kept in the report: tries read through the module mean little
  let fallback: { code: string; message: string } | undefined;
  const report = await withCard(ctx.cardOptions, async (card, opened) => {
    const r = await collectReport(card, { now, warnDays, stateDir: stateDir(ctx.env) });
    if (opened.fallback) {
      fallback = { code: 'PCSC_FALLBACK', message: fallbackText(ctx, opened.fallback.cause) };
      ctx.note(ctx.c.yellow(fallback.message));
    }
    return r;
  });
  const problems = [...(fallback ? [fallback] : []), ...problemsJson(ctx, report.problems)];
  report.extension = eligibilityFromReport(report, now);
  // the texts of the JSON document follow --lang too (README: keys stable, messages translated)
  if (ctx.json)
    ctx.result({
      ...report,
      checks: report.checks.map((c) => ({ ...c, detail: checkText(ctx, c) })),
      problems,
      ...(report.extension ? { extension: eligibilityJson(ctx, report.extension) } : {}),
    });
  if (!ctx.json) {
    const r = report;
    row(ctx, 'lCard', `${r.card.model}`);
    if (r.card.atr === null) row(ctx, 'PKCS#11', `${r.card.token.label} (${r.card.module.path})`, 2);
    else {
      row(ctx, 'lAtr', hexPairs(r.card.atr), 2);
      if (r.card.identifiedBy === 'application') row(ctx, 'lIdentified', ctx.t('identifiedByApplication'), 2);
      if (r.card.contactless) row(ctx, 'lInterface', ctx.c.yellow(ctx.t('nfcNote')), 2);
      if (r.card.generation) row(ctx, 'lGeneration', `${r.card.generation}${r.card.middleware ? ` (${r.card.middleware})` : ''}`, 2);
    }
    const type = r.card.atr === null ? null : r.card.type;
    const typeKey = type ? messageKey(`cardType_${type}`) : undefined;
    row(ctx, 'lCardId', `${r.card.id ?? ctx.t('unknown')}${typeKey ? ` (${ctx.t(typeKey)})` : ''}`, 2);
    if (r.holder) {
      row(ctx, 'lHolder', `${r.holder.surname ?? ''} ${r.holder.givenName ?? ''}`.trim());
      row(ctx, 'lCodiceFiscale', r.holder.codiceFiscale ?? '', 2);
      if (r.holder.birthDate) row(ctx, 'lBirth', ctx.day(r.holder.birthDate), 2);
      if (r.holder.source === 'EF_Dati_personali')
        row(
          ctx,
          'lCardDates',
          `${r.holder.issueDate ? ctx.day(r.holder.issueDate) : '?'} / ${r.holder.expiryDate ? ctx.day(r.holder.expiryDate) : '?'}`,
          2,
        );
    }
    if (r.certificate) printCertificate(ctx, r.certificate);
    row(ctx, 'lPin', triesText(ctx, r.pin));
    row(ctx, 'lPuk', triesText(ctx, r.puk));
    if (r.pinpad) row(ctx, 'lPinpad', ctx.t(r.pinpad.modify ? 'padRowModify' : 'padRowVerify'));
    if (r.signature) {
      row(ctx, 'lSignature', r.signature.certificate ? certificateLine(ctx, r.signature.certificate) : ctx.t('unknown'));
      if (r.signature.certificate) row(ctx, 'lSubject', r.signature.certificate.subject, 2);
      if (r.signature.layout === 'infocamere') row(ctx, 'lSigPin', ctx.t('sigSharesPin'), 2);
      else {
        row(ctx, 'lSigPin', triesText(ctx, r.signature.pin), 2);
        row(ctx, 'lSigPuk', triesText(ctx, r.signature.puk), 2);
      }
    }
    if (r.extension?.eligible) row(ctx, 'lExtension', ctx.c.green(ctx.t('extRowYes')));
    else if (r.extension) {
      const why = notEligibleWhy(ctx, r.extension);
      // a card expiring after 30/12/2023 was never due for it: said as such, not as a refusal
      // (a new-user trial read "non possibile" on a card valid until 2032 as something wrong)
      const notDue = refusals(r.extension).every((x) => x.code === 'EXPIRY_BY_DEADLINE');
      row(ctx, 'lExtension', why ? ctx.t(notDue ? 'extRowNotDue' : 'extRowNoWhy', { why }) : ctx.t('extRowNo'));
    }
    // "all passed" only when nothing below says otherwise; the codes are for --json and doctor
    const bad = r.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    const n = bad.length + problems.length;
    row(ctx, 'lChecks', n === 0 ? ctx.c.green(ctx.t('checksPassed', { n: r.checks.length })) : ctx.t('checksProblems', { n }));
    for (const c of bad) ctx.print(`  ${c.status === 'fail' ? ctx.c.red('✗') : ctx.c.yellow('!')} ${checkText(ctx, c)}`);
    for (const p of problems) ctx.print(`  ${ctx.c.red('✗')} ${p.message}`);
  }
  return 0;
}
