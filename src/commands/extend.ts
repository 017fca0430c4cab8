import { readFileSync } from 'node:fs';
import type { Card, CardFiles } from '../card/card.js';
import { parseReferenceDate } from '../card/dates.js';
import { CNS_PATHS } from '../card/files.js';
import { derLength } from '../card/session.js';
import type { ParsedCertificate } from '../cert/x509.js';
import { eligibilityJson, ruleText } from '../cli/cardText.js';
import type { Context } from '../cli/context.js';
import { CliError, ErrorWithData, refuseFolder } from '../cli/errors.js';
import { gate } from '../cli/gate.js';
import { type MessageKey, messageKey } from '../cli/i18n.js';
import { foreignText, inputFileDetail, outcome } from '../cli/render.js';
import { canPrompt, confirmTyped, type SecretOptions, Secrets } from '../cli/secrets.js';
import { err, isTerminal } from '../cli/stdio.js';
import { withCard } from '../device/open.js';
import { stateDir } from '../device/paths.js';
import { EXTENDED_NOT_AFTER } from '../extension/constants.js';
import { CERT_HEADER, interruptedWrite, writePlan } from '../extension/ef.js';
import {
  classifyEf,
  efImage,
  isPathSafeCardId,
  type Journal,
  journalDir,
  loadJournal,
  prepareJournal,
  saveJournal,
} from '../extension/journal.js';
import type { Eligibility, RuleResult } from '../extension/rules.js';
import { collectReport, eligibilityFromReport } from '../report/report.js';

export interface ExtendOptions extends SecretOptions {
  check?: boolean;
  at?: string;
  crl?: string;
  service?: string;
  caCert?: string;
  yes?: boolean;
  resume?: boolean;
  restore?: string;
  lastAttempt?: boolean;
  timeout?: string;
  retries?: string;
}

const DEFAULT_SERVICE = 'http://127.0.0.1:8470';

function referenceDate(o: ExtendOptions): Date {
  if (o.at === undefined) return new Date();
  const d = parseReferenceDate(o.at);
  if (!d) throw new CliError('USAGE', { detailKey: 'uDateOpt', option: '--at', value: o.at });
  return d;
}

/** EF_ID_Carta, which names the journal's folder: 16 digits or nothing is written. */
async function pathSafeCardId(files: CardFiles): Promise<string> {
  const { id } = await files.readCardId();
  if (!isPathSafeCardId(id)) throw new CliError('CARD_UNSUPPORTED', { detailKey: 'extNoCardId', atr: '' });
  return id;
}

/** The card's files: writing EF 1101 needs raw APDUs, which a PKCS#11 module does not give. */
/** Writing over NFC: the contact slot is the safe place for it (a card moved mid-write). */
function nfcWarning(ctx: Context, card: Card): void {
  if (card.origin.kind === 'atr' && card.origin.atr.contactless) ctx.note(ctx.c.yellow(ctx.t('nfcNote')));
}

function filesOf(card: Card): CardFiles {
  if (!card.files) {
    throw new CliError('PKCS11_NOT_SUPPORTED', {
      detailKey: 'extNeedsApdu',
    });
  }
  return card.files;
}

/**
 * The extension writes EF 1101, the classic TS-CNS's certificate. A card that keeps its
 * certificate elsewhere (IDEMIA 2021: its EF 1101 holds something else; ACe 2025: no EF 1101) is
 * never written: those generations were issued after the 2023 extension and never needed it.
 */
async function requireClassicLayout(card: Card): Promise<void> {
  if (card.authLayout === undefined) await card.readCertificate().catch(() => undefined);
  if (card.authLayout !== undefined && card.authLayout !== 'cns') {
    const atr = card.origin.kind === 'atr' ? card.origin.atr.atr : '-';
    throw new CliError('CARD_UNSUPPORTED', { detailKey: 'extLayout', atr });
  }
}

