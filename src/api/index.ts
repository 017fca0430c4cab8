/**
 * cns as a library: `import { openCard, verifyPin, watchReaders } from 'cns'`.
 *
 * Everything `cns` does to a TS-CNS, for programs (kiosks, front offices): list and watch the
 * readers, open a card (PC/SC, a PKCS#11 middleware, or the virtual card), read what it says
 * without a PIN, verify, change and unblock the PIN with the tool's own rules (tries first, a last
 * try only with consent, a secret sent once and never again), read and check the certificate,
 * run the 2023 extension, diagnose, set up the browsers (NSS databases, a TLS login proved).
 * No text for people: data, and errors as CnsError with the stable codes of the CLI (`code`,
 * `facts`); the caller words them. Loading it starts nothing and prints nothing.
 *
 * What is exported here is the public API (etc/cns.api.md lists it; a test keeps the two equal).
 */
import type { PinPadInfo } from '../apdu/transport.js';
import type { Card } from '../card/card.js';
import { type OpenCard, type OpenOptions, openCard as openDevice } from '../device/open.js';
import type { CardReport, ReportOptions } from '../report/report.js';
import { coded } from './errors.js';

export type { ApduTracer, TraceSink } from '../apdu/trace.js';
export type { PinBlockFormat, PinPad, PinPadInfo } from '../apdu/transport.js';
export type { BrowserReport, CardFacts, DatabaseStatus } from '../browser/browsers.js';
export type { BrowserName, NssDatabase, Packaging, Platform } from '../browser/discover.js';
export type { BrowserHandshake, ChangesDone, DatabaseChange, TestStep } from '../browser/flow.js';
export type { StoreFault, StoreStatus } from '../browser/minidriver.js';
export type { Assessment, NeededModule, RegisteredModule, Registration } from '../browser/modules.js';
export type { TlsVersion } from '../browser/tlsProof.js';
export type { CnsAtrInfo, CnsKind } from '../card/atr.js';
export type { Card, CardFiles, CardOrigin, Keyset, SecretKind, SignatureLayout, TokenDescription, TriesState } from '../card/card.js';
export type { CardId, CardType } from '../card/efIdCarta.js';
export type { HashName } from '../card/pkcs1.js';
export type { CertificateSummary } from '../cert/summary.js';
export { summarizeDer } from '../cert/summary.js';
export type { NameAttribute, ParsedCertificate, Validity, ValidityState } from '../cert/x509.js';
export { parseCertificate, validity } from '../cert/x509.js';
export type { DeviceFault } from '../device/errors.js';
export type { OpenCard, OpenOptions, ReaderWithPad } from '../device/open.js';
export { ExtensionError, type ExtensionErrorCode, WriteInterruptedError } from '../extension/errors.js';
export type { CertificateFacts } from '../extension/flow.js';
export {
  type ExtendOptions,
  type ExtendPlan,
  type ExtendResult,
  type ExtensionProgress,
  type ExtensionService,
  extendCertificate,
  httpExtensionService,
  type RestoreOptions,
  type RestoreResult,
  type ResumeOptions,
  type ResumeResult,
  restoreCertificate,
  resumeExtension,
  revokedSerials,
  type WriteAuth,
} from '../extension/flow.js';
export type { Journal, JournalState } from '../extension/journal.js';
export type { Eligibility, RuleCode, RuleResult } from '../extension/rules.js';
export type { ReaderState } from '../pcsc/client.js';
export type { ModuleInfo } from '../pkcs11/modules.js';
export type { DiagnoseEnvironment, Fact } from '../report/diagnose.js';
export {
  type DiagnosedCard,
  type DiagnoseOptions,
  type Diagnosis,
  type DiagnosisAdvice,
  type DiagnosisCheck,
  type DiagnosisFault,
  type DiagnosisStatus,
  diagnose,
} from '../report/diagnose.js';
export type {
  AtrCardInfo,
  CardReport,
  Check,
  Holder,
  Problem,
  ReportOptions,
  SignatureKeyset,
  TokenCardInfo,
  TriesJson,
} from '../report/report.js';
export { eligibilityFromReport } from '../report/report.js';
export { doctorTicket, type TicketOptions } from '../report/ticket.js';
export { CnsError, type ErrorCode, EXIT, EXIT_FOR } from '../util/codes.js';
export {
  type BrowserChangeOptions,
  type BrowserLogin,
  type BrowserLoginOptions,
  type BrowserQuery,
  type BrowserStatus,
  browserLoginProvable,
  browserStatus,
  removeBrowsers,
  setupBrowsers,
  testBrowserLogin,
} from './browser.js';
export { toCnsError } from './errors.js';
export {
  changePin,
  type NewPinRules,
  type PadChoice,
  type PinOutcome,
  type SecretAuth,
  unblockPin,
  usesPinpad,
  verifyPin,
  weakPinCheck,
} from './pin.js';
export { type CardSeen, type WatchEvent, type WatchOptions, watchReaders } from './watch.js';

