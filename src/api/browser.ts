import type { BrowserReport, CardFacts, DatabaseStatus } from '../browser/browsers.js';
import { changeNeedsNssTools, unknownBrowser } from '../browser/document.js';
import type { BrowserHandshake, ChangeOperation, ChangesDone, DatabaseChange, TestStep } from '../browser/flow.js';
import type { TlsVersion } from '../browser/tlsProof.js';
import type { TriesState } from '../card/card.js';
import type { SecretAuth } from '../card/pinGate.js';
import { type OpenOptions, withCard } from '../device/open.js';
import { CnsError, type ErrorCode } from '../util/codes.js';
import { coded } from './errors.js';
import { verifyPin } from './pin.js';

/**
 * The browsers' side of the card, as `cns browser` does it: which NSS databases (Firefox,
 * Thunderbird, Chrome on Linux) and, on Windows, which store can reach the card; registering the
 * middleware's PKCS#11 module in them and taking it out; proving a real TLS client login with the
 * card through NSS. Data and codes only (CnsError); the caller says them.
 */

export interface BrowserQuery {
  /** Only these browsers: firefox, thunderbird, chrome (default: every one found). */
  browsers?: string[];
  /** These NSS database folders instead of the discovered ones. */
  dbs?: string[];
  /** The card whose middleware is wanted (default: the only reader with a card; none: the first middleware installed). */
  card?: OpenOptions;
}

const flow = () => import('../browser/flow.js');

function checkBrowsers(o: BrowserQuery): void {
  const unknown = unknownBrowser(o.browsers);
  if (unknown !== undefined) throw new CnsError('INVALID_INPUT', { what: 'browsers', value: unknown, reason: 'unknown-browser' });
}

export interface BrowserStatus {
  report: BrowserReport;
  /** The card in the reader (its middleware, its id), if one was read. */
  card: CardFacts | undefined;
}

/** Every database and what it holds, asking NSS what it sees of the card: what `cns browser status` shows. */
export async function browserStatus(o: BrowserQuery = {}): Promise<BrowserStatus> {
  checkBrowsers(o);
  const f = await flow();
  const card = await f.cardFactsFor(o.card ?? {});
  return { report: f.reportFor({ browsers: o.browsers, dbs: o.dbs }, card, true), card };
}

export interface BrowserChangeOptions extends BrowserQuery {
  /** Change the databases of a browser that is open too (it may overwrite the change when it closes). */
  force?: boolean;
  /** Only say what would be changed. */
  dryRun?: boolean;
  /** Each database, as it is done. */
  onChange?(c: DatabaseChange): void;
}

/**
 * setup and remove: each database's change (a copy of its pkcs11.txt kept first); the result's
 * `verdict` is BROWSER_CHANGE_FAILED when one could not be made, BROWSER_OPEN when an open
 * browser was left alone. Refused before anything runs: as root on another user's home (USAGE),
 * no database to set up (NO_BROWSER_DB), Linux without NSS's tools (NSS_TOOLS_MISSING).
 */
async function change(o: BrowserChangeOptions, operation: ChangeOperation): Promise<ChangesDone> {
  checkBrowsers(o);
  const f = await flow();
  const home = f.rootOnOtherHome(!!o.dryRun);
  if (home !== undefined) throw new CnsError('USAGE', { reason: 'brRootOtherHome', home });
  const card = operation === 'setup' ? await f.cardFactsFor(o.card ?? {}) : undefined;
  const r = f.reportFor({ browsers: o.browsers, dbs: o.dbs }, card, false);
  if (r.databases.length === 0 && operation === 'setup') throw new CnsError('NO_BROWSER_DB');
  // Windows and macOS: cns changes pkcs11.txt itself; Linux: NSS's modutil does
  if (changeNeedsNssTools(r, !!o.dryRun)) throw new CnsError('NSS_TOOLS_MISSING');
  return f.changeDatabases(r, { operation, force: o.force, dryRun: o.dryRun }, (c) => o.onChange?.(c));
}

/** Register the card's middleware in every browser database that lacks it. */
export function setupBrowsers(o: BrowserChangeOptions = {}): Promise<ChangesDone> {
  return change(o, 'setup');
}

/** Take cns's registrations out of every browser database. */
export function removeBrowsers(o: BrowserChangeOptions = {}): Promise<ChangesDone> {
  return change(o, 'remove');
}

