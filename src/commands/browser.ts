import { verifyPin } from '../api/pin.js';
import type { BrowserReport, CardFacts } from '../browser/browsers.js';
import { changeNeedsNssTools, statusDocument, statusJson, storeJson, unknownBrowser } from '../browser/document.js';
import type { BrowserChoice, ChangeOperation } from '../browser/flow.js';
import { changeLine, databaseTitle, handshakeLine, noteUnprovable, printStatus } from '../cli/browserText.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { pinAuth } from '../cli/gate.js';
import { onSecretCommand, outcome, renderError } from '../cli/render.js';
import { type SecretOptions, Secrets } from '../cli/secrets.js';
import { withCard } from '../device/open.js';
import { triesJson } from '../report/report.js';

export { statusDocument };

export interface BrowserOptions {
  browser?: string[];
  db?: string[];
}

const flow = () => import('../browser/flow.js');

async function report(o: BrowserOptions, card: CardFacts | undefined, askNss: boolean): Promise<BrowserReport> {
  // --browser safari: not a browser cns knows, said (it answered an empty list, exit 0)
  const unknown = unknownBrowser(o.browser);
  if (unknown !== undefined)
    throw new CliError('INVALID_INPUT', { what: '--browser', detail: unknown, detailKey: 'uBrowserName', value: unknown });
  const choice: BrowserChoice = { browsers: o.browser, dbs: o.db };
  return (await flow()).reportFor(choice, card, askNss);
}

export async function browserStatusCommand(ctx: Context, o: BrowserOptions): Promise<number> {
  const card = await (await flow()).cardFactsFor(ctx.cardOptions);
  const r = await report(o, card, true);
  ctx.result(statusDocument(r, card));
  printStatus(ctx, r, card);
  return 0;
}

export interface ChangeOptions extends BrowserOptions {
  force?: boolean;
  dryRun?: boolean;
}

/**
 * setup and remove: each database's change as the library makes it, said as it goes; exit 7 when
 * one could not be made, 9 when an open browser was left alone. Run as root on another user's
 * home, refused before anything runs: run it as the user.
 */
async function change(ctx: Context, o: ChangeOptions, operation: ChangeOperation): Promise<{ exit: number; changed: number }> {
  const { rootOnOtherHome, cardFactsFor, changeDatabases } = await flow();
  const home = rootOnOtherHome(!!o.dryRun);
  if (home !== undefined) throw new CliError('USAGE', { detailKey: 'brRootOtherHome', home });
  const r = await report(o, operation === 'setup' ? await cardFactsFor(ctx.cardOptions) : undefined, false);
  if (r.databases.length === 0 && operation === 'setup') throw new CliError('NO_BROWSER_DB', {});
  // Windows and macOS: cns changes pkcs11.txt itself; Linux: NSS's modutil does
  if (changeNeedsNssTools(r, !!o.dryRun)) throw new CliError('NSS_TOOLS_MISSING', {});
  const done = changeDatabases(r, { operation, force: o.force, dryRun: o.dryRun }, (c) => {
    const line = changeLine(ctx, c);
    if (line !== undefined) ctx.print(line);
  });
  if (done.refused) ctx.note(ctx.t('brCloseFirst'));
  const verdict = done.verdict ? new CliError(done.verdict) : undefined;
  const exit = outcome(ctx, { operation: `browser.${operation}`, dryRun: !!o.dryRun, databases: done.databases }, verdict);
  return { exit, changed: done.changed };
}

export async function browserSetupCommand(ctx: Context, o: ChangeOptions): Promise<number> {
  const { exit } = await change(ctx, o, 'setup');
  if (!o.dryRun && exit === 0) ctx.print(ctx.t('brSetupDone'));
  return exit;
}

