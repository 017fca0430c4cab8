import type { ApduTracer } from '../apdu/trace.js';
import type { BrowserReport, CardFacts, DatabaseStatus } from '../browser/browsers.js';
import type { StoreStatus } from '../browser/minidriver.js';
import type { Card } from '../card/card.js';
import { deviceFault } from '../device/errors.js';
import { type OpenCard, openCard, openNamedReader, parseReaderSpec, type ReaderWithPad, readersToExamine } from '../device/open.js';
import type { RuleResult } from '../extension/rules.js';
import type { PinPadInfo } from '../pcsc/client.js';
import type { ModuleInfo } from '../pkcs11/modules.js';
import { type CardReport, type Check, collectReport, eligibilityFromReport, type Problem, STATE_PROBLEMS } from './report.js';

/**
 * The doctor's judgement, as data: every check of the computer, the service, the readers, the
 * PKCS#11 modules, each card and the browsers, pass / warn / fail with a stable code, what was
 * found (a stable id) and its facts, the advice that fits (a stable id) and the class of fault a
 * failure stands for. Read-only: never asks for a PIN, spends no try. No text: a caller words the
 * codes (the CLI's catalogue has them in Italian and English).
 */

export type DiagnosisStatus = 'pass' | 'warn' | 'fail';

/**
 * What a failure stands for, most fundamental first where several fail: the service or the
 * computer (NO_SERVICE), no card (NO_CARD), a card this tool cannot use (UNSUPPORTED), a blocked
 * secret (BLOCKED), a certificate out of its validity (CERT). A check failed by a thrown error
 * carries the error instead (`error`), for the caller to classify.
 */
export type DiagnosisFault = 'NO_SERVICE' | 'NO_CARD' | 'UNSUPPORTED' | 'BLOCKED' | 'CERT';

/** What to do about a check that did not pass (stable ids; the CLI words each). */
export type DiagnosisAdvice =
  | 'install-pcsc'
  | 'start-pcsc'
  | 'restart-pcsc'
  | 'connect-reader'
  | 'install-pkcs11'
  | 'insert-card'
  | 'card-busy'
  | 'card-not-answering'
  | 'not-cns'
  | 'cie'
  | 'atr-unlisted'
  | 'nfc'
  | 'middleware'
  | 'unblock-pin'
  | 'pin-low'
  | 'puk-blocked'
  | 'puk-low'
  | 'signature-pin'
  | 'signature-certificate'
  | 'certificate-damaged'
  | 'certificate-unread'
  | 'certificate-expiring'
  | 'certificate-expired'
  | 'check-clock'
  | 'card-data'
  | 'certificate-write'
  | 'browser'
  | 'browser-duplicate'
  | 'nss-tools';

export type Fact = string | number | boolean | null;

export interface DiagnosisCheck {
  /** NODE, PCSC_BINDING, PCSCD, READERS, PKCS11_MODULES, CARD_PRESENT, CARD_READ, ATR, IDENTIFIED_BY, INTERFACE, MIDDLEWARE, CARD_ID, PIN, PUK, SIGNATURE, CERTIFICATE, DATA_<check>, <problem>, EXTENSION, MIDDLEWARE_SEES_CARD, BROWSER, NSS_TOOLS. */
  code: string;
  status: DiagnosisStatus;
  /** What was found, a stable id within the code (e.g. PIN: blocked, one-try, unknown, tries). */
  finding: string;
  /** Its facts: numbers, names, dates (ISO), ids. */
  facts: Record<string, Fact>;
  advice?: DiagnosisAdvice;
  fault?: DiagnosisFault;
  /** The reader (or `sim:IMAGE`) of a card's check. */
  reader?: string;
  /** The thrown error a check failed or warned on (the caller describes it). */
  error?: unknown;
  /** READERS: the readers the service sees. */
  readers?: { index: number; name: string; present: boolean; pinpad: PinPadInfo | null }[];
  /** PKCS11_MODULES: the modules found for a CNS. */
  modules?: { name: string; path: string }[];
  /** DATA_*: the report's check. */
  check?: Check;
  /** A problem of the card's report (its code is the check's code). */
  problem?: Problem;
  /** EXTENSION: the rules that make the card ineligible. */
  rules?: RuleResult[];
  /** BROWSER: the NSS database looked at, or Windows' certificate store. */
  database?: DatabaseStatus;
  store?: StoreStatus;
}

