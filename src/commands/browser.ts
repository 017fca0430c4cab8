import { statusDocument, statusJson, storeJson, unknownBrowser } from '../browser/document.js';
import { changeLine, databaseTitle, handshakeLine, noteUnprovable, printStatus } from '../cli/browserText.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { pinAuth } from '../cli/gate.js';
import { onSecretCommand, outcome, renderError } from '../cli/render.js';
import { type SecretOptions, Secrets } from '../cli/secrets.js';
import { triesJson } from '../report/report.js';
import { CnsError } from '../util/codes.js';

export { statusDocument };

export interface BrowserOptions {
  browser?: string[];
  db?: string[];
}

const api = () => import('../api/browser.js');

/** --browser safari: not a browser cns knows, said in the option's words (it answered an empty list, exit 0). */
function checkBrowsers(o: BrowserOptions): void {
  const unknown = unknownBrowser(o.browser);
  if (unknown !== undefined)
    throw new CliError('INVALID_INPUT', { what: '--browser', detail: unknown, detailKey: 'uBrowserName', value: unknown });
}

function query(ctx: Context, o: BrowserOptions) {
  checkBrowsers(o);
  return { browsers: o.browser, dbs: o.db, card: ctx.cardOptions };
}

export async function browserStatusCommand(ctx: Context, o: BrowserOptions): Promise<number> {
  const { report: r, card } = await (await api()).browserStatus(query(ctx, o));
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
 * one could not be made, 9 when an open browser was left alone.
 */
async function change(ctx: Context, o: ChangeOptions, operation: 'setup' | 'remove'): Promise<{ exit: number; changed: number }> {
  const a = await api();
  const run = operation === 'setup' ? a.setupBrowsers : a.removeBrowsers;
  const done = await run({
    ...query(ctx, o),
    force: o.force,
    dryRun: o.dryRun,
    onChange: (c) => {
      const line = changeLine(ctx, c);
      if (line !== undefined) ctx.print(line);
    },
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
 * A real TLS client-authentication login through NSS with the card (the library's
 * testBrowserLogin). Where NSS's TLS client does not exist (Windows; macOS without NSS's tools)
 * what can be checked is shown, then said plainly that no login was proved (exit 7).
 */
export async function browserTestCommand(ctx: Context, o: TestOptions): Promise<number> {
  const a = await api();
  const q = query(ctx, o);
  const secrets = new Secrets(ctx, o, ['pin']);
  let login: Awaited<ReturnType<typeof a.testBrowserLogin>>;
  try {
    login = await a.testBrowserLogin({
      ...q,
      auth: { ...pinAuth(ctx, secrets, o.lastAttempt), pin: () => secrets.get('pin') },
      beforeCard: () => secrets.preload(),
      onDatabase: (chosen) => ctx.note(ctx.t('brTesting', { db: databaseTitle(ctx, chosen.db) })),
      onHandshake: (version, ok) => ctx.note(handshakeLine(ctx, version, ok)),
    });
  } catch (e) {
    if (e instanceof CnsError && e.code === 'BROWSER_TEST_UNAVAILABLE') {
      // no login can be proved here (the library said so before anything ran): what can be checked, then the verdict
      const { report: r, card } = await a.browserStatus(q);
      noteUnprovable(ctx, r, card);
      const data = { platform: r.platform, databases: r.databases.map(statusJson), ...(r.store ? { store: storeJson(r) } : {}) };
      throw new CliError('BROWSER_TEST_UNAVAILABLE', {}, { data });
    }
    return renderError(ctx, e, onSecretCommand(e) ? 'PIN' : undefined);
  }
  const pin = login.pin ? triesJson(login.pin) : null;
  const { database: chosen, failed } = login;
  if (failed) {
    const data = { step: failed.step, database: chosen.db.path, ...(login.nickname !== null ? { handshakes: login.handshakes, pin } : {}) };
    throw new CliError(failed.code, { db: databaseTitle(ctx, chosen.db) }, { data });
  }
  ctx.result({ operation: 'browser.test', database: statusJson(chosen), nickname: login.nickname, handshakes: login.handshakes, pin });
  ctx.print(ctx.c.green(ctx.t('brTestPassed', { db: databaseTitle(ctx, chosen.db) })));
  return 0;
}
