import type { CnsSession, TriesState } from '../card/session.js';
import { checkCodiceFiscale } from '../card/checks.js';
import { romeDate } from '../card/dates.js';
import type { DatiPersonali } from '../card/efDatiPersonali.js';
import type { CardId } from '../card/efIdCarta.js';
import { datiPersonaliHash } from '../cert/cnsSubject.js';
import type { CertificateSummary } from '../cert/summary.js';
import type { ParsedCertificate } from '../cert/x509.js';
import type { Context } from '../cli/context.js';
import { withCard } from '../cli/connect.js';
import type { Pkcs11Card } from '../pkcs11/card.js';
import { CnsSession as CnsSessionClass } from '../card/session.js';
import { CliError } from '../cli/errors.js';
import type { MessageKey } from '../cli/i18n.js';
import { toCliError } from '../cli/render.js';
import { type Eligibility, evaluateEligibility } from '../extension/rules.js';

export interface TriesJson {
  triesLeft: number | null;
  blocked: boolean | null;
  verified: boolean;
  /** Present (false) when only a range is known (PKCS#11 token flags). */
  exact?: boolean;
  atLeast?: number;
}

export interface Check {
  code: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
}

export interface CardReport {
  reader: string;
  card: Record<string, unknown> & { atr: string; id: string | null; model: string };
  holder: Record<string, string | null> | null;
  certificate: CertificateSummary | null;
  checks: Check[];
  pin: TriesJson;
  puk: TriesJson;
  problems: { code: string; message: string }[];
  extension?: Eligibility;
}

/** The 2023 extension rules on what a report shows (the service applies the same rules). */
export function eligibilityFromReport(r: CardReport, at: Date, revoked?: Set<string>): Eligibility {
  const c = r.certificate;
  return evaluateEligibility({
    at,
    certificate: c ? { notBefore: new Date(c.notBefore), notAfter: new Date(c.notAfter), extended: c.extended, serialNumber: c.serialNumber } : null,
    cardExpiry: (r.holder?.expiryDate as string | null | undefined) ?? null,
    revoked: revoked && c ? revoked.has(c.serialNumber) : null,
    pin: { blocked: r.pin.blocked },
    puk: { blocked: r.puk.blocked },
  });
}

export function triesJson(t: TriesState): TriesJson {
  const j: TriesJson = { triesLeft: t.triesLeft, blocked: t.blocked, verified: t.verified };
  if (t.exact === false) {
    j.exact = false;
    if (t.atLeast !== undefined) j.atLeast = t.atLeast;
  }
  return j;
}