/** One card looked at: its report (null when it could not be read or is no CNS). */
export interface DiagnosedCard {
  reader: string;
  report: CardReport | null;
  /** What its ATR says, kept even for a card that is no CNS. */
  atr?: { atr: string; model: string };
  /** The PKCS#11 module its generation needs, where installed. */
  module?: string;
}

export interface Diagnosis {
  checks: DiagnosisCheck[];
  cards: DiagnosedCard[];
  /** The first failed check (the most fundamental), if any. */
  failed?: DiagnosisCheck;
}

/** What the diagnosis asks of the computer; tests pass a fake one. */
export interface DiagnoseEnvironment {
  /** Loads the PC/SC library (throws when it cannot): its file. */
  loadPcsc(): Promise<{ library: string }>;
  /** A context with the service (throws when it cannot), its readers, then closed. */
  pcscReaders(): Promise<ReaderWithPad[]>;
  /** The PKCS#11 modules installed for a CNS. */
  modules(): Promise<{ name: string; path: string }[]>;
  /** The readers to look at: the one `--reader` names (or the CNS's), or all. */
  readersToExamine(name: string | undefined, all: boolean): Promise<string[]>;
  openReader(name: string): Promise<OpenCard>;
  /** A `sim` / `sim:IMAGE` reader, in-process. */
  openSim(reader: string): Promise<OpenCard>;
  /** Whether the module sees a token in that reader (throws when it cannot be asked). */
  moduleSees(module: string, reader: string): Promise<{ model: string } | { tokenError?: string } | null>;
  browsers(card: CardFacts | undefined): Promise<BrowserReport>;
}

export interface DiagnoseOptions {
  /** `--reader`: a PC/SC reader (name, unique part, index), or `sim` / `sim:IMAGE`. */
  reader?: string;
  /** Every reader, not only the CNS's. */
  allReaders?: boolean;
  env?: NodeJS.ProcessEnv;
  tracer?: ApduTracer;
  now?: Date;
  /** Where extension journals are kept (an interrupted write is reported). */
  stateDir?: string;
  /** Days before the end that make a certificate "expiring" (30). */
  warnDays?: number;
  environment?: Partial<DiagnoseEnvironment>;
}

function defaultEnvironment(o: DiagnoseOptions): DiagnoseEnvironment {
  const opening = { tracer: o.tracer, env: o.env, anyCard: true };
  return {
    async loadPcsc() {
      const { loadWinscard } = await import('../pcsc/winscard.js');
      return { library: loadWinscard().platform.library };
    },
    async pcscReaders() {
      const { readerStates } = await import('../device/open.js');
      return readerStates({ pinpads: true });
    },
    async modules() {
      const { discoverModules } = await import('../pkcs11/modules.js');
      return discoverModules()
        .filter((m: ModuleInfo) => m.name !== 'SoftHSM2')
        .map((m) => ({ name: m.name, path: m.path }));
    },
    readersToExamine,
    openReader: (name) => openNamedReader(name, opening),
    openSim: (reader) => openCard({ ...opening, reader }),
    async moduleSees(module, reader) {
      const { Pkcs11Client } = await import('../pkcs11/client.js');
      const { client } = await Pkcs11Client.open(module);
      try {
        const slot = (await client.slots()).find((x) => x.description === reader);
        if (slot?.token) return { model: slot.token.model };
        return slot?.tokenError ? { tokenError: slot.tokenError } : null;
      } finally {
        await client.close();
      }
    },
    async browsers(card) {
      const { browserReport } = await import('../browser/browsers.js');
      return browserReport({ card, askNss: !!card });
    },
  };
}

type Add = (c: Omit<DiagnosisCheck, 'facts'> & { facts?: Record<string, Fact> }) => void;

