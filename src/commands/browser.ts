import { join } from 'node:path';
import { verifyPin } from '../api/pin.js';
import type { BrowserReport, CardFacts, DatabaseStatus } from '../browser/browsers.js';
import { databaseText, databaseTitle, homePath, storeText } from '../cli/browserText.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { pinAuth } from '../cli/gate.js';
import type { MessageKey } from '../cli/i18n.js';
import { libraryDetail, onSecretCommand, outcome, renderError } from '../cli/render.js';
import { type SecretOptions, Secrets } from '../cli/secrets.js';
import { withCard } from '../device/open.js';
import { stateDir } from '../device/paths.js';
import { triesJson } from '../report/report.js';

export interface BrowserOptions {
  browser?: string[];
  db?: string[];
}

/** The card in the reader, if any: which middleware it needs, its id. Never fails: no card is a fact too. */
async function cardFacts(ctx: Context): Promise<CardFacts | undefined> {
  if (ctx.reader?.startsWith('sim')) return undefined; // the in-process card is not in any reader NSS sees
  try {
    const { readCardFacts } = await import('../browser/browsers.js');
    return await withCard(ctx.cardOptions, readCardFacts);
  } catch {
    return undefined;
  }
}

function statusJson(s: DatabaseStatus): Record<string, unknown> {
  return {
    browser: s.db.browser,
    packaging: s.db.packaging,
    profile: s.db.profile,
    path: s.db.path,
    exists: s.db.exists,
    running: s.db.running,
    platform: s.db.platform,
    registration: s.assessment.state,
    modules: s.assessment.entries.map((e) => ({ name: e.name, library: e.library, loadable: e.exists, ...(e.via ? { via: e.via } : {}) })),
    needed: { family: s.need.family, library: s.need.library, ...(s.need.cannot ? { cannot: s.need.cannot } : {}) },
    seesCard: s.seesCard,
  };
}

async function report(o: BrowserOptions, card: CardFacts | undefined, askNss: boolean): Promise<BrowserReport> {
  // --browser safari: not a browser cns knows, said (it answered an empty list, exit 0)
  const unknown = (o.browser ?? []).find((b) => !['firefox', 'thunderbird', 'chrome'].includes(b));
  if (unknown !== undefined)
    throw new CliError('INVALID_INPUT', { what: '--browser', detail: unknown, detailKey: 'uBrowserName', value: unknown });
  const { browserReport } = await import('../browser/browsers.js');
  return browserReport({ card, askNss, browsers: o.browser, dbs: o.db });
}

/** Chrome and Edge on Windows: whether Windows knows the card through a minidriver (none elsewhere). */
function printStore(ctx: Context, r: BrowserReport, card: CardFacts | undefined): void {
  if (!r.store) return;
  const { ok, text } = storeText(ctx, r.store, card?.middleware);
  ctx.print('');
  ctx.print(ctx.c.bold(ctx.t('brStore')));
  ctx.print(`  ${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${text}`);
}

function storeJson(r: BrowserReport): Record<string, unknown> | null {
  return r.store ? { ...r.store } : null;
}

/** `browser status --json` (schemas/browser-status.schema.json). */
export function statusDocument(r: BrowserReport, card: CardFacts | undefined): Record<string, unknown> {
  return {
    operation: 'browser.status',
    card: card ? { middleware: card.middleware ?? null, cardId: card.cardId ?? null } : null,
    module: r.module ? { family: r.family, path: r.module.path, ...(r.module.arch32 ? { arch32: true } : {}) } : null,
    nssTools: r.nssTools,
    databases: r.databases.map(statusJson),
    ...(r.store ? { store: storeJson(r) } : {}),
  };
}

export async function browserStatusCommand(ctx: Context, o: BrowserOptions): Promise<number> {
  const card = await cardFacts(ctx);
  const r = await report(o, card, true);
  ctx.result(statusDocument(r, card));
  if (r.databases.length === 0) {
    ctx.print(ctx.t('brNone'));
    printStore(ctx, r, card);
    return 0;
  }
  ctx.print(r.module ? ctx.t('brModule', { family: r.family, path: r.module.path }) : ctx.t('brNoModule'));
  if (r.module?.arch32) ctx.print(ctx.c.yellow(ctx.t('brModule32')));
  if (!card) ctx.print(ctx.c.dim(ctx.t('brNoCard')));
  for (const s of r.databases) {
    ctx.print('');
    ctx.print(ctx.c.bold(databaseTitle(ctx, s.db)));
    ctx.print(`  ${ctx.c.dim(homePath(s.db.path))}`);
    const ok = s.assessment.state === 'registered' && s.seesCard !== false;
    ctx.print(`  ${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${databaseText(ctx, s)}`);
  }
  printStore(ctx, r, card);
  // only Linux asks NSS's tools what a browser sees (elsewhere cns sets up without them)
  if (!r.nssTools && r.platform === 'linux') ctx.print(`\n${ctx.t('brNssTools')}`);
  if (r.databases.some((s) => s.assessment.state !== 'registered')) ctx.print(`\n${ctx.t('brAdviseSetup')}`);
  return 0;
}