/** What the extension service answered, in the user's language: its code where known, else its own words. */
function serviceText(ctx: Context, e: import('../extension/client.js').ServiceError): string {
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

/** Serials listed in a CRL file (PEM or DER). */
async function crlSerials(ctx: Context, path: string): Promise<Set<string>> {
  const { fromPem } = await import('../cert/pem.js');
  const pkijs = await import('pkijs');
  let der: Buffer;
  try {
    der = fromPem(readFileSync(path), 'X509 CRL');
  } catch (e) {
    throw new CliError('INVALID_INPUT', { what: '--crl', detail: inputFileDetail(e, ctx.t.bind(ctx)) });
  }
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(der).buffer);
    return new Set(
      (crl.revokedCertificates ?? []).map((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').toUpperCase()),
    );
  } catch {
    throw new CliError('INVALID_INPUT', { what: '--crl', detailKey: 'uCrl' });
  }
}

interface Current {
  cardId: string;
  der: Buffer;
  serialNumber: string;
  subjectDer: Buffer;
  spki: Buffer;
  notAfter: Date;
  modulusBytes: number;
}

/** The rules on the card as it is, and what the request needs of the current certificate. */
async function eligibilityOf(
  card: Card,
  at: Date,
  state: string,
  revokedSerials?: Set<string>,
): Promise<{ e: Eligibility; current: Current | null }> {
  let p: ParsedCertificate | undefined;
  const report = await collectReport(card, { now: at, warnDays: 30, stateDir: state, onCertificate: (c) => (p = c) });
  let current: Current | null = null;
  if (p && report.certificate && report.card.id && isPathSafeCardId(report.card.id)) {
    current = {
      cardId: report.card.id,
      der: p.der,
      serialNumber: p.serialNumber,
      subjectDer: p.subjectDer,
      spki: p.spki,
      notAfter: p.notAfter,
      modulusBytes: p.modulus?.length ?? 256,
    };
  }
  return { e: eligibilityFromReport(report, at, revokedSerials), current };
}

function printEligibility(ctx: Context, e: Eligibility): void {
  ctx.print(e.eligible ? ctx.c.green(ctx.t('extEligible')) : ctx.c.red(ctx.t('extNotEligible')));
  for (const r of e.reasons) {
    const mark = r.ok === true ? ctx.c.green('✓') : r.ok === false ? (r.advisory ? ctx.c.yellow('!') : ctx.c.red('✗')) : ctx.c.dim('?');
    ctx.print(`  ${mark} ${ruleText(ctx, r)}`);
  }
}

function notEligible(ctx: Context, e: Eligibility): CliError {
  const failed = e.reasons.filter((r) => r.ok === false && !r.advisory);
  return new CliError(
    'NOT_ELIGIBLE',
    { detail: failed.map((r) => ruleText(ctx, r)).join('; ') },
    { result: { extension: eligibilityJson(ctx, e) } },
  );
}

async function confirm(ctx: Context, o: ExtendOptions, question: 'extConfirm' | 'restoreConfirm' = 'extConfirm'): Promise<void> {
  if (o.yes) return;
  if (!canPrompt()) throw new CliError('DECLINED', {}, { hint: ctx.t('noTtyConfirm') });
  let ok = false;
  try {
    ok = await confirmTyped(ctx, ctx.t(question), false);
  } catch {
    ok = false;
  }
  if (!ok) throw new CliError('DECLINED');
}

/** A base64 field of the service's answer; anything but a string is no bytes (and refused later). */
function base64Field(v: unknown): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
}

