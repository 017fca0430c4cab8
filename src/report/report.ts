import { ApduError } from '../apdu/response.js';
import { saidOf } from '../apdu/said.js';
import { swHex } from '../apdu/status.js';
import { type PinPadInfo, pinPadInfo } from '../apdu/transport.js';
import type { CnsAtrInfo } from '../card/atr.js';
import type { Card, CardFiles, SignatureLayout, TokenDescription, TriesState } from '../card/card.js';
import { checkCodiceFiscale, decodeCodiceFiscale } from '../card/checks.js';
import { romeDate } from '../card/dates.js';
import type { DatiPersonali } from '../card/efDatiPersonali.js';
import type { CardId } from '../card/efIdCarta.js';
import { datiPersonaliHash } from '../cert/cnsSubject.js';
import type { CertificateSummary } from '../cert/summary.js';
import type { ParsedCertificate } from '../cert/x509.js';
import { deviceFault } from '../device/errors.js';
import { type Eligibility, evaluateEligibility } from '../extension/rules.js';
import { isDigits } from '../util/text.js';

/** Tries as reports and JSON show them. */
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
  /**
   * What was compared or found, as data (no words: the CLI's catalogue says it, and gives the
   * JSON's `detail` in the user's language): {certificate, card}, {result}, {cf, data}, {value},
   * {id} or {id, problem}.
   */
  values: Record<string, string>;
}

/**
 * Something wrong with the card, as a code and facts (no text: the CLI's catalogue has
 * pr_<code>[_<variant>] in each language). `params` holds what the sentence needs: a date, the
 * kind of an interrupted write and its journal's folder, or what a failed reading said (the lower
 * layer's message id `said` and its facts, a status word `sw` and its `operation`, or else the
 * error's own `error` text).
 */
export interface Problem {
  code: string;
  variant?: string;
  params?: Record<string, string>;
}

/** The card as its ATR and files describe it (raw APDUs). */
export interface AtrCardInfo {
  atr: string;
  model: string;
  id: string | null;
  idValid: boolean | null;
  type: CardId['type'] | null;
  icManufacturer: string | null;
  maskManufacturer: string | null;
  cnsVersion: string | null;
  generation: string | null;
  keyBits: number | null;
  extendedLength: boolean;
  middleware: string | null;
  /** How it was identified as a CNS: its ATR, or its files (read-only) when the ATR does not decide. */
  identifiedBy: 'atr' | 'application' | null;
  /** Seen through a contactless (NFC) interface: a PC/SC pseudo-ATR. */
  contactless: boolean;
  /** What a known ATR is on: a TS-CNS, another card with a CNS, a signature device (null: not in the list). */
  kind: CnsAtrInfo['kind'] | null;
  /** Where the authentication certificate was found (null: not found). */
  layout: Card['authLayout'] | null;
}

/** The card as a PKCS#11 module describes it: no ATR. */
export interface TokenCardInfo {
  atr: null;
  model: string;
  id: string | null;
  backend: 'pkcs11';
  token: { label: string; manufacturer: string; model: string; serialNumber: string; slot: string };
  module: TokenDescription['module'];
}

export type Holder = Record<string, string | null>;

export interface CardReport {
  reader: string;
  card: AtrCardInfo | TokenCardInfo;
  holder: Holder | null;
  certificate: CertificateSummary | null;
  checks: Check[];
  pin: TriesJson;
  puk: TriesJson;
  /** The second (signature) keyset, where the card has one; null without it (or through PKCS#11). */
  signature: SignatureKeyset | null;
  /** The reader's keypad, where it has one (the PIN is then typed on it); null without (or through PKCS#11). */
  pinpad: PinPadInfo | null;
  problems: Problem[];
  extension?: Eligibility;
}

export interface SignatureKeyset {
  /** OpenSC's CNS1 (own PIN 1A, PUK 1B), or the InfoCamere 1204 EF 2FFF/8228 under the CNS PIN. */
  layout: SignatureLayout;
  certificate: CertificateSummary | null;
  pin: TriesJson;
  puk: TriesJson;
}

