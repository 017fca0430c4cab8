import type { BrowserReport, CardFacts, DatabaseStatus } from '../browser/browsers.js';
import type { NssDatabase } from '../browser/discover.js';
import { databaseOk, nssToolsAdvised } from '../browser/document.js';
import type { DatabaseChange } from '../browser/flow.js';
import type { StoreStatus } from '../browser/minidriver.js';
import type { TlsVersion } from '../browser/tlsProof.js';
import type { Context } from './context.js';
import type { MessageKey } from './i18n.js';
import { libraryDetail } from './render.js';

/** A browser's NSS database and its state, in words (cns browser, cns doctor, the guided menu). */

const BROWSER_NAME: Record<NssDatabase['browser'], MessageKey> = {
  firefox: 'brFirefox',
  thunderbird: 'brThunderbird',
  chrome: 'brChrome',
};
const PACKAGING: Partial<Record<NssDatabase['packaging'], MessageKey>> = {
  esr: 'brEsr',
  snap: 'brSnap',
  flatpak: 'brFlatpak',
  xdg: 'brXdg',
};

export function homePath(path: string): string {
  const h = process.env.HOME;
  return h && path.startsWith(`${h}/`) ? `~${path.slice(h.length)}` : path;
}

/** "Firefox (snap), profilo default-release": who reads this database. */
export function databaseTitle(ctx: Context, db: NssDatabase): string {
  const pack = PACKAGING[db.packaging];
  const name = ctx.t(BROWSER_NAME[db.browser]) + (pack ? ` (${ctx.t(pack)})` : '');
  return db.profile ? ctx.t('brProfile', { browser: name, profile: db.profile }) : name;
}

/** One database's state, in words. */
export function databaseText(ctx: Context, s: DatabaseStatus): string {
  const a = s.assessment;
  const parts: string[] = [];
  // without NSS's tools (Windows, macOS) cns never creates a database: the browser does
  if (!s.db.exists || (s.db.platform !== 'linux' && s.assessment.unreadable))
    parts.push(ctx.t(s.db.platform === 'linux' ? 'brNoDb' : 'brNoDbOpen'));
  const entry = a.entries[0];
  switch (a.state) {
    case 'registered':
      parts.push(ctx.t(entry?.via ? 'brRegisteredProxy' : 'brRegistered', { name: entry?.name, library: entry?.library }));
      break;
    case 'duplicate':
      parts.push(ctx.t('brDuplicate', { names: a.entries.map((e) => `"${e.name}"`).join(', ') }));
      break;
    case 'wrong-path':
      parts.push(ctx.t('brWrongPath', { name: entry?.name, library: entry?.library }));
      break;
    default:
      parts.push(ctx.t('brMissing', { family: s.need.family }));
  }
  if (!s.need.library && s.need.cannot) parts.push(ctx.t(`brCannot_${s.need.cannot}` as MessageKey, { family: s.need.family }));
  if (s.db.running) parts.push(ctx.t('brRunning'));
  if (s.seesCard === true) parts.push(ctx.t('brSeesCard'));
  else if (s.seesCard === false) parts.push(ctx.t('brNotSeesCard'));
  return parts.join('; ');
}

/** The maker's middleware a card's generation names ("OpenSC / bit4id xPKI": bit4id xPKI): OpenSC's installer was ruled out. */
function vendorMiddleware(middleware: string | undefined): string {
  const makers = (middleware ?? '').split(' / ').filter((m) => m && m !== 'OpenSC');
  return makers.length ? makers.join(' / ') : 'bit4id xPKI / Athena IDProtect';
}

/** Whether Chrome and Edge on Windows can reach the card (its minidriver), in words; ok: nothing to do. */
export function storeText(ctx: Context, s: StoreStatus, middleware: string | undefined): { ok: boolean; text: string } {
  switch (s.state) {
    case 'registered':
      return s.present
        ? { ok: true, text: ctx.t('brStoreRegistered', { name: s.name, dll: s.minidriver }) }
        : { ok: false, text: ctx.t('brStoreNoDll', { name: s.name, dll: s.minidriver ?? '-' }) };
    case 'not-registered':
      return {
        ok: false,
        text: ctx.t(s.remedy === 'opensc' ? 'brStoreNotRegistered_opensc' : 'brStoreNotRegistered_vendor', {
          middleware: vendorMiddleware(middleware),
        }),
      };
    case 'no-card':
      return { ok: false, text: ctx.t('brStoreNoCard') };
    default:
      return { ok: false, text: ctx.t('brStoreUnknown', { fault: s.fault }) };
  }
}