export interface ChangeOptions extends BrowserOptions {
  force?: boolean;
  dryRun?: boolean;
}

function requireNssTools(r: BrowserReport): void {
  if (!r.nssTools) throw new CliError('NSS_TOOLS_MISSING', {});
}

/** One database's change, as setup or remove plans it (the plan is the browser layer's). */
type Planned =
  | { kind: 'skip'; why: string }
  | { kind: 'change'; apply: () => void; json: Record<string, unknown>; would: string; did: string; action: 'added' | 'removed' };

/**
 * setup and remove: for each database the planned change, or why none; --dry-run stops at the
 * plan; a copy of pkcs11.txt before each change; exit 7 when one could not be made, 9 when an
 * open browser was left alone.
 */
async function changeDatabases(
  ctx: Context,
  o: ChangeOptions,
  operation: 'browser.setup' | 'browser.remove',
  card: CardFacts | undefined,
  plan: (s: DatabaseStatus) => Planned,
): Promise<{ exit: number; changed: number }> {
  const { backupPkcs11Txt, unsafeDatabase } = await import('../browser/browsers.js');
  const r = await report(o, card, false);
  if (r.databases.length === 0 && operation === 'browser.setup') throw new CliError('NO_BROWSER_DB', {});
  // Windows and macOS: cns changes pkcs11.txt itself; Linux: NSS's modutil does
  if (!o.dryRun && r.platform === 'linux') requireNssTools(r);
  const backups = join(stateDir(), 'browser-backups', new Date().toISOString().replace(/[:.]/g, '-'));
  const done: Record<string, unknown>[] = [];
  let refused = 0;
  let failed = 0;
  for (const [i, s] of r.databases.entries()) {
    const p = plan(s);
    const title = databaseTitle(ctx, s.db);
    const base = { path: s.db.path, browser: s.db.browser };
    if (p.kind === 'skip') {
      if (p.why === 'running') refused++;
      if (p.why === 'cannot' || p.why === 'duplicate' || p.why === 'wrong-path') failed++;
      done.push({ ...base, action: 'skip', why: p.why });
      if (p.why !== 'nothing') {
        const mark = p.why === 'registered' ? ctx.c.green('✓') : ctx.c.yellow('!');
        ctx.print(`${mark} ${title}: ${ctx.t(`brSkip_${p.why}` as MessageKey, { family: s.need.family })}`);
      }
      continue;
    }
    if (o.dryRun) {
      done.push({ ...base, action: p.action === 'added' ? 'would-add' : 'would-remove', ...p.json });
      ctx.print(`• ${title}: ${p.would}`);
      continue;
    }
    // a planted link where NSS writes, or (as root) another user's profile: refused, said why
    const unsafe = unsafeDatabase(s.db.path);
    if (unsafe) {
      failed++;
      done.push({ ...base, action: 'refused', why: unsafe.why, file: unsafe.file });
      ctx.print(`${ctx.c.red('✗')} ${title}: ${ctx.t(`brUnsafe_${unsafe.why}` as MessageKey, { file: homePath(unsafe.file) })}`);
      continue;
    }
    const backup = backupPkcs11Txt(s.db.path, backups, i);
    try {
      p.apply();
      done.push({ ...base, action: p.action, ...p.json, backup });
      ctx.print(`${ctx.c.green('✓')} ${title}: ${p.did}`);
    } catch (e) {
      failed++;
      done.push({ ...base, action: 'failed', backup });
      ctx.print(`${ctx.c.red('✗')} ${title}: ${ctx.t('brFailed', { detail: libraryDetail(e, ctx.t.bind(ctx)) })}`);
    }
  }
  if (refused) ctx.note(ctx.t('brCloseFirst'));
  const verdict = failed ? new CliError('BROWSER_CHANGE_FAILED') : refused ? new CliError('BROWSER_OPEN') : undefined;
  const exit = outcome(ctx, { operation, dryRun: !!o.dryRun, databases: done }, verdict);
  return { exit, changed: done.filter((d) => d.action !== 'skip').length };
}

/**
 * Run as root on another user's home (a help desk's `sudo cns browser setup`): refused before
 * anything runs, since every file written there (NSS's, the middleware's cache, the backups)
 * would belong to root and the user's browser would lose its modules. Said: run it as the user.
 */