function adder(out: DiagnosisCheck[], reader?: string): Add {
  return (c) => {
    out.push({ ...c, facts: c.facts ?? {}, ...(reader !== undefined ? { reader } : {}) });
  };
}

/** The computer: Node, the PC/SC library, the service and its readers. Null: no service to ask. */
async function environmentChecks(env: DiagnoseEnvironment, add: Add): Promise<string[] | null> {
  try {
    const { library } = await env.loadPcsc();
    add({ code: 'PCSC_BINDING', status: 'pass', finding: 'loaded', facts: { library } });
  } catch (error) {
    add({ code: 'PCSC_BINDING', status: 'fail', finding: 'error', error, advice: 'install-pcsc', fault: 'NO_SERVICE' });
    return null;
  }
  let readers: ReaderWithPad[];
  try {
    readers = await env.pcscReaders();
  } catch (error) {
    const { PcscUnavailableError } = await import('../pcsc/winscard.js');
    const stuck = error instanceof PcscUnavailableError && error.reason === 'stuck';
    add({ code: 'PCSCD', status: 'fail', finding: 'error', error, advice: stuck ? 'restart-pcsc' : 'start-pcsc', fault: 'NO_SERVICE' });
    return null;
  }
  add({ code: 'PCSCD', status: 'pass', finding: 'answers' });
  if (readers.length === 0) {
    add({ code: 'READERS', status: 'fail', finding: 'none', advice: 'connect-reader', fault: 'NO_SERVICE' });
    return [];
  }
  add({
    code: 'READERS',
    status: 'pass',
    finding: 'found',
    facts: { count: readers.length },
    readers: readers.map((r) => ({ index: r.index, name: r.name, present: r.present, pinpad: r.pinpad ?? null })),
  });
  return readers.map((r) => r.name);
}

/** The two secrets' tries; with the PUK blocked too, unblocking the PIN is no advice (a new card is). */
function secretChecks(report: CardReport, add: Add): void {
  for (const what of ['PIN', 'PUK'] as const) {
    const state = what === 'PIN' ? report.pin : report.puk;
    const facts = { what, triesLeft: state.triesLeft };
    if (state.blocked)
      add({
        code: what,
        status: 'fail',
        finding: 'blocked',
        facts,
        advice: what === 'PIN' && !report.puk.blocked ? 'unblock-pin' : 'puk-blocked',
        fault: 'BLOCKED',
      });
    else if (state.triesLeft === 1)
      add({ code: what, status: 'warn', finding: 'one-try', facts, advice: what === 'PIN' ? 'pin-low' : 'puk-low' });
    else if (state.triesLeft === null) add({ code: what, status: 'warn', finding: 'unknown', facts });
    else add({ code: what, status: 'pass', finding: 'tries', facts });
  }
}

/** The signature keyset, where the card has one: its certificate and its own PIN/PUK. */
function signatureCheck(report: CardReport, add: Add): void {
  const sig = report.signature;
  if (!sig) return;
  const finding = sig.puk.blocked
    ? 'puk-blocked'
    : sig.pin.blocked
      ? 'pin-blocked'
      : !sig.certificate
        ? 'no-certificate'
        : sig.certificate.state === 'expired'
          ? 'expired'
          : 'ok';
  add({
    code: 'SIGNATURE',
    status: finding === 'ok' ? 'pass' : 'warn',
    finding,
    facts: { notAfter: sig.certificate?.notAfter ?? null, pin: sig.pin.triesLeft, puk: sig.puk.triesLeft },
    ...(finding === 'ok' ? {} : { advice: finding === 'pin-blocked' ? 'signature-pin' : 'signature-certificate' }),
  });
}

