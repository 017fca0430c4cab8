import { readFileSync } from 'node:fs';
import type { Card, CardFiles, SecretKind, TriesState } from '../card/card.js';
import { CNS_PATHS } from '../card/files.js';
import { checkSecretFormat, gateTries } from '../card/pinGate.js';
import { derLength } from '../card/session.js';
import type { ParsedCertificate } from '../cert/x509.js';
import { CnsError } from '../util/codes.js';
import { callService, ServiceError } from './client.js';
import { EXTENDED_NOT_AFTER } from './constants.js';
import { CERT_HEADER, interruptedWrite, writePlan } from './ef.js';
import { ExtensionError, type ExtensionErrorCode, type ExtensionFacts, WriteInterruptedError } from './errors.js';
import { classifyEf, efImage, isPathSafeCardId, type Journal, journalDir, loadJournal, prepareJournal, saveJournal } from './journal.js';
import type { Eligibility } from './rules.js';

/**
 * The 2023 validity extension as library calls: extend, resume an interrupted write, restore a
 * backup. Each returns what it did and throws ExtensionError (a code and facts) or the card's own
 * errors; none prints. The person is asked through callbacks, and only for what the flow needs:
 * the tries are read (costing none) and reported before a secret is asked; a blocked secret
 * stops; a last try (or a PUK whose count the card does not tell) goes on only with consent; each
 * secret is sent once, never again. The certificates are saved and a journal written before EF
 * 1101 is touched; what is written is read back and compared; an interrupted write is finished
 * from the journal (`resumeExtension`), or from the card alone where the journal is elsewhere.
 */

/** What the flow asks of the person. */
export interface WriteAuth {
  /**
   * Called once, when the flow knows it will ask for these secrets and before it shows or asks
   * anything: load them (a script's standard input) or check that someone can be asked.
   */
  ready?(kinds: SecretKind[]): Promise<void>;
  /** The tries, read without spending one, before the secret is asked. */
  onTries?(tries: TriesState, kind: SecretKind): void;
  /**
   * One try left, or a PUK whose count the card does not tell: whether to go on. Absent or
   * false: LAST_ATTEMPT_REFUSED, nothing sent.
   */
  lastAttempt?(tries: TriesState, kind: SecretKind): Promise<boolean>;
  /** The PIN or the PUK; asked at most once per flow, checked (digits, length) before the card sees it. */
  secret(kind: SecretKind): Promise<string>;
}

/** Where a flow is, for a progress display. */
export type ExtensionProgress =
  /** The card is reached without contacts: a card moved away mid-write is an interrupted write. */
  | { step: 'contactless' }
  /** An attempt (1, 2...) to reach the extension service. */
  | { step: 'contacting'; url: string; attempt: number }
  /** Bytes of EF 1101 written so far, of `total`. */
  | { step: 'writing'; kind: Journal['kind']; done: number; total: number }
  /** The write is over; EF 1101 is being read back. */
  | { step: 'verifying' };

/** The extension service: the default speaks HTTP (`httpExtensionService`). */
export interface ExtensionService {
  readonly url: string;
  /** POST /v1/extend; throws ServiceError (its code) when the service refuses or cannot be reached. */
  extend(request: { csr: string; certificate: string }, onAttempt?: (attempt: number) => void): Promise<Record<string, unknown>>;
}

export function httpExtensionService(url: string, o: { timeoutMs?: number; retries?: number } = {}): ExtensionService {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    extend: (request, onAttempt) =>
      callService(`${base}/v1/extend`, request, { timeoutMs: o.timeoutMs ?? 15000, retries: o.retries ?? 2, onAttempt }),
  };
}

export interface CertificateFacts {
  serialNumber: string;
  notAfter: Date;
}

/** What `confirm` is shown before the extension: nothing is sent to the card or the service yet. */
export interface ExtendPlan {
  eligibility: Eligibility;
  cardId: string;
  current: CertificateFacts;
  service: string;
  /** The folder of the backups and the journal. */
  journal: string;
}