async function refuseRootOnOtherHome(o: ChangeOptions): Promise<void> {
  if (o.dryRun || process.getuid?.() !== 0) return;
  const { currentHome } = await import('../browser/discover.js');
  const { statSync } = await import('node:fs');
  const home = currentHome().home;
  let owner: number | undefined;
  try {
    owner = statSync(home).uid;
  } catch {
    return;
  }
  if (owner !== 0) throw new CliError('USAGE', { detailKey: 'brRootOtherHome', home });
}

export async function browserSetupCommand(ctx: Context, o: ChangeOptions): Promise<number> {
  await refuseRootOnOtherHome(o);
  const { setupAction, applySetup } = await import('../browser/browsers.js');
  const { exit } = await changeDatabases(ctx, o, 'browser.setup', await cardFacts(ctx), (s) => {
    const a = setupAction(s, !!o.force);
    if (a.kind === 'skip') return a;
    return {
      kind: 'change',
      action: 'added',
      apply: () => applySetup(s, a),
      json: { library: a.library, create: a.create, method: a.method },
      would: ctx.t('brWouldAdd', { library: a.library }),
      did: ctx.t('brAdded', { library: a.library }),
    };
  });
  if (!o.dryRun && exit === 0) ctx.print(ctx.t('brSetupDone'));
  return exit;
}

export async function browserRemoveCommand(ctx: Context, o: ChangeOptions): Promise<number> {
  await refuseRootOnOtherHome(o);
  const { removeAction, applyRemove } = await import('../browser/browsers.js');
  const { exit, changed } = await changeDatabases(ctx, o, 'browser.remove', undefined, (s) => {
    const a = removeAction(s, !!o.force);
    if (a.kind === 'skip') return a;
    return {
      kind: 'change',
      action: 'removed',
      apply: () => applyRemove(s.db, a),
      json: { names: a.names, method: a.method },
      would: ctx.t('brWouldRemove'),
      did: ctx.t('brRemoved'),
    };
  });
  // only when every database was looked at and none held a module of ours: a browser left open
  // (exit 9) or a failure is no "nothing to remove" (issue 23 item 8)
  if (changed === 0 && exit === 0 && !o.dryRun) ctx.print(ctx.t('brNothingToRemove'));
  return exit;
}

export interface TestOptions extends BrowserOptions, SecretOptions {
  lastAttempt?: boolean;
}

type Step = 'module-not-loaded' | 'token-not-seen' | 'certificate-not-seen' | 'tls13-signature' | 'login-refused' | 'server-refused';

const STEP_CODE: Record<
  Step,
  'BROWSER_MODULE_MISSING' | 'BROWSER_TOKEN_NOT_SEEN' | 'BROWSER_CERT_NOT_SEEN' | 'BROWSER_TLS13_SIGNATURE' | 'BROWSER_LOGIN_FAILED'
> = {
  'module-not-loaded': 'BROWSER_MODULE_MISSING',
  'token-not-seen': 'BROWSER_TOKEN_NOT_SEEN',
  'certificate-not-seen': 'BROWSER_CERT_NOT_SEEN',
  'tls13-signature': 'BROWSER_TLS13_SIGNATURE',
  'login-refused': 'BROWSER_LOGIN_FAILED',
  'server-refused': 'BROWSER_LOGIN_FAILED',
};

/**
 * A real TLS client-authentication login through NSS with the card: TLS 1.2, then TLS 1.3.
 * The PIN is checked once by cns on the card first (tries shown, last-try gate): NSS's client
 * would present a wrong PIN from its file again and again, so it only ever gets a PIN the card
 * has just accepted.
 */
/**
 * Where NSS's TLS client does not exist (Windows; macOS without NSS's tools) no login can be
 * proved: what can be checked is shown (the module in each profile, Windows' minidriver for the
 * card), then said plainly that no login was proved (exit 7), never a success.
 */
async function browserTestUnavailable(ctx: Context, o: TestOptions): Promise<number> {
  const card = await cardFacts(ctx);
  const r = await report(o, card, false);
  for (const s of r.databases) {
    const ok = s.assessment.state === 'registered';
    ctx.note(`${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${databaseTitle(ctx, s.db)}: ${databaseText(ctx, s)}`);
  }
  if (r.store) {
    const { ok, text } = storeText(ctx, r.store, card?.middleware);
    ctx.note(`${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${ctx.t('brStore')}: ${text}`);
  }
  throw new CliError(
    'BROWSER_TEST_UNAVAILABLE',
    {},
    {
      data: {
        platform: r.platform,
        databases: r.databases.map(statusJson),
        ...(r.store ? { store: storeJson(r) } : {}),
      },
    },
  );
}