function certificateCheck(report: CardReport, add: Add): void {
  const c = report.certificate;
  if (!c) {
    // "ask for a new card" only when the certificate was read and its issuer's signature fails;
    // one not found or not decoded says nothing about the card (a layout this version does not read)
    const damaged = report.problems.some((p) => p.code === 'CERT_SIGNATURE_INVALID');
    add({
      code: 'CERTIFICATE',
      status: 'fail',
      finding: damaged ? 'damaged' : 'none',
      facts: { atr: report.card.atr ?? '-' },
      advice: damaged ? 'certificate-damaged' : 'certificate-unread',
      fault: 'UNSUPPORTED',
    });
    return;
  }
  const facts = { notBefore: c.notBefore, notAfter: c.notAfter, daysLeft: c.daysLeft };
  if (c.state === 'valid') add({ code: 'CERTIFICATE', status: 'pass', finding: 'valid', facts });
  else if (c.state === 'expiring') add({ code: 'CERTIFICATE', status: 'warn', finding: 'expiring', facts, advice: 'certificate-expiring' });
  // not yet valid: most often the computer's clock, never "ask for a new card"
  else
    add({
      code: 'CERTIFICATE',
      status: 'fail',
      finding: c.state,
      facts,
      advice: c.state === 'expired' ? 'certificate-expired' : 'check-clock',
      fault: 'CERT',
    });
}

/** Everything about one card, read-only; also the PKCS#11 module its generation needs, where installed. */
async function cardChecks(
  card: Card,
  mods: { name: string; path: string }[],
  o: DiagnoseOptions,
  add: Add,
): Promise<Omit<DiagnosedCard, 'reader'>> {
  if (card.origin.kind !== 'atr') return { report: null };
  const atr = card.origin.atr;
  // the ticket keeps what the ATR says even when the card is no CNS (a CIE, another card)
  const seen = { atr: atr.atr, model: atr.model };
  add({ code: 'CARD_PRESENT', status: 'pass', finding: 'atr', facts: { atr: atr.atr } });
  if (!atr.isCns) {
    const reason = atr.reason === 'cie' ? 'cie' : atr.probe ? 'probed' : 'atr';
    // a CIE is a card the citizen has: the other card is the one to insert
    add({
      code: 'ATR',
      status: 'fail',
      finding: 'not-cns',
      facts: { atr: atr.atr, reason },
      advice: reason === 'cie' ? 'cie' : 'not-cns',
      fault: 'UNSUPPORTED',
    });
    return { report: null, atr: seen };
  }
  // what the card is, never "not supported" for a card that says CNS: its model is named from
  // pcsc-tools' list, else from its mask byte, and what can be read is read below
  add({
    code: 'ATR',
    status: atr.knownAs ? 'pass' : 'warn',
    finding: atr.knownAs ? 'listed' : 'unlisted',
    facts: {
      atr: atr.atr,
      model: atr.model,
      generation: atr.generation ?? null,
      cnsVersion: atr.cnsVersion ?? null,
      keyBits: atr.keyBits ?? null,
      kind: atr.kind ?? null,
    },
    ...(atr.knownAs ? {} : { advice: 'atr-unlisted' }),
  });
  if (atr.identifiedBy === 'application')
    add({ code: 'IDENTIFIED_BY', status: 'warn', finding: 'application', facts: { atr: atr.atr }, advice: 'atr-unlisted' });
  // read over NFC: what works there, and the contact slot for writes
  add(
    atr.contactless
      ? { code: 'INTERFACE', status: 'warn', finding: 'contactless', advice: 'nfc' }
      : { code: 'INTERFACE', status: 'pass', finding: 'contact' },
  );
  // the TS-CNS middleware advice is for health cards; a signature device or another CNS card has its own software
  let installed: { name: string; path: string } | undefined;
  if (atr.kind !== undefined && atr.kind !== 'ts-cns') add({ code: 'MIDDLEWARE', status: 'pass', finding: 'own' });
  else {
    const wanted = atr.middleware ?? 'OpenSC';
    installed = mods.find((m) => wanted.toLowerCase().includes(m.name.toLowerCase().split(' ')[0]!));
    add(
      installed
        ? { code: 'MIDDLEWARE', status: 'pass', finding: 'installed', facts: { wanted, name: installed.name, path: installed.path } }
        : { code: 'MIDDLEWARE', status: 'warn', finding: 'missing', facts: { wanted }, advice: 'middleware' },
    );
  }
  const now = o.now ?? new Date();
  const report = await collectReport(card, { now, warnDays: o.warnDays ?? 30, stateDir: o.stateDir });
  const idValid = report.card.atr === null ? null : report.card.idValid;
  add({
    code: 'CARD_ID',
    status: idValid ? 'pass' : 'fail',
    finding: idValid ? 'valid' : 'invalid',
    facts: { id: report.card.id },
    ...(idValid ? {} : { advice: 'card-data', fault: 'UNSUPPORTED' }),
  });
  secretChecks(report, add);
  signatureCheck(report, add);
  certificateCheck(report, add);
  for (const k of report.checks) {
    add({
      code: `DATA_${k.code}`,
      status: k.status === 'skip' ? 'pass' : k.status,
      finding: k.status,
      check: k,
      ...(k.status === 'pass' ? {} : { advice: 'card-data' }),
      ...(k.status === 'fail' ? { fault: 'UNSUPPORTED' } : {}),
    });
  }
  for (const p of report.problems) {
    // the PIN, PUK and CERTIFICATE checks above say these
    if (STATE_PROBLEMS.has(p.code) || p.code === 'CERT_SIGNATURE_INVALID') continue;
    const write = /^CERT_(HALF_WRITTEN|WRITE_)/.test(p.code);
    add({
      code: p.code,
      status: write ? 'fail' : 'warn',
      finding: p.variant ?? 'problem',
      problem: p,
      ...(write ? { advice: 'certificate-write', fault: 'UNSUPPORTED' } : {}),
    });
  }
  const e = eligibilityFromReport(report, now);
  add({
    code: 'EXTENSION',
    status: 'pass',
    finding: e.eligible ? 'eligible' : 'not-eligible',
    // the rules that decide (the codes are in extend --check --json)
    rules: e.reasons.filter((r) => r.ok === false && !r.advisory),
  });
  return { report, module: installed?.path, atr: seen };
}