export interface ExtendOptions {
  /** The 2023 rules on this card at the reference date (report/: eligibilityFromReport); ineligible: NOT_ELIGIBLE. */
  eligibility: Eligibility;
  /** The card's certificate, as already read (by the report); read here when absent. */
  certificate?: ParsedCertificate | null;
  /** The card id (EF_ID_Carta), as already read; read here when absent. */
  cardId?: string | null;
  /** The state folder: <stateDir>/extension/<card id>/ holds the backups and the journal. */
  stateDir: string;
  service: ExtensionService;
  /** The issuing CA, pinned; else the service's, which must have issued the current certificate. */
  caCert?: Buffer;
  auth: WriteAuth;
  /** Last word before the PIN is asked; false: DECLINED. Absent: go on. */
  confirm?(plan: ExtendPlan): Promise<boolean>;
  onProgress?(p: ExtensionProgress): void;
}

export interface ExtendResult {
  cardId: string;
  old: CertificateFacts;
  new: CertificateFacts;
  /** The old certificate, saved before the write. */
  backup: string;
  journal: string;
}

export interface ResumeOptions {
  stateDir: string;
  auth: WriteAuth;
  onProgress?(p: ExtensionProgress): void;
}

export interface ResumeResult {
  /** `written`: the journal's write finished; `already`: the card held it all; `fromCard`: finished from the card alone (no journal here). */
  outcome: 'written' | 'already' | 'fromCard';
  kind: Journal['kind'];
  new: CertificateFacts;
  /** The certificate the journal replaced, where it is one. */
  old?: CertificateFacts;
  backup?: string;
}

export interface RestoreOptions {
  /** The certificate to write back (DER), for this card. */
  certificate: Buffer;
  stateDir: string;
  auth: WriteAuth;
  /** Last word before the PUK is asked; false: DECLINED. Absent: go on. */
  confirm?(plan: { cardId: string; certificate: CertificateFacts }): Promise<boolean>;
  onProgress?(p: ExtensionProgress): void;
}

export interface RestoreResult {
  cardId: string;
  certificate: CertificateFacts;
  /** What EF 1101 held before, saved. */
  backup: string;
  journal: string;
}

const facts = (p: ParsedCertificate): CertificateFacts => ({ serialNumber: p.serialNumber, notAfter: p.notAfter });

/** A certificate's card id (CN = codice fiscale/card id.hash), or undefined. */
async function cardIdOf(p: ParsedCertificate): Promise<string | undefined> {
  const { parseCnsCommonName } = await import('../cert/cnsSubject.js');
  return parseCnsCommonName(p.subject.find((a) => a.type === 'CN')?.value ?? '')?.cardId;
}

/** Writing over NFC: said, so the person keeps the card still (or uses the contacts). */
function contactless(card: Card, o: { onProgress?(p: ExtensionProgress): void }): void {
  if (card.origin.kind === 'atr' && card.origin.atr.contactless) o.onProgress?.({ step: 'contactless' });
}

/** The card's files: writing EF 1101 needs raw APDUs, which a PKCS#11 module does not give (PKCS11_NOT_SUPPORTED). */
export function filesOf(card: Card): CardFiles {
  if (!card.files) throw new ExtensionError('PKCS11_NOT_SUPPORTED', { reason: 'needsApdu' });
  return card.files;
}

/** EF_ID_Carta, which names the journal's folder: 16 digits or nothing is written. */
async function pathSafeCardId(files: CardFiles): Promise<string> {
  const { id } = await files.readCardId();
  if (!isPathSafeCardId(id)) throw new ExtensionError('CARD_UNSUPPORTED', { reason: 'noCardId' });
  return id;
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
    throw new ExtensionError('CARD_UNSUPPORTED', { reason: 'layout', layout: card.authLayout, atr });
  }
}

/** Tries first (none spent), then the secret, sent once: a refusal is the card's, never retried. */
async function verifySecret(card: Card, kind: SecretKind, auth: WriteAuth): Promise<void> {
  try {
    await gateTries(card, kind, auth);
    const secret = await auth.secret(kind);
    checkSecretFormat(kind, secret);
    await card.verify(kind, secret);
  } catch (e) {
    // the gate's refusals in the flow's own error class, with the same code and facts
    if (e instanceof CnsError && !(e instanceof ExtensionError))
      throw new ExtensionError(e.code as ExtensionErrorCode, withoutNulls(e.facts));
    throw e;
  }
}