export async function browserTestCommand(ctx: Context, o: TestOptions): Promise<number> {
  if (ctx.reader?.startsWith('sim')) throw new CliError('USAGE', { detailKey: 'brSimInProcess' });
  const { currentHome } = await import('../browser/discover.js');
  const { findTool, tokensSeen, certificateNicknames } = await import('../browser/nss.js');
  const tools = ['modutil', 'certutil', 'tstclnt'] as const;
  // Windows never has NSS's tools; macOS has them only from Homebrew's nss, and then runs the proof
  const platform = currentHome().platform;
  if (platform === 'win32' || (platform === 'darwin' && !tools.every((t) => findTool(t)))) return browserTestUnavailable(ctx, o);
  const { browserReport, cardNickname, readCardFacts } = await import('../browser/browsers.js');
  for (const tool of tools) if (!findTool(tool)) throw new CliError('NSS_TOOLS_MISSING', {});
  const secrets = new Secrets(ctx, o, ['pin']);
  await secrets.preload();

  // 1. the card as cns reads it: certificate, id, middleware (no PIN yet)
  const facts = await withCard(ctx.cardOptions, async (card) => ({
    ...(await readCardFacts(card)),
    certificate: await card.readCertificate(),
  }));
  // 2. the database: named, or the first that has the module
  const r = browserReport({ card: facts, askNss: false, browsers: o.browser, dbs: o.db });
  const usable = r.databases.filter((d) => d.db.platform !== 'win32' && d.db.exists);
  const chosen = usable.find((d) => d.assessment.state === 'registered') ?? usable[0];
  const fail = (step: Step, db: DatabaseStatus | undefined, extra: Record<string, unknown> = {}): never => {
    throw new CliError(
      STEP_CODE[step],
      { db: db ? databaseTitle(ctx, db.db) : '' },
      { data: { step, database: db?.db.path ?? null, ...extra } },
    );
  };
  if (!chosen) throw new CliError('NO_BROWSER_DB', {});
  if (chosen.assessment.state !== 'registered') fail('module-not-loaded', chosen);
  ctx.note(ctx.t('brTesting', { db: databaseTitle(ctx, chosen.db) }));
  // 3. what NSS sees through that database (no login: no PIN is asked or spent)
  const tokens = tokensSeen(chosen.db.path);
  const mine = facts.cardId ? tokens.filter((t) => t.serial === facts.cardId) : tokens;
  if (mine.length === 0) fail('token-not-seen', chosen);
  const nickname = cardNickname(mine, certificateNicknames(chosen.db.path), undefined);
  if (!nickname) fail('certificate-not-seen', chosen);
  // 4. the PIN: tries first, the last-try gate, one VERIFY by cns
  let pin = '';
  try {
    await withCard(ctx.cardOptions, (card) =>
      verifyPin(card, {
        ...pinAuth(ctx, secrets, o.lastAttempt),
        pin: async () => {
          pin = await secrets.get('pin');
          return pin;
        },
      }),
    );
  } catch (e) {
    return renderError(ctx, e, onSecretCommand(e) ? 'PIN' : undefined);
  }
  // 5. the handshakes, through NSS and the registered module
  const { proveLogin, withPinFile, passed, failedStep } = await import('../browser/tlsProof.js');
  const results: Record<string, unknown>[] = [];
  const runs: import('../browser/tlsProof.js').ProofRun[] = [];
  await withPinFile(pin, async (pinFile) => {
    for (const version of ['tls1.2', 'tls1.3'] as const) {
      const run = await proveLogin({ db: chosen.db.path, nickname: nickname!, pinFile, cardCertificate: facts.certificate, version });
      runs.push(run);
      const ok = passed(run);
      results.push({
        version,
        passed: ok,
        presented: run.server.presented,
        protocol: run.server.protocol,
        serverError: run.server.error,
        clientExit: run.client.code,
      });
      const v = version === 'tls1.2' ? 'TLS 1.2' : 'TLS 1.3';
      ctx.note(`${ok ? ctx.c.green('✓') : ctx.c.red('✗')} ${ctx.t(ok ? 'brHandshakeOk' : 'brHandshakeFailed', { version: v })}`);
      if (!ok) break;
    }
  });
  // NSS's module leaves the card logged in when its client ends: reset it, so that nothing
  // after this test finds a verified PIN; the tries are read on the way
  const after = await withCard({ ...ctx.cardOptions, resetOnRelease: true }, async (card) => triesJson(await card.tries('pin'))).catch(
    () => null,
  );
  const step = failedStep(runs);
  if (step) fail(step, chosen, { handshakes: results, pin: after });
  ctx.result({ operation: 'browser.test', database: statusJson(chosen), nickname, handshakes: results, pin: after });
  ctx.print(ctx.c.green(ctx.t('brTestPassed', { db: databaseTitle(ctx, chosen.db) })));
  return 0;
}