export async function browserRemoveCommand(ctx: Context, o: ChangeOptions): Promise<number> {
  const { exit, changed } = await change(ctx, o, 'remove');
  // only when every database was looked at and none held a module of ours: a browser left open
  // (exit 9) or a failure is no "nothing to remove" (issue 23 item 8)
  if (changed === 0 && exit === 0 && !o.dryRun) ctx.print(ctx.t('brNothingToRemove'));
  return exit;
}

export interface TestOptions extends BrowserOptions, SecretOptions {
  lastAttempt?: boolean;
}

/**
 * A real TLS client-authentication login through NSS with the card: TLS 1.2, then TLS 1.3.
 * The PIN is checked once by cns on the card first (tries shown, last-try gate): NSS's client
 * would present a wrong PIN from its file again and again, so it only ever gets a PIN the card
 * has just accepted. Where NSS's TLS client does not exist (Windows; macOS without NSS's tools)
 * what can be checked is shown, then said plainly that no login was proved (exit 7).
 */
export async function browserTestCommand(ctx: Context, o: TestOptions): Promise<number> {
  const f = await flow();
  if (f.inProcessCard(ctx.cardOptions)) throw new CliError('USAGE', { detailKey: 'brSimInProcess' });
  const availability = f.proofAvailability();
  if (availability === 'unavailable') {
    const card = await f.cardFactsFor(ctx.cardOptions);
    const r = await report(o, card, false);
    noteUnprovable(ctx, r, card);
    const data = { platform: r.platform, databases: r.databases.map(statusJson), ...(r.store ? { store: storeJson(r) } : {}) };
    throw new CliError('BROWSER_TEST_UNAVAILABLE', {}, { data });
  }
  if (availability === 'no-tools') throw new CliError('NSS_TOOLS_MISSING', {});
  const secrets = new Secrets(ctx, o, ['pin']);
  await secrets.preload();
  const facts = await f.readTestCard(ctx.cardOptions);
  const { chosen, step: early } = f.testDatabase(f.reportFor({ browsers: o.browser, dbs: o.db }, facts, false));
  const fail = (step: keyof typeof f.TEST_STEP_CODE, extra: Record<string, unknown> = {}): never => {
    throw new CliError(
      f.TEST_STEP_CODE[step],
      { db: chosen ? databaseTitle(ctx, chosen.db) : '' },
      { data: { step, database: chosen?.db.path ?? null, ...extra } },
    );
  };
  if (!chosen) throw new CliError('NO_BROWSER_DB', {});
  if (early) fail(early);
  ctx.note(ctx.t('brTesting', { db: databaseTitle(ctx, chosen.db) }));
  const seen = f.nssCardCertificate(chosen, facts);
  if ('step' in seen) return fail(seen.step);
  // the PIN: tries first, the last-try gate, one VERIFY by cns
  let pin = '';
  try {
    const auth = pinAuth(ctx, secrets, o.lastAttempt);
    await withCard(ctx.cardOptions, (card) => verifyPin(card, { ...auth, pin: async () => (pin = await secrets.get('pin')) }));
  } catch (e) {
    return renderError(ctx, e, onSecretCommand(e) ? 'PIN' : undefined);
  }
  const proof = { chosen, nickname: seen.nickname, pin, certificate: facts.certificate };
  const { handshakes, step } = await f.proveCardLogin(proof, (version, ok) => ctx.note(handshakeLine(ctx, version, ok)));
  // NSS's module leaves the card logged in when its client ends: reset it, so that nothing
  // after this test finds a verified PIN; the tries are read on the way
  const reset = { ...ctx.cardOptions, resetOnRelease: true };
  const after = await withCard(reset, async (card) => triesJson(await card.tries('pin'))).catch(() => null);
  if (step) fail(step, { handshakes, pin: after });
  ctx.result({ operation: 'browser.test', database: statusJson(chosen), nickname: seen.nickname, handshakes, pin: after });
  ctx.print(ctx.c.green(ctx.t('brTestPassed', { db: databaseTitle(ctx, chosen.db) })));
  return 0;
}