/** Ask the service, then check everything about its answer before the card is touched. */
async function obtainCertificate(ctx: Context, o: ExtendOptions, card: Card, files: CardFiles, cur: Current): Promise<Buffer> {
  const { buildExtensionCsr } = await import('../extension/csr.js');
  const { callService, ServiceError } = await import('../extension/client.js');
  const { parseCertificate, signedBy } = await import('../cert/x509.js');
  const { fromPem } = await import('../cert/pem.js');
  const url = (o.service ?? ctx.env.CNS_EXTENSION_URL ?? DEFAULT_SERVICE).replace(/\/+$/, '');
  const timeoutMs = o.timeout !== undefined ? Number(o.timeout) * 1000 : 15000;
  const retries = o.retries !== undefined ? Number(o.retries) : 2;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || !Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new CliError('USAGE', { detailKey: 'uTimeout' });
  }
  const csr = await buildExtensionCsr({
    subjectDer: cur.subjectDer,
    spki: cur.spki,
    cardId: cur.cardId,
    serialNumber: cur.serialNumber,
    sign: (tbs) => card.sign(tbs, 'sha256', cur.modulusBytes),
  });
  const progress = (n: number): void => {
    if (!ctx.json || isTerminal(2)) ctx.note(ctx.c.dim(ctx.t('extContacting', { url, n })));
  };
  let answer: Record<string, unknown>;
  try {
    answer = await callService(
      `${url}/v1/extend`,
      { csr: csr.toString('base64'), certificate: cur.der.toString('base64') },
      { timeoutMs, retries, onAttempt: progress },
    );
  } catch (e) {
    if (e instanceof ServiceError) {
      if (['NOT_ELIGIBLE', 'REVOKED', 'ALREADY_EXTENDED'].includes(e.code)) {
        throw new CliError(
          'NOT_ELIGIBLE',
          { detail: serviceText(ctx, e) },
          { data: { service: { code: e.code, reasons: e.reasons ?? [] } } },
        );
      }
      throw new CliError('SERVICE_ERROR', { detail: serviceText(ctx, e) }, { data: { service: { code: e.code, status: e.status } } });
    }
    throw e;
  }
  const bad = (why: MessageKey, p: Record<string, string | number> = {}): CliError =>
    new CliError('SERVICE_ERROR', { detail: ctx.t('svcRefused', { why: ctx.t(why, p) }) });
  const newDer = base64Field(answer.certificate);
  let n: ParsedCertificate;
  try {
    n = parseCertificate(newDer);
  } catch {
    throw bad('svcNotCert');
  }
  if (!n.spki.equals(cur.spki)) throw bad('svcOtherKey');
  if (!n.subjectDer.equals(cur.subjectDer)) throw bad('svcOtherSubject');
  if (n.notAfter.getTime() !== EXTENDED_NOT_AFTER.getTime()) throw bad('svcWrongEnd', { date: ctx.day(n.notAfter) });
  // The issuing CA: pinned with --ca-cert, or the service's, which must be the old certificate's issuer.
  let caDer: Buffer;
  if (o.caCert) {
    try {
      caDer = fromPem(readFileSync(o.caCert));
    } catch (e) {
      throw new CliError('INVALID_INPUT', { what: '--ca-cert', detail: inputFileDetail(e, ctx.t.bind(ctx)) });
    }
  } else {
    caDer = base64Field(answer.caCertificate);
    if (!signedBy(cur.der, caDer)) throw bad('svcOtherCa');
  }
  if (!signedBy(newDer, caDer)) throw bad('svcNotSigned');
  const efSize = (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? 0;
  if (newDer.length > efSize) throw bad('svcTooBig', { size: newDer.length, room: efSize });
  return newDer;
}

/** PUK (the PUK rules apply), then write, read back, compare; the journal follows each step. */
async function writeWithPuk(
  ctx: Context,
  card: Card,
  files: CardFiles,
  secrets: Secrets,
  o: ExtendOptions,
  dir: string,
  j: Journal,
  der: Buffer,
  previousLength: number,
): Promise<void> {
  await requireClassicLayout(card);
  await gate(ctx, card, 'puk', secrets, o.lastAttempt);
  const puk = await secrets.get('puk');
  await card.verify('puk', puk);
  saveJournal(dir, { ...j, state: 'writing' });
  const image = efImage(der, previousLength, j.efSize);
  const plan = writePlan(image);
  const total = plan.reduce((n, s) => n + s.data.length, 0);
  let before = 0;
  try {
    for (const step of plan) {
      await files.writeFile(CNS_PATHS.CERTIFICATE, step.data, {
        offset: step.offset,
        onChunk: (done) => {
          if (!ctx.json && isTerminal(2))
            err(`\r${ctx.t(j.kind === 'restore' ? 'restoreWriting' : 'extWriting', { done: before + done, total })}`);
        },
      });
      before += step.data.length;
    }
  } catch (e) {
    // said at once, not only at the next status: what happened and what to run
    throw new ErrorWithData(
      e,
      { interrupted: true, journal: journalDir(dir, j.cardId) },
      ctx.t('extInterrupted', { dir: journalDir(dir, j.cardId) }),
    );
  }
  if (!ctx.json && isTerminal(2)) err('\n');
  const back = await files.readCertificateEf();
  if (!back.subarray(0, image.length).equals(image)) throw new CliError('WRITE_VERIFY_FAILED', { dir: journalDir(dir, j.cardId) });
  saveJournal(dir, { ...j, state: 'done' });
}