async function attempt<T>(problems: CardReport['problems'], code: string, f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    const ce = toCliError(e);
    if (ce.code === 'CARD_REMOVED') throw e;
    problems.push({ code, message: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

/**
 * Everything readable without a PIN; spends no attempt. `onCertificate` receives the parsed
 * certificate, for callers that need more of it than the summary (the extension's request).
 */
export async function collectReport(s: CnsSession, now: Date, warnDays: number, stateDir?: string, onCertificate?: (c: ParsedCertificate) => void): Promise<CardReport> {
  const problems: CardReport['problems'] = [];
  const a = s.atrInfo;
  const id: CardId | null = await attempt(problems, 'EF_ID_CARTA_UNREADABLE', () => s.readCardId());
  const rawDati = await attempt(problems, 'EF_DATI_PERSONALI_UNREADABLE', () => s.readDatiPersonaliRaw());
  let dati: DatiPersonali | null = null;
  if (rawDati) {
    const { parseDatiPersonali } = await import('../card/efDatiPersonali.js');
    dati = await attempt(problems, 'EF_DATI_PERSONALI_UNREADABLE', async () => parseDatiPersonali(rawDati));
  }
  const certDer = await attempt(problems, 'CERTIFICATE_UNREADABLE', () => s.readCertificateFile());
  let certificate: CertificateSummary | null = null;
  if (certDer) {
    const { summarizeDer } = await import('../cert/summary.js');
    const r = await attempt(problems, 'CERTIFICATE_UNPARSABLE', async () => summarizeDer(certDer, now, warnDays));
    if (r) onCertificate?.(r.parsed);
    certificate = r?.summary ?? null;
  }
  const pin = await s.tries('pin');
  const puk = await s.tries('puk');
  if (stateDir && id) {
    // An interrupted certificate write leaves a journal: say what EF 1101 holds and what to do.
    const { loadJournal, classifyEf, journalDir } = await import('../extension/journal.js');
    const j = loadJournal(stateDir, id.id);
    if (j && j.state !== 'done') {
      const what = classifyEf(await s.readCertificateEf(), j);
      const where = journalDir(stateDir, id.id);
      problems.push(
        what === 'partial'
          ? { code: 'CERT_HALF_WRITTEN', message: `EF 1101 holds a partly written certificate (an interrupted ${j.kind}): run "cns extend --resume" to finish it; backups in ${where}` }
          : { code: 'CERT_WRITE_PENDING', message: `an interrupted ${j.kind} is journaled (EF 1101 holds the ${what} certificate): run "cns extend --resume"; backups in ${where}` },
      );
    }
  }

  const checks: Check[] = [];
  const add = (code: string, status: Check['status'], detail: string): void => {
    checks.push({ code, status, detail });
  };
  if (id) add('CARD_ID_LUHN', id.valid ? 'pass' : 'fail', id.valid ? id.id : `${id.id}: ${id.problem}`);
  const cf = dati?.fields.codiceFiscale || null;
  if (cf) {
    const r = checkCodiceFiscale(cf);
    add('CF_CHECK_CHARACTER', r === 'valid' ? 'pass' : 'fail', `${r}`);
  }
  if (certificate) {
    if (certificate.codiceFiscale === null) add('CERT_CN_PATTERN', 'fail', certificate.commonName ?? '(no CN)');
    else {
      add('CERT_CN_PATTERN', 'pass', 'CF/card id.SHA-1');
      if (cf) add('CF_MATCH', certificate.codiceFiscale === cf ? 'pass' : 'fail', `certificate ${certificate.codiceFiscale}, EF_Dati_personali ${cf}`);
      if (id) add('CARD_ID_MATCH', certificate.cardId === id.id ? 'pass' : 'fail', `certificate ${certificate.cardId}, EF_ID_Carta ${id.id}`);
      if (rawDati) {
        const h = datiPersonaliHash(rawDati);
        add('DATI_PERSONALI_HASH', certificate.datiPersonaliHash === h ? 'pass' : 'fail', `certificate ${certificate.datiPersonaliHash}, EF_Dati_personali ${h}`);
      }
    }
    if (dati?.expiryDate) {
      const certDay = romeDate(new Date(certificate.notAfter));
      add('EXPIRY_MATCH', certDay === dati.expiryDate ? 'pass' : 'warn', `certificate ${certDay}, EF_Dati_personali ${dati.expiryDate}`);
    }
  }
  const holder = dati
    ? {
        surname: dati.fields.surname || null,
        givenName: dati.fields.givenName || null,
        codiceFiscale: cf,
        sex: dati.fields.sex || null,
        birthDate: dati.birthDate,
        birthMunicipality: dati.fields.birthMunicipality || null,
        birthCountry: dati.fields.birthCountry || null,
        citizenship: dati.fields.citizenship || null,
        residenceMunicipality: dati.fields.residenceMunicipality || null,
        residenceAddress: dati.fields.residenceAddress || null,
        issuerCode: dati.fields.issuerCode || null,
        issueDate: dati.issueDate,
        expiryDate: dati.expiryDate,
        source: 'EF_Dati_personali',
      }
    : null;
  return {
    reader: s.transport.name,
    card: {
      atr: a.atr,
      model: a.model,
      id: id?.id ?? null,
      idValid: id?.valid ?? null,
      type: id?.type ?? null,
      icManufacturer: a.icManufacturer ?? null,
      maskManufacturer: a.maskManufacturer ?? null,
      cnsVersion: a.cnsVersion ?? null,
      generation: a.generation ?? null,
      keyBits: certificate?.keyBits ?? a.keyBits ?? null,
      extendedLength: a.extendedLength,
      middleware: a.middleware ?? null,
    },
    holder,
    certificate,
    checks,
    pin: triesJson(pin),
    puk: triesJson(puk),
    problems,
  };
}

/**
 * The same report through PKCS#11: what the module shows, nothing invented. No ATR, no
 * EF_Dati_personali (holder data come from the certificate, marked so), tries from token flags.
 */
export async function collectP11Report(card: Pkcs11Card, now: Date, warnDays: number): Promise<CardReport> {
  const problems: CardReport['problems'] = [{ code: 'PKCS11_LIMITS', message: 'through PKCS#11: no ATR, no EF_Dati_personali, tries only as token flags' }];
  if (!card.flagsReliable) problems.push({ code: 'PKCS11_FLAGS_UNRELIABLE', message: "OpenSC's CNS emulation never reads the PIN counter and flags every PIN as locked: tries are unknown here; use --backend pcsc to read them" });
  const certDer = await attempt(problems, 'CERTIFICATE_UNREADABLE', () => card.readCertificateFile());
  let certificate: CertificateSummary | null = null;
  let subject: { type: string; value: string }[] = [];
  if (certDer) {
    const { summarizeDer } = await import('../cert/summary.js');
    const r = await attempt(problems, 'CERTIFICATE_UNPARSABLE', async () => summarizeDer(certDer, now, warnDays));
    certificate = r?.summary ?? null;
    subject = r?.parsed.subject ?? [];
  }
  const pin = await card.tries('pin');
  const puk = await card.tries('puk');
  const token = card.slot.token!;
  const serialIsCardId = /^\d{16}$/.test(token.serialNumber);
  const checks: Check[] = [];
  if (certificate) {
    checks.push({ code: 'CERT_CN_PATTERN', status: certificate.codiceFiscale ? 'pass' : 'fail', detail: certificate.commonName ?? '(no CN)' });
    if (certificate.codiceFiscale) {
      const r = checkCodiceFiscale(certificate.codiceFiscale);
      checks.push({ code: 'CF_CHECK_CHARACTER', status: r === 'valid' ? 'pass' : 'fail', detail: r });
      if (serialIsCardId) checks.push({ code: 'CARD_ID_MATCH', status: certificate.cardId === token.serialNumber ? 'pass' : 'fail', detail: `certificate ${certificate.cardId}, token serial ${token.serialNumber}` });
    }
  }
  const attr = (t: string): string | null => subject.find((a) => a.type === t)?.value ?? null;
  return {
    reader: card.name,
    card: {
      atr: null as unknown as string,
      model: `${token.manufacturerID} ${token.model}`.trim(),
      id: serialIsCardId ? token.serialNumber : null,
      backend: 'pkcs11',
      token: { label: token.label, manufacturer: token.manufacturerID, model: token.model, serialNumber: token.serialNumber, slot: card.slot.description },
      module: card.module,
    },
    holder: certificate
      ? { surname: attr('SN'), givenName: attr('GN'), codiceFiscale: certificate.codiceFiscale, source: 'certificate' }
      : null,
    certificate,
    checks,
    pin: triesJson(pin),
    puk: triesJson(puk),
    problems,
  };
}

export function parseWarnDays(v: string | undefined): number {
  if (v === undefined) return 30;
  if (!/^\d{1,5}$/.test(v)) throw new CliError('USAGE', { detail: `--warn-days must be a whole number of days, not "${v}"` });
  return Number(v);
}

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

function row(ctx: Context, key: MessageKey | string, value: string, indent = 0): void {
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

export async function statusCommand(ctx: Context, o: { warnDays?: string }): Promise<number> {
  const warnDays = parseWarnDays(o.warnDays);
  const { stateDir } = await import('../cli/connect.js');
  const now = new Date();
  const report = await withCard(ctx, (c) => (c instanceof CnsSessionClass ? collectReport(c, now, warnDays, stateDir(ctx.env)) : collectP11Report(c, now, warnDays)));
  report.extension = eligibilityFromReport(report, now);
  ctx.result(report as unknown as Record<string, unknown>);
  if (!ctx.json) {
    const r = report;
    row(ctx, 'lCard', `${r.card.model}`);
    if (r.card.atr) row(ctx, 'lAtr', r.card.atr.replace(/(..)(?!$)/g, '$1 '), 2);
    if (r.card.token) row(ctx, 'PKCS#11', `${(r.card.token as { label: string }).label} (${(r.card.module as { path: string }).path})`, 2);
    if (r.card.generation) row(ctx, 'lGeneration', `${r.card.generation}${r.card.middleware ? ` (${r.card.middleware})` : ''}`, 2);
    row(ctx, 'lCardId', `${r.card.id ?? ctx.t('unknown')}${r.card.type ? ` (${String(r.card.type)})` : ''}`, 2);
    if (r.holder) {
      row(ctx, 'lHolder', `${r.holder.surname ?? ''} ${r.holder.givenName ?? ''}`.trim());
      row(ctx, 'lCodiceFiscale', r.holder.codiceFiscale ?? '', 2);
      if (r.holder.birthDate) row(ctx, 'lBirth', r.holder.birthDate, 2);
      if (r.holder.source === 'EF_Dati_personali') row(ctx, 'lCardDates', `${r.holder.issueDate ?? '?'} / ${r.holder.expiryDate ?? '?'}`, 2);
    }
    if (r.certificate) printCertificate(ctx, r.certificate);
    row(ctx, 'lPin', triesText(ctx, r.pin));
    row(ctx, 'lPuk', triesText(ctx, r.puk));
    if (r.extension) row(ctx, 'lExtension', r.extension.eligible ? ctx.c.green(ctx.t('extEligible')) : ctx.t('extNotEligible'));
    const bad = r.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    row(ctx, 'lChecks', bad.length === 0 ? ctx.c.green(ctx.t('checksPassed', { n: r.checks.length })) : '');
    for (const c of bad) ctx.print(`  ${c.status === 'fail' ? ctx.c.red('✗') : ctx.c.yellow('!')} ${c.code}: ${c.detail}`);
    for (const p of r.problems) ctx.print(`  ${ctx.c.red('✗')} ${p.code}: ${p.message}`);
  }
  return 0;
}