/** Chrome and Edge on Windows: whether Windows knows the card through a minidriver (none elsewhere). */
function printStore(ctx: Context, r: BrowserReport, card: CardFacts | undefined): void {
  if (!r.store) return;
  const { ok, text } = storeText(ctx, r.store, card?.middleware);
  ctx.print('');
  ctx.print(ctx.c.bold(ctx.t('brStore')));
  ctx.print(`  ${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${text}`);
}

/** `cns browser status`, in words: the module, each database, Windows' store, what to do next. */
export function printStatus(ctx: Context, r: BrowserReport, card: CardFacts | undefined): void {
  if (r.databases.length === 0) {
    ctx.print(ctx.t('brNone'));
    printStore(ctx, r, card);
    return;
  }
  ctx.print(r.module ? ctx.t('brModule', { family: r.family, path: r.module.path }) : ctx.t('brNoModule'));
  if (r.module?.arch32) ctx.print(ctx.c.yellow(ctx.t('brModule32')));
  if (!card) ctx.print(ctx.c.dim(ctx.t('brNoCard')));
  for (const s of r.databases) {
    ctx.print('');
    ctx.print(ctx.c.bold(databaseTitle(ctx, s.db)));
    ctx.print(`  ${ctx.c.dim(homePath(s.db.path))}`);
    ctx.print(`  ${databaseOk(s) ? ctx.c.green('✓') : ctx.c.yellow('!')} ${databaseText(ctx, s)}`);
  }
  printStore(ctx, r, card);
  // only Linux asks NSS's tools what a browser sees (elsewhere cns sets up without them)
  if (nssToolsAdvised(r)) ctx.print(`\n${ctx.t('brNssTools')}`);
  if (r.databases.some((s) => s.assessment.state !== 'registered')) ctx.print(`\n${ctx.t('brAdviseSetup')}`);
}

/** What setup or remove did to one database, in words (nothing for a database that had nothing to remove). */
export function changeLine(ctx: Context, c: DatabaseChange): string | undefined {
  const title = databaseTitle(ctx, c.s.db);
  switch (c.kind) {
    case 'skip': {
      if (c.why === 'nothing') return undefined;
      const mark = c.why === 'registered' ? ctx.c.green('✓') : ctx.c.yellow('!');
      return `${mark} ${title}: ${ctx.t(`brSkip_${c.why}` as MessageKey, { family: c.s.need.family })}`;
    }
    case 'would':
      return `• ${title}: ${c.action === 'added' ? ctx.t('brWouldAdd', { library: c.library }) : ctx.t('brWouldRemove')}`;
    case 'refused':
      return `${ctx.c.red('✗')} ${title}: ${ctx.t(`brUnsafe_${c.why}` as MessageKey, { file: homePath(c.file) })}`;
    case 'done':
      return `${ctx.c.green('✓')} ${title}: ${c.action === 'added' ? ctx.t('brAdded', { library: c.library }) : ctx.t('brRemoved')}`;
    default:
      return `${ctx.c.red('✗')} ${title}: ${ctx.t('brFailed', { detail: libraryDetail(c.error, ctx.t.bind(ctx)) })}`;
  }
}

/** Where no login can be proved (Windows; macOS without NSS's tools): what could be checked, as notes. */
export function noteUnprovable(ctx: Context, r: BrowserReport, card: CardFacts | undefined): void {
  for (const s of r.databases) {
    const ok = s.assessment.state === 'registered';
    ctx.note(`${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${databaseTitle(ctx, s.db)}: ${databaseText(ctx, s)}`);
  }
  if (r.store) {
    const { ok, text } = storeText(ctx, r.store, card?.middleware);
    ctx.note(`${ok ? ctx.c.green('✓') : ctx.c.yellow('!')} ${ctx.t('brStore')}: ${text}`);
  }
}

/** One TLS handshake of `browser test`, in words. */
export function handshakeLine(ctx: Context, version: TlsVersion, ok: boolean): string {
  const v = version === 'tls1.2' ? 'TLS 1.2' : 'TLS 1.3';
  return `${ok ? ctx.c.green('✓') : ctx.c.red('✗')} ${ctx.t(ok ? 'brHandshakeOk' : 'brHandshakeFailed', { version: v })}`;
}