export async function extendCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  const modes = [o.check, o.resume, o.restore !== undefined].filter(Boolean).length;
  if (modes > 1) throw new CliError('USAGE', { detailKey: 'uModes' });
  if (o.restore !== undefined) return restoreCommand(ctx, o);
  if (o.resume) return resumeCommand(ctx, o);
  const at = referenceDate(o);
  if (o.crl) refuseFolder(o.crl, '--crl');
  const revoked = o.crl ? await crlSerials(ctx, o.crl) : undefined;
  const secrets = o.check ? undefined : new Secrets(ctx, o, ['pin', 'puk']);
  const state = stateDir(ctx.env);
  return withCard(ctx.cardOptions, async (card) => {
    nfcWarning(ctx, card);
    const files = filesOf(card);
    const { e, current } = await eligibilityOf(card, at, state, revoked);
    if (o.check) {
      if (!ctx.json) printEligibility(ctx, e);
      return outcome(ctx, { extension: eligibilityJson(ctx, e) }, e.eligible ? undefined : notEligible(ctx, e));
    }
    if (current) {
      const pending = loadJournal(state, current.cardId);
      if (pending && pending.state !== 'done') throw new CliError('EXTENSION_PENDING', { dir: journalDir(state, current.cardId) });
    }
    if (!e.eligible || !current) throw notEligible(ctx, e);
    // the secrets only once the card is known to be eligible (a kiosk learns "not eligible", not
    // "no terminal to ask the PUK"); still checked before the card sees any of them
    await secrets!.preload();
    if (!ctx.json) printEligibility(ctx, e);
    ctx.note(
      ctx.t('extPlan', {
        serial: current.serialNumber,
        old: ctx.day(current.notAfter),
        service: o.service ?? ctx.env.CNS_EXTENSION_URL ?? DEFAULT_SERVICE,
        dir: journalDir(state, current.cardId),
      }),
    );
    await confirm(ctx, o);
    await gate(ctx, card, 'pin', secrets!, o.lastAttempt);
    await card.verify('pin', await secrets!.get('pin'));
    const newDer = await obtainCertificate(ctx, o, card, files, current);
    const { parseCertificate } = await import('../cert/x509.js');
    const n = parseCertificate(newDer);
    const j = prepareJournal(state, {
      kind: 'extend',
      cardId: current.cardId,
      oldDer: current.der,
      oldSerial: current.serialNumber,
      newDer,
      newSerial: n.serialNumber,
      efSize: (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? newDer.length,
    });
    await writeWithPuk(ctx, card, files, secrets!, o, state, j, newDer, current.der.length);
    ctx.result({
      operation: 'extend',
      extension: eligibilityJson(ctx, e),
      old: { serialNumber: current.serialNumber, notAfter: current.notAfter.toISOString() },
      new: { serialNumber: n.serialNumber, notAfter: n.notAfter.toISOString() },
      backup: j.oldFile,
      journal: journalDir(state, current.cardId),
    });
    ctx.print(ctx.c.green(ctx.t('extDone', { old: ctx.day(current.notAfter), new: ctx.day(n.notAfter), backup: j.oldFile })));
    return 0;
  });
}

/**
 * `--resume` where this machine has no journal (the write began elsewhere): the card alone says
 * what happened. With the body complete only the header is missing, and it follows from the
 * body; otherwise the certificate saved when the write began is needed (`--restore FILE`).
 */
async function resumeFromCard(
  ctx: Context,
  o: ExtendOptions,
  card: Card,
  files: CardFiles,
  secrets: Secrets,
  cardId: string,
): Promise<number> {
  const w = interruptedWrite(await files.readCertificateEf());
  if (!w) throw new CliError('NOTHING_TO_RESUME', { card: cardId });
  if (!w.certificate) throw new CliError('NOTHING_TO_RESUME', { card: cardId }, { hint: ctx.t('extPartialNoCopy') });
  const { parseCertificate } = await import('../cert/x509.js');
  const { parseCnsCommonName } = await import('../cert/cnsSubject.js');
  const n = parseCertificate(w.certificate);
  const cn = parseCnsCommonName(n.subject.find((a) => a.type === 'CN')?.value ?? '');
  if (cn?.cardId !== cardId) throw new CliError('NOTHING_TO_RESUME', { card: cardId }, { hint: ctx.t('extPartialNoCopy') });
  await secrets.preload();
  await gate(ctx, card, 'puk', secrets, o.lastAttempt);
  await card.verify('puk', await secrets.get('puk'));
  await files.writeFile(CNS_PATHS.CERTIFICATE, w.certificate.subarray(0, CERT_HEADER), { offset: 0 });
  const back = await files.readCertificateEf();
  if (!back.subarray(0, w.certificate.length).equals(w.certificate)) throw new CliError('WRITE_VERIFY_FAILED', { dir: '-' });
  ctx.result({ operation: 'extend.resume', new: { serialNumber: n.serialNumber, notAfter: n.notAfter.toISOString() } });
  ctx.print(ctx.c.green(ctx.t('extResumedFromCard', { serial: n.serialNumber, date: ctx.day(n.notAfter) })));
  return 0;
}