/** A PC/SC reader as the service sees it now. */
export interface ReaderInfo {
  name: string;
  /** A card is in it. */
  present: boolean;
  /** The card in it does not answer (a card in backwards, a dead chip). */
  mute: boolean;
  /** Another program holds the card (exclusive: nobody else can reach it). */
  inUse: boolean;
  exclusive: boolean;
  /** The card's ATR, hex, when one is present. */
  atr: string | null;
  /** The reader's keypad (PC/SC part 10), where it has one: verifyPin and changePin then use it. */
  pinpad: PinPadInfo | null;
}

/** Every PC/SC reader and its state. PCSC_UNAVAILABLE without the service, [] without readers. */
export async function listReaders(): Promise<ReaderInfo[]> {
  const { readerStates } = await import('../device/open.js');
  const states = await coded(() => readerStates({ pinpads: true }));
  return states.map((s) => ({
    name: s.name,
    present: s.present,
    mute: s.mute,
    inUse: s.inUse,
    exclusive: s.exclusive,
    atr: s.atr ? s.atr.toString('hex').toUpperCase() : null,
    pinpad: s.pinpad ?? null,
  }));
}

/**
 * Open a card and hold it (a PC/SC transaction, or the virtual card's lock) until `close()`.
 * `reader`: a reader's name, its unique part or index, `sim` (the demo card) or `sim:IMAGE`;
 * none: the only reader with a card. PC/SC unless `backend: 'pkcs11'` or `module` says
 * otherwise; when PC/SC reaches no reader the default PKCS#11 module is tried (`fallback` says so).
 * Errors: CnsError (NO_READER, NO_CARD, CARD_BUSY, CARD_UNSUPPORTED, PCSC_UNAVAILABLE, ...).
 */
export function openCard(o: OpenOptions = {}): Promise<OpenCard> {
  return coded(() => openDevice(o));
}

/** Open the card, give it to `fn`, always let it go (reset when a secret was verified). */
export async function withCard<T>(o: OpenOptions, fn: (card: Card, opened: OpenCard) => Promise<T>): Promise<T> {
  const opened = await openCard(o);
  try {
    return await coded(() => fn(opened.card, opened));
  } finally {
    await opened.close();
  }
}

/**
 * Everything readable without a PIN, spending no attempt: the card (model, generation, id), the
 * holder, the certificate and its validity, the PIN and PUK tries, the checks and problems (as
 * codes). What `cns status --json` prints.
 */
export function readReport(card: Card, o: Partial<ReportOptions> = {}): Promise<CardReport> {
  return coded(async () => {
    const { collectReport } = await import('../report/report.js');
    const { stateDir } = await import('../device/paths.js');
    // an interrupted extension write is reported from its journal, where cns keeps it
    return collectReport(card, { now: o.now ?? new Date(), warnDays: o.warnDays ?? 30, stateDir: o.stateDir ?? stateDir(), ...o });
  });
}
