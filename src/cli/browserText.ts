import type { DatabaseStatus } from '../browser/browsers.js';
import type { NssDatabase } from '../browser/discover.js';
import type { StoreStatus } from '../browser/minidriver.js';
import type { Context } from './context.js';
import type { MessageKey } from './i18n.js';

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