/** One card: its checks, or the one check that says why it could not be read. */
async function diagnoseCard(
  open: () => Promise<OpenCard>,
  reader: string,
  mods: { name: string; path: string }[],
  o: DiagnoseOptions,
  out: DiagnosisCheck[],
): Promise<DiagnosedCard> {
  const local: DiagnosisCheck[] = [];
  let found: Omit<DiagnosedCard, 'reader'> = { report: null };
  try {
    const { card, close } = await open();
    try {
      found = await cardChecks(card, mods, o, adder(local, reader));
    } finally {
      await close();
    }
  } catch (error) {
    // a mute card, a busy one and one that cannot be told apart each get their own advice;
    // "not supported" only for a card that answered and is not one this tool reads
    const fault = deviceFault(error);
    const advice: DiagnosisAdvice =
      fault === 'no-card' || fault === 'card-removed'
        ? 'insert-card'
        : fault === 'card-busy'
          ? 'card-busy'
          : fault === 'card-not-answering'
            ? 'card-not-answering'
            : 'not-cns';
    local.push({
      code: fault === 'no-card' ? 'CARD_PRESENT' : 'CARD_READ',
      status: 'fail',
      finding: 'error',
      facts: {},
      advice,
      error,
      reader,
    });
  }
  out.push(...local);
  return { reader, ...found };
}