function withoutNulls(facts: CnsError['facts']): ExtensionFacts {
  return Object.fromEntries(Object.entries(facts).filter((kv): kv is [string, string | number | boolean] => kv[1] !== null));
}

/** `auth.ready` at most once per flow. */
function once(auth: WriteAuth): WriteAuth {
  let done = false;
  return {
    ...auth,
    ready: async (kinds) => {
      if (done) return;
      done = true;
      await auth.ready?.(kinds);
    },
  };
}

/** A base64 field of the service's answer; anything but a string is no bytes (and refused later). */
function base64Field(v: unknown): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
}

/** Ask the service (the PIN is verified: the card signs the request), then check its answer before the card is written. */
async function obtainCertificate(card: Card, files: CardFiles, cur: ParsedCertificate, cardId: string, o: ExtendOptions): Promise<Buffer> {
  const { buildExtensionCsr } = await import('./csr.js');
  const { parseCertificate, signedBy } = await import('../cert/x509.js');
  const csr = await buildExtensionCsr({
    subjectDer: cur.subjectDer,
    spki: cur.spki,
    cardId,
    serialNumber: cur.serialNumber,
    sign: (tbs) => card.sign(tbs, 'sha256', cur.modulus?.length ?? 256),
  });
  let answer: Record<string, unknown>;
  try {
    answer = await o.service.extend({ csr: csr.toString('base64'), certificate: cur.der.toString('base64') }, (attempt) =>
      o.onProgress?.({ step: 'contacting', url: o.service.url, attempt }),
    );
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    const refused = ['NOT_ELIGIBLE', 'REVOKED', 'ALREADY_EXTENDED'].includes(e.code);
    const status: Record<string, number> = e.status !== null ? { status: e.status } : {};
    throw new ExtensionError(refused ? 'NOT_ELIGIBLE' : 'SERVICE_ERROR', { reason: 'service', service: e.code, ...status }, { cause: e });
  }
  const refuse = (reason: string, f: Record<string, string | number> = {}): ExtensionError =>
    new ExtensionError('SERVICE_ERROR', { reason, ...f });
  const newDer = base64Field(answer.certificate);
  let n: ParsedCertificate;
  try {
    n = parseCertificate(newDer);
  } catch {
    throw refuse('notCertificate');
  }
  if (!n.spki.equals(cur.spki)) throw refuse('otherKey');
  if (!n.subjectDer.equals(cur.subjectDer)) throw refuse('otherSubject');
  if (n.notAfter.getTime() !== EXTENDED_NOT_AFTER.getTime()) throw refuse('wrongEnd', { notAfter: n.notAfter.toISOString() });
  // the issuing CA: pinned, or the service's, which must be the old certificate's issuer
  let caDer = o.caCert;
  if (!caDer) {
    caDer = base64Field(answer.caCertificate);
    if (!signedBy(cur.der, caDer)) throw refuse('otherCa');
  }
  if (!signedBy(newDer, caDer)) throw refuse('notSigned');
  const efSize = (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? 0;
  if (newDer.length > efSize) throw refuse('tooBig', { size: newDer.length, room: efSize });
  return newDer;
}

/** The PUK (its rules), then the write in the order ef.ts explains, read back, compared; the journal follows each step. */
async function writeWithPuk(
  card: Card,
  files: CardFiles,
  o: { stateDir: string; auth: WriteAuth; onProgress?(p: ExtensionProgress): void },
  j: Journal,
  der: Buffer,
  previousLength: number,
): Promise<void> {
  await requireClassicLayout(card);
  await verifySecret(card, 'puk', o.auth);
  saveJournal(o.stateDir, { ...j, state: 'writing' });
  const dir = journalDir(o.stateDir, j.cardId);
  const image = efImage(der, previousLength, j.efSize);
  const plan = writePlan(image);
  const total = plan.reduce((n, s) => n + s.data.length, 0);
  let before = 0;
  try {
    for (const step of plan) {
      await files.writeFile(CNS_PATHS.CERTIFICATE, step.data, {
        offset: step.offset,
        onChunk: (done) => o.onProgress?.({ step: 'writing', kind: j.kind, done: before + done, total }),
      });
      before += step.data.length;
    }
  } catch (e) {
    throw new WriteInterruptedError(e, dir);
  }
  o.onProgress?.({ step: 'verifying' });
  const back = await files.readCertificateEf();
  if (!back.subarray(0, image.length).equals(image)) throw new ExtensionError('WRITE_VERIFY_FAILED', { journal: dir });
  saveJournal(o.stateDir, { ...j, state: 'done' });
}

/**
 * The 2023 extension of an eligible card: the PIN (the card signs the request), the service's
 * certificate checked (same key, same subject, the extended expiry, the CA), both certificates
 * saved and a journal written, then the PUK and the write, read back and compared.
 */
export async function extendCertificate(card: Card, options: ExtendOptions): Promise<ExtendResult> {
  const o = { ...options, auth: once(options.auth) };
  contactless(card, o);
  const files = filesOf(card);
  let cur = o.certificate;
  if (cur === undefined) {
    const { parseCertificate } = await import('../cert/x509.js');
    cur = await card.readCertificate().then(parseCertificate, () => null);
  }
  const cardId = o.cardId !== undefined ? (o.cardId ?? '') : (await files.readCardId()).id;
  const known = cur !== null && isPathSafeCardId(cardId);
  if (known) {
    const pending = loadJournal(o.stateDir, cardId);
    if (pending && pending.state !== 'done')
      throw new ExtensionError('EXTENSION_PENDING', { journal: journalDir(o.stateDir, cardId), card: cardId });
  }
  if (!o.eligibility.eligible || !known || !cur)
    throw new ExtensionError('NOT_ELIGIBLE', { reason: 'rules' }, { eligibility: o.eligibility });
  // the secrets only once the card is known to be eligible (a kiosk learns "not eligible", not
  // "no one to ask the PUK"); still before the card sees any of them
  await o.auth.ready?.(['pin', 'puk']);
  const plan: ExtendPlan = {
    eligibility: o.eligibility,
    cardId,
    current: facts(cur),
    service: o.service.url,
    journal: journalDir(o.stateDir, cardId),
  };
  if (o.confirm && !(await o.confirm(plan))) throw new ExtensionError('DECLINED');
  await verifySecret(card, 'pin', o.auth);
  const newDer = await obtainCertificate(card, files, cur, cardId, o);
  const { parseCertificate } = await import('../cert/x509.js');
  const n = parseCertificate(newDer);
  const j = prepareJournal(o.stateDir, {
    kind: 'extend',
    cardId,
    oldDer: cur.der,
    oldSerial: cur.serialNumber,
    newDer,
    newSerial: n.serialNumber,
    efSize: (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? newDer.length,
  });
  await writeWithPuk(card, files, o, j, newDer, cur.der.length);
  return { cardId, old: facts(cur), new: facts(n), backup: j.oldFile, journal: plan.journal };
}

/**
 * Where this machine has no journal (the write began elsewhere): the card alone says what
 * happened. With the body complete only the header is missing, and it follows from the body;
 * otherwise the certificate saved when the write began is needed (`restoreCertificate`).
 */
async function resumeFromCard(card: Card, files: CardFiles, o: ResumeOptions, cardId: string): Promise<ResumeResult> {
  const w = interruptedWrite(await files.readCertificateEf());
  if (!w) throw new ExtensionError('NOTHING_TO_RESUME', { reason: 'nothing', card: cardId });
  if (!w.certificate) throw new ExtensionError('NOTHING_TO_RESUME', { reason: 'noCopy', card: cardId });
  const { parseCertificate } = await import('../cert/x509.js');
  const n = parseCertificate(w.certificate);
  if ((await cardIdOf(n)) !== cardId) throw new ExtensionError('NOTHING_TO_RESUME', { reason: 'noCopy', card: cardId });
  await o.auth.ready?.(['puk']);
  await verifySecret(card, 'puk', o.auth);
  await files.writeFile(CNS_PATHS.CERTIFICATE, w.certificate.subarray(0, CERT_HEADER), { offset: 0 });
  o.onProgress?.({ step: 'verifying' });
  const back = await files.readCertificateEf();
  if (!back.subarray(0, w.certificate.length).equals(w.certificate)) throw new ExtensionError('WRITE_VERIFY_FAILED', { card: cardId });
  return { outcome: 'fromCard', kind: 'extend', new: facts(n) };
}

/** Finish a journaled write: the card holds the old, a partial or the new certificate; the card is read first. */
export async function resumeExtension(card: Card, options: ResumeOptions): Promise<ResumeResult> {
  const o = { ...options, auth: once(options.auth) };
  contactless(card, o);
  const files = filesOf(card);
  const cardId = await pathSafeCardId(files);
  const j = loadJournal(o.stateDir, cardId);
  if (!j || j.state === 'done') return resumeFromCard(card, files, o, cardId);
  const ef = await files.readCertificateEf();
  const newDer = readFileSync(j.newFile);
  const oldDer = readFileSync(j.oldFile);
  let outcome: ResumeResult['outcome'] = 'written';
  if (classifyEf(ef, j) === 'new' && ef.subarray(newDer.length).every((b) => b === 0)) {
    saveJournal(o.stateDir, { ...j, state: 'done' });
    outcome = 'already';
  } else {
    await o.auth.ready?.(['puk']);
    await writeWithPuk(card, files, o, j, newDer, Math.max(oldDer.length, derLength(ef) ?? 0));
  }
  const { parseCertificate } = await import('../cert/x509.js');
  let old: CertificateFacts | undefined;
  try {
    old = facts(parseCertificate(oldDer));
  } catch {
    // a restore's journal: what EF 1101 held may be no certificate
  }
  return { outcome, kind: j.kind, new: facts(parseCertificate(newDer)), ...(old ? { old } : {}), backup: j.oldFile };
}

/** Write a saved certificate of this card back to EF 1101 (the PUK), what it held saved first. */
export async function restoreCertificate(card: Card, options: RestoreOptions): Promise<RestoreResult> {
  const o = { ...options, auth: once(options.auth) };
  const { parseCertificate } = await import('../cert/x509.js');
  const der = o.certificate;
  const p = parseCertificate(der);
  contactless(card, o);
  const files = filesOf(card);
  await requireClassicLayout(card);
  const cardId = await pathSafeCardId(files);
  const other = await cardIdOf(p);
  if (other !== cardId) throw new ExtensionError('INVALID_INPUT', { reason: 'otherCard', other: other ?? '?', card: cardId });
  const ef = await files.readCertificateEf();
  const efSize = (await files.fileSize(CNS_PATHS.CERTIFICATE)) ?? ef.length;
  if (der.length > efSize) throw new ExtensionError('INVALID_INPUT', { reason: 'tooBig', size: der.length, room: efSize });
  const curLen = derLength(ef) ?? ef.length;
  const current = ef.subarray(0, Math.min(curLen, ef.length));
  await o.auth.ready?.(['puk']);
  if (o.confirm && !(await o.confirm({ cardId, certificate: facts(p) }))) throw new ExtensionError('DECLINED');
  const j = prepareJournal(o.stateDir, {
    kind: 'restore',
    cardId,
    oldDer: Buffer.from(current),
    oldSerial: 'current',
    newDer: der,
    newSerial: p.serialNumber,
    efSize,
  });
  await writeWithPuk(card, files, o, j, der, curLen);
  return { cardId, certificate: facts(p), backup: j.oldFile, journal: journalDir(o.stateDir, cardId) };
}

/** The serials a CRL (DER) lists, upper-case hex: for the NOT_REVOKED rule on this side. */
export async function revokedSerials(crlDer: Buffer): Promise<Set<string>> {
  const pkijs = await import('pkijs');
  const crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(crlDer).buffer);
  return new Set(
    (crl.revokedCertificates ?? []).map((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').toUpperCase()),
  );
}