/**
 * Whether a login can be proved here: never on Windows (NSS's TLS client does not exist there),
 * on macOS only with Homebrew's nss; elsewhere NSS's tools are needed ('no-tools').
 */
export async function browserLoginProvable(): Promise<'unavailable' | 'no-tools' | 'ready'> {
  return (await flow()).proofAvailability();
}

export interface BrowserLoginOptions extends BrowserQuery {
  /** The PIN's rules, as verifyPin's (tries first, the last-try gate); typed on the keyboard: NSS's client needs it too. */
  auth: SecretAuth & { pin(): Promise<string> };
  /** After the checks that need no card, before the card is touched: where a caller reads its secret sources. */
  beforeCard?(): Promise<void>;
  /** The database chosen, before anything is asked of NSS. */
  onDatabase?(chosen: DatabaseStatus): void;
  /** Each handshake, as it ends. */
  onHandshake?(version: TlsVersion, ok: boolean): void;
}

export interface BrowserLogin {
  /** The database the login went through. */
  database: DatabaseStatus;
  /** The certificate's name as NSS gives it, when NSS saw it. */
  nickname: string | null;
  handshakes: BrowserHandshake[];
  /** The PIN's tries after the login (the card is reset afterwards), when it was reached. */
  pin: TriesState | null;
  /** The step that failed and its code (BROWSER_MODULE_MISSING, BROWSER_LOGIN_FAILED, ...); null: the login was proved. */
  failed: { step: TestStep; code: ErrorCode } | null;
}

/**
 * A real TLS client-authentication login through NSS with the card: TLS 1.2, then TLS 1.3. The
 * PIN is checked once on the card first, with every rule of verifyPin (NSS's client would present
 * a wrong PIN again and again), so NSS only ever gets a PIN the card has just accepted; it is
 * given to NSS's client in a file of its own, removed when the login ends.
 * Thrown before anything: USAGE (the in-process virtual card: no reader NSS sees),
 * BROWSER_TEST_UNAVAILABLE, NSS_TOOLS_MISSING, NO_BROWSER_DB; the PIN's errors as verifyPin's.
 */
export async function testBrowserLogin(o: BrowserLoginOptions): Promise<BrowserLogin> {
  checkBrowsers(o);
  const f = await flow();
  const cardOptions = o.card ?? {};
  if (f.inProcessCard(cardOptions)) throw new CnsError('USAGE', { reason: 'brSimInProcess' });
  const availability = f.proofAvailability();
  if (availability === 'unavailable') throw new CnsError('BROWSER_TEST_UNAVAILABLE');
  if (availability === 'no-tools') throw new CnsError('NSS_TOOLS_MISSING');
  await o.beforeCard?.();
  const facts = await coded(() => f.readTestCard(cardOptions));
  const { chosen, step: early } = f.testDatabase(f.reportFor({ browsers: o.browsers, dbs: o.dbs }, facts, false));
  if (!chosen) throw new CnsError('NO_BROWSER_DB');
  const failed = (step: TestStep, rest: Partial<BrowserLogin> = {}): BrowserLogin => ({
    database: chosen,
    nickname: null,
    handshakes: [],
    pin: null,
    ...rest,
    failed: { step, code: f.TEST_STEP_CODE[step] },
  });
  if (early) return failed(early);
  o.onDatabase?.(chosen);
  const seen = f.nssCardCertificate(chosen, facts);
  if ('step' in seen) return failed(seen.step);
  // one VERIFY by cns, on the keyboard: NSS's client is given the same PIN
  let pin = '';
  await coded(() =>
    withCard(cardOptions, (card) => verifyPin(card, { ...o.auth, pinpad: false, pin: async () => (pin = await o.auth.pin()) })),
  );
  const proof = await f.proveCardLogin({ chosen, nickname: seen.nickname, pin, certificate: facts.certificate }, (v, ok) =>
    o.onHandshake?.(v, ok),
  );
  pin = '';
  // NSS's module leaves the card logged in when its client ends: reset it, so that nothing after
  // this test finds a verified PIN; the tries are read on the way, and again after the reset
  // where the card only said "verified"
  const reset = { ...cardOptions, resetOnRelease: true };
  const after = await withCard(reset, (card) => card.tries('pin'))
    .then((t) => (t.verified ? withCard(cardOptions, (card) => card.tries('pin')) : t))
    .catch(() => null);
  const done = { nickname: seen.nickname, handshakes: proof.handshakes, pin: after };
  return proof.step ? failed(proof.step, done) : { database: chosen, ...done, failed: null };
}