/** The signature keyset (certificate 3F00/1400/9010, PIN 1A, PUK 1B), read without a PIN. */
async function readSignatureKeyset(card: Card, problems: CardReport['problems'], o: ReportOptions): Promise<SignatureKeyset | null> {
  const has = await attempt(problems, 'SIGNATURE_UNREADABLE', () => card.hasSignatureKeyset());
  if (!has) return null;
  const der = await attempt(problems, 'SIGNATURE_UNREADABLE', () => card.readCertificate('signature'));
  const { summarizeDer } = await import('../cert/summary.js');
  const summary = der ? await attempt(problems, 'SIGNATURE_UNREADABLE', async () => summarizeDer(der, o.now, o.warnDays).summary) : null;
  return {
    layout: card.signatureLayout ?? 'cns1',
    certificate: summary,
    pin: triesJson(await card.tries('pin', 'signature')),
    puk: triesJson(await card.tries('puk', 'signature')),
  };
}

/** The 2023 extension rules on what a report shows (the service applies the same rules). */
export function eligibilityFromReport(r: CardReport, at: Date, revoked?: Set<string>): Eligibility {
  const c = r.certificate;
  return evaluateEligibility({
    at,
    certificate: c
      ? { notBefore: new Date(c.notBefore), notAfter: new Date(c.notAfter), extended: c.extended, serialNumber: c.serialNumber }
      : null,
    cardExpiry: r.holder?.expiryDate ?? null,
    revoked: revoked && c ? revoked.has(c.serialNumber) : null,
    pin: { blocked: r.pin.blocked },
    puk: { blocked: r.puk.blocked },
    certificateDamaged: r.problems.some((p) => p.code === 'CERT_SIGNATURE_INVALID'),
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

/**
 * What the holder must act on, whatever else the report says: a blocked PIN or PUK, a certificate
 * expired or not yet valid. (`problems` holds these and anything that kept a part of the card
 * from being read or trusted.)
 */
export const STATE_PROBLEMS = new Set(['PIN_BLOCKED', 'PUK_BLOCKED', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID']);

function stateProblems(pin: TriesState, puk: TriesState, c: CertificateSummary | null): Problem[] {
  const out: Problem[] = [];
  if (pin.blocked) out.push(puk.blocked ? { code: 'PIN_BLOCKED', variant: 'pukToo' } : { code: 'PIN_BLOCKED' });
  if (puk.blocked) out.push({ code: 'PUK_BLOCKED' });
  if (c?.state === 'expired') out.push({ code: 'CERT_EXPIRED', params: { date: romeDate(new Date(c.notAfter)) } });
  if (c?.state === 'not-yet-valid') out.push({ code: 'CERT_NOT_YET_VALID', params: { date: romeDate(new Date(c.notBefore)) } });
  return out;
}

/**
 * What a failed reading says, as facts a translation can use: the message id and facts the
 * lower layer gave, or the status word the card answered.
 */
function problemFacts(e: unknown): Record<string, string> | undefined {
  if (e instanceof ApduError) return { operation: e.operation, sw: swHex(e.sw) };
  const said = saidOf(e);
  if (!said) return undefined;
  const out: Record<string, string> = { said: said.id };
  for (const [k, v] of Object.entries(said.facts ?? {})) out[k] = String(v);
  return out;
}

/** One reading: its failure becomes a problem of the report, unless the card is gone. */
async function attempt<T>(problems: CardReport['problems'], code: string, f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    const fault = deviceFault(e);
    if (fault === 'card-removed' || fault === 'card-not-answering') throw e;
    // neither a message id nor a status word: the error's own text, for logs and tickets
    const params = problemFacts(e) ?? { error: e instanceof Error ? e.message : String(e) };
    problems.push({ code, params });
    return null;
  }
}

export interface ReportOptions {
  now: Date;
  warnDays: number;
  /** Where extension journals are kept: an interrupted certificate write is reported. */
  stateDir?: string;
  /** Receives the parsed certificate, for callers that need more than the summary (the extension's request). */
  onCertificate?: (c: ParsedCertificate) => void;
}

/** Everything readable without a PIN; spends no attempt. */
export async function collectReport(card: Card, o: ReportOptions): Promise<CardReport> {
  if (card.origin.kind === 'atr' && card.files) return collectFileReport(card, card.files, card.origin.atr, o);
  if (card.origin.kind === 'token') return collectTokenReport(card, card.origin.token, o);
  throw new Error('a card with an ATR and no file access');
}

async function readCertificate(
  card: Card,
  problems: CardReport['problems'],
  o: ReportOptions,
): Promise<{ summary: CertificateSummary; parsed: ParsedCertificate } | null> {
  const der = await attempt(problems, 'CERTIFICATE_UNREADABLE', () => card.readCertificate());
  return der ? analyseCertificate(der, problems, o) : null;
}

/** The certificate read from the card, parsed, summarised and its issuer's signature checked. */
async function analyseCertificate(
  der: Buffer,
  problems: CardReport['problems'],
  o: ReportOptions,
): Promise<{ summary: CertificateSummary; parsed: ParsedCertificate } | null> {
  const { summarizeDer } = await import('../cert/summary.js');
  const r = await attempt(problems, 'CERTIFICATE_UNPARSABLE', async () => summarizeDer(der, o.now, o.warnDays));
  if (r) {
    const { issuerSignatureHolds } = await import('../cert/issuers.js');
    // between the parts, the card's answer that came meanwhile is taken and the next command sent
    await nextTurn();
    if (issuerSignatureHolds(r.parsed) === false) {
      problems.push({ code: 'CERT_SIGNATURE_INVALID' });
      return null;
    }
    o.onCertificate?.(r.parsed);
    // the fingerprint a report shows, hashed here (while the card answers the tries) rather than
    // when the report is written, after the last answer (~0.3 ms; issue 27)
    await nextTurn();
    void r.summary.sha256;
  }
  return r;
}

/** The next turn of the event loop: what came from the card (a transmit's answer) is taken first. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `work` run while the card answers (issue 27): started on the next turn of the event loop, once
 * the command that follows has gone to the reader (a transmit runs off the main thread), so that
 * the CPU's work and the card's wait overlap instead of adding up. Its result (or error) is taken
 * where it was needed before.
 */
function whileCardAnswers<T>(work: () => Promise<T>): Promise<T> {
  const p = new Promise<T>((resolve, reject) => setImmediate(() => work().then(resolve, reject)));
  // awaited later; if the card fails first, that error is the one the caller sees
  p.catch(() => {});
  return p;
}

/** The cross-checks of the card's own data and the holder, from what was read. */
function checksAndHolder(
  id: CardId | null,
  dati: DatiPersonali | null,
  rawDati: Buffer | null,
  certificate: CertificateSummary | null,
): { checks: Check[]; holder: Holder | null } {
  const checks: Check[] = [];
  const add = (code: string, status: Check['status'], values: Record<string, string>): void => {
    checks.push({ code, status, values });
  };
  if (id) add('CARD_ID_LUHN', id.valid ? 'pass' : 'fail', id.valid ? { id: id.id } : { id: id.id, problem: id.problem ?? '' });
  const cf = dati?.fields.codiceFiscale || null;
  if (cf) {
    const r = checkCodiceFiscale(cf);
    add('CF_CHECK_CHARACTER', r === 'valid' ? 'pass' : 'fail', { result: r });
    // what the codice fiscale says of the holder, against the card's own data
    const said = dati ? decodeCodiceFiscale(cf) : undefined;
    if (dati && said) {
      const onCf = `${said.sex} ${said.birthDate} ${said.birthPlace}`;
      const onCard = `${dati.fields.sex || '?'} ${dati.birthDate ?? '?'} ${dati.fields.birthMunicipality || '?'}`;
      add('CF_DATA_MATCH', onCf === onCard ? 'pass' : 'warn', {
        cf: onCf,
        data: onCard,
      });
    }
  }
  if (certificate) {
    if (certificate.codiceFiscale === null) add('CERT_CN_PATTERN', 'fail', { value: certificate.commonName ?? '-' });
    else {
      add('CERT_CN_PATTERN', 'pass', { value: 'CF/ID.SHA-1' });
      if (cf)
        add('CF_MATCH', certificate.codiceFiscale === cf ? 'pass' : 'fail', {
          certificate: certificate.codiceFiscale,
          card: cf,
        });
      if (id)
        add('CARD_ID_MATCH', certificate.cardId === id.id ? 'pass' : 'fail', {
          certificate: certificate.cardId ?? '',
          card: id.id,
        });
      if (rawDati) {
        const h = datiPersonaliHash(rawDati);
        add('DATI_PERSONALI_HASH', certificate.datiPersonaliHash === h ? 'pass' : 'fail', {
          certificate: certificate.datiPersonaliHash ?? '',
          card: h,
        });
      }
    }
    if (dati?.expiryDate) {
      const certDay = romeDate(new Date(certificate.notAfter));
      add('EXPIRY_MATCH', certDay === dati.expiryDate ? 'pass' : 'warn', {
        certificate: certDay,
        card: dati.expiryDate,
      });
    }
  }
  const holder: Holder | null = dati
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
  return { checks, holder };
}

async function collectFileReport(card: Card, files: CardFiles, a: CnsAtrInfo, o: ReportOptions): Promise<CardReport> {
  const problems: CardReport['problems'] = [];
  const idRead = files.readCardId();
  // the certificate's code, and the issuers the tool knows, while the card answers the first reads
  const warm = whileCardAnswers(async () => {
    await import('../cert/summary.js');
    (await import('../cert/issuers.js')).loadKnownIssuers();
  });
  const id: CardId | null = await attempt(problems, 'EF_ID_CARTA_UNREADABLE', () => idRead);
  const rawDati = await attempt(problems, 'EF_DATI_PERSONALI_UNREADABLE', () => files.readDatiPersonaliRaw());
  // the holder's record is parsed while the card answers the certificate's first read (its
  // failure, taken below, keeps its place after the holder's in the list of problems)
  const derRead = card.readCertificate();
  derRead.catch(() => {});
  let dati: DatiPersonali | null = null;
  if (rawDati) {
    const { parseDatiPersonali } = await import('../card/efDatiPersonali.js');
    dati = await attempt(problems, 'EF_DATI_PERSONALI_UNREADABLE', async () => parseDatiPersonali(rawDati));
  }
  await warm.catch(() => {});
  const der = await attempt(problems, 'CERTIFICATE_UNREADABLE', () => derRead);
  // parsed and checked while the card answers the tries; its problems keep their place in the list
  const pinRead = card.tries('pin');
  // the PUK's asked as soon as the PIN's answer is in, the certificate's check going on meanwhile
  // (the same two commands, in the same order, nothing sent between them)
  const pukRead = pinRead.then(() => card.tries('puk'));
  pukRead.catch(() => {});
  const certProblems: CardReport['problems'] = [];
  const analysed = der ? whileCardAnswers(() => analyseCertificate(der, certProblems, o)) : Promise.resolve(null);
  const pin = await pinRead;
  const puk = await pukRead;
  const certificate = (await analysed)?.summary ?? null;
  problems.push(...certProblems);
  if (o.stateDir && id && isDigits(id.id, 16, 16)) {
    // An interrupted certificate write leaves a journal: say what EF 1101 holds and what to do.
    const { loadJournal, classifyEf, journalDir } = await import('../extension/journal.js');
    const j = loadJournal(o.stateDir, id.id);
    if (j && j.state !== 'done') {
      const what = classifyEf(await files.readCertificateEf(), j);
      const where = journalDir(o.stateDir, id.id);
      // what EF 1101 holds (partial, old, new...) decides which: a half-written one is to finish first
      problems.push({
        code: what === 'partial' ? 'CERT_HALF_WRITTEN' : 'CERT_WRITE_PENDING',
        params: { kind: j.kind, dir: where, ef: what },
      });
    }
  }

  if (!certificate && !problems.some((p) => p.code.startsWith('CERT_'))) {
    // no journal here, but the card itself may say that a write was interrupted (extension/ef.ts)
    const { interruptedWrite } = await import('../extension/ef.js');
    const ef = await attempt(problems, 'CERTIFICATE_UNREADABLE', () => files.readCertificateEf());
    const w = ef ? interruptedWrite(ef) : null;
    if (w) {
      // resume: only its end is missing; restore: finished where it began, or a saved copy written back
      problems.push({ code: 'CERT_WRITE_INCOMPLETE', variant: w.certificate ? 'resume' : 'restore' });
    }
  }

  problems.push(...stateProblems(pin, puk, certificate));
  // the signature keyset is probed while the checks are made (its problems still come last); the
  // probe is always waited for, so that nothing is left talking to the card
  const signatureProblems: CardReport['problems'] = [];
  const signatureRead = readSignatureKeyset(card, signatureProblems, o);
  let derived: { checks: Check[]; holder: Holder | null };
  try {
    derived = checksAndHolder(id, dati, rawDati, certificate);
  } finally {
    await signatureRead.catch(() => {});
  }
  const { checks, holder } = derived;
  const signature = await signatureRead;
  problems.push(...signatureProblems);
  return {
    reader: card.name,
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
      identifiedBy: a.identifiedBy ?? null,
      contactless: a.contactless,
      kind: a.kind ?? null,
      layout: card.authLayout ?? null,
    },
    holder,
    certificate,
    checks,
    pin: triesJson(pin),
    puk: triesJson(puk),
    signature,
    // asked of the reader, not the card: a reader that does not answer the request has no keypad cns can use
    pinpad: card.pinpad
      ? await card.pinpad().then(
          (p) => p && pinPadInfo(p),
          () => null,
        )
      : null,
    problems,
  };
}

/**
 * The same report through PKCS#11: what the module shows, nothing invented. No ATR, no
 * EF_Dati_personali (holder data come from the certificate, marked so), tries from token flags.
 */
async function collectTokenReport(card: Card, token: TokenDescription, o: ReportOptions): Promise<CardReport> {
  // through PKCS#11: no ATR, no EF_Dati_personali, tries only as token flags
  const problems: CardReport['problems'] = [{ code: 'PKCS11_LIMITS' }];
  // OpenSC's CNS emulation never reads the PIN counter and flags every PIN as locked
  if (!token.flagsReliable) problems.push({ code: 'PKCS11_FLAGS_UNRELIABLE' });
  const cert = await readCertificate(card, problems, o);
  const certificate = cert?.summary ?? null;
  const subject = cert?.parsed.subject ?? [];
  const pin = await card.tries('pin');
  const puk = await card.tries('puk');
  problems.push(...stateProblems(pin, puk, certificate));
  const serialIsCardId = isDigits(token.serialNumber, 16, 16);
  const checks: Check[] = [];
  if (certificate) {
    checks.push({
      code: 'CERT_CN_PATTERN',
      status: certificate.codiceFiscale ? 'pass' : 'fail',
      values: { value: certificate.commonName ?? '-' },
    });
    if (certificate.codiceFiscale) {
      const r = checkCodiceFiscale(certificate.codiceFiscale);
      checks.push({ code: 'CF_CHECK_CHARACTER', status: r === 'valid' ? 'pass' : 'fail', values: { result: r } });
      if (serialIsCardId)
        checks.push({
          code: 'CARD_ID_MATCH',
          status: certificate.cardId === token.serialNumber ? 'pass' : 'fail',
          values: { certificate: certificate.cardId ?? '', card: token.serialNumber },
        });
    }
  }
  const attr = (t: string): string | null => subject.find((a) => a.type === t)?.value ?? null;
  return {
    reader: card.name,
    card: {
      atr: null,
      model: `${token.manufacturerID} ${token.model}`.trim(),
      id: serialIsCardId ? token.serialNumber : null,
      backend: 'pkcs11',
      token: {
        label: token.label,
        manufacturer: token.manufacturerID,
        model: token.model,
        serialNumber: token.serialNumber,
        slot: token.slot,
      },
      module: token.module,
    },
    holder: certificate
      ? { surname: attr('SN'), givenName: attr('GN'), codiceFiscale: certificate.codiceFiscale, source: 'certificate' }
      : null,
    certificate,
    checks,
    pin: triesJson(pin),
    puk: triesJson(puk),
    signature: null,
    pinpad: null,
    problems,
  };
}