/** What the browsers see of the card (one BROWSER check per NSS database of this user; Windows' store). */
async function browserChecks(env: DiagnoseEnvironment, cards: DiagnosedCard[], add: Add): Promise<void> {
  const real = cards.find((r) => r.report && !r.reader.startsWith('sim:'))?.report;
  const card: CardFacts | undefined = real
    ? {
        middleware: ('middleware' in real.card ? real.card.middleware : null) ?? undefined,
        cardId: real.card.id ?? undefined,
        atr: real.card.atr ?? undefined,
      }
    : undefined;
  const r = await env.browsers(card);
  for (const s of r.databases) {
    const state = s.assessment.state;
    // fail: the module there twice or from a library that cannot load; warn: missing, browser open, card not seen
    const status: DiagnosisStatus =
      state === 'duplicate' || state === 'wrong-path'
        ? 'fail'
        : state === 'missing' || s.db.running || s.seesCard === false
          ? 'warn'
          : 'pass';
    add({
      code: 'BROWSER',
      status,
      finding: state,
      facts: { browser: s.db.browser, running: s.db.running, seesCard: s.seesCard },
      database: s,
      ...(status === 'pass' ? {} : { advice: state === 'duplicate' ? 'browser-duplicate' : 'browser' }),
      ...(status === 'fail' ? { fault: 'NO_SERVICE' } : {}),
    });
  }
  // Chrome and Edge on Windows: the card's minidriver (no NSS database there)
  if (r.store) {
    const ok = r.store.state === 'registered' && r.store.present;
    add({
      code: 'BROWSER',
      status: ok ? 'pass' : 'warn',
      finding: `store-${r.store.state}`,
      facts: { middleware: card?.middleware ?? null },
      store: r.store,
    });
  }
  // only Linux needs NSS's tools (Windows and macOS: cns writes pkcs11.txt itself)
  if (r.databases.length && !r.nssTools && r.platform === 'linux')
    add({ code: 'NSS_TOOLS', status: 'warn', finding: 'missing', advice: 'nss-tools' });
}

/**
 * The doctor's diagnosis: the computer (Node, PC/SC, readers, PKCS#11 modules), each card in
 * the readers it looks at (or the virtual one), whether the card's module sees it, and the
 * browsers. Read-only; prints nothing. `failed` is the first failed check: the most fundamental.
 */
export async function diagnose(o: DiagnoseOptions = {}): Promise<Diagnosis> {
  const env: DiagnoseEnvironment = { ...defaultEnvironment(o), ...o.environment };
  const checks: DiagnosisCheck[] = [];
  const cards: DiagnosedCard[] = [];
  const add = adder(checks);
  add({
    code: 'NODE',
    status: 'pass',
    finding: 'versions',
    facts: { node: process.version, platform: process.platform, arch: process.arch },
  });
  const spec = parseReaderSpec(o.reader, o.env);
  let mods: { name: string; path: string }[] = [];
  const modulesCheck = async (): Promise<void> => {
    mods = await env.modules();
    add(
      mods.length
        ? { code: 'PKCS11_MODULES', status: 'pass', finding: 'found', facts: { count: mods.length }, modules: mods }
        : { code: 'PKCS11_MODULES', status: 'warn', finding: 'none', advice: 'install-pkcs11' },
    );
  };
  if (spec.kind === 'sim') {
    await modulesCheck();
    cards.push(await diagnoseCard(() => env.openSim(o.reader ?? 'sim'), `sim:${spec.path}`, mods, o, checks));
  } else {
    const names = await environmentChecks(env, add);
    await modulesCheck();
    if (names?.length) {
      const targets = await env.readersToExamine(spec.name, !!o.allReaders);
      if (!o.allReaders && targets.length === 0)
        add({ code: 'CARD_PRESENT', status: 'fail', finding: 'none', advice: 'insert-card', fault: 'NO_CARD' });
      // every reader at once: each has its own context and exclusive connection
      const found = await Promise.all(targets.map((name) => diagnoseCard(() => env.openReader(name), name, mods, o, checks)));
      cards.push(...found);
    }
  }
  // The module connects to every card itself: ask it once no reader is held by us any more.
  for (const { reader, module } of cards) {
    if (module === undefined || reader.startsWith('sim:')) continue;
    const at = adder(checks, reader);
    try {
      const seen = await env.moduleSees(module, reader);
      if (seen && 'model' in seen)
        at({ code: 'MIDDLEWARE_SEES_CARD', status: 'pass', finding: 'sees', facts: { module, model: seen.model } });
      else
        at({
          code: 'MIDDLEWARE_SEES_CARD',
          status: 'warn',
          finding: 'blind',
          facts: { module, reader, tokenError: seen?.tokenError ?? null },
          advice: 'middleware',
        });
    } catch (error) {
      at({ code: 'MIDDLEWARE_SEES_CARD', status: 'warn', finding: 'error', facts: { module }, error, advice: 'middleware' });
    }
  }
  await browserChecks(env, cards, add);
  return { checks, cards, failed: checks.find((c) => c.status === 'fail') };
}