/** `cns extend --resume`: finish a journaled write (the card holds the old, a partial or the new certificate). */
async function resumeCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  const state = stateDir(ctx.env);
  const secrets = new Secrets(ctx, o, ['puk']);
  return withCard(ctx.cardOptions, async (card) => {
    nfcWarning(ctx, card);
    const files = filesOf(card);
    const cardId = await pathSafeCardId(files);
    const j = loadJournal(state, cardId);
    if (!j || j.state === 'done') return resumeFromCard(ctx, o, card, files, secrets, cardId);
    const ef = await files.readCertificateEf();
    const newDer = readFileSync(j.newFile);
    let key: MessageKey = 'extDone';
    if (classifyEf(ef, j) === 'new' && ef.subarray(newDer.length).every((b) => b === 0)) {
      saveJournal(state, { ...j, state: 'done' });
      key = 'extAlreadyDone';
    } else {
      await secrets.preload();
      const oldLen = readFileSync(j.oldFile).length;
      await writeWithPuk(ctx, card, files, secrets, o, state, j, newDer, Math.max(oldLen, derLength(ef) ?? 0));
    }
    const { parseCertificate } = await import('../cert/x509.js');
    const n = parseCertificate(newDer);
    const old = parseCertificate(readFileSync(j.oldFile));
    ctx.result({
      operation: 'extend.resume',
      new: { serialNumber: n.serialNumber, notAfter: n.notAfter.toISOString() },
      backup: j.oldFile,
    });
    ctx.print(
      ctx.c.green(
        key === 'extDone'
          ? ctx.t('extDone', { old: ctx.day(old.notAfter), new: ctx.day(n.notAfter), backup: j.oldFile })
          : ctx.t('extAlreadyDone'),
      ),
    );
    return 0;
  });
}

/** `cns extend --restore BACKUP`: write a saved certificate back (PUK required). */
async function restoreCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  const { fromPem } = await import('../cert/pem.js');
  const { parseCertificate } = await import('../cert/x509.js');
  const { parseCnsCommonName } = await import('../cert/cnsSubject.js');
  let der: Buffer;
  let p: ParsedCertificate;
  refuseFolder(o.restore!, '--restore');
  try {
    der = fromPem(readFileSync(o.restore!));
    p = parseCertificate(der);
  } catch (e) {
    throw new CliError('INVALID_INPUT', { what: '--restore', detail: inputFileDetail(e, ctx.t.bind(ctx)) });
  }
  const state = stateDir(ctx.env);
  const secrets = new Secrets(ctx, o, ['puk']);
  await secrets.preload();
  return withCard(ctx.cardOptions, async (card) => {
    nfcWarning(ctx, card);
    const files = filesOf(card);
    await requireClassicLayout(card);
    const cardId = await pathSafeCardId(files);
    const cn = parseCnsCommonName(p.subject.find((a) => a.type === 'CN')?.value ?? '');
    if (cn?.cardId !== cardId)
      throw new CliError('INVALID_INPUT', { what: '--restore', detailKey: 'uBackupCard', other: cn?.cardId ?? '?', card: cardId });
    const ef = await files.readCertificateEf();
    const efSize = (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? ef.length;
    if (der.length > efSize) throw new CliError('INVALID_INPUT', { what: '--restore', detailKey: 'uNoFit', n: der.length, size: efSize });
    const curLen = derLength(ef) ?? ef.length;
    const current = ef.subarray(0, Math.min(curLen, ef.length));
    ctx.note(`${ctx.t('lCertificate')}: ${p.serialNumber} → EF 1101`);
    await confirm(ctx, o, 'restoreConfirm');
    const j = prepareJournal(state, {
      kind: 'restore',
      cardId,
      oldDer: Buffer.from(current),
      oldSerial: 'current',
      newDer: der,
      newSerial: p.serialNumber,
      efSize,
    });
    await writeWithPuk(ctx, card, files, secrets, o, state, j, der, curLen);
    ctx.result({
      operation: 'extend.restore',
      certificate: { serialNumber: p.serialNumber, notAfter: p.notAfter.toISOString() },
      backup: j.oldFile,
    });
    ctx.print(ctx.c.green(ctx.t('extRestored', { serial: p.serialNumber })));
    return 0;
  });
}
