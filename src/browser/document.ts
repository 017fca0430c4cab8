import type { BrowserReport, CardFacts, DatabaseStatus } from './browsers.js';

/** What `cns browser` says, as data: its JSON documents (schemas/browser-status.schema.json) and its judgements. Light: types only. */

const KNOWN_BROWSERS = ['firefox', 'thunderbird', 'chrome'];

/** The first browser name cns does not know (`--browser safari`), if any. */
export function unknownBrowser(names: string[] | undefined): string | undefined {
  return (names ?? []).find((b) => !KNOWN_BROWSERS.includes(b));
}

/** Linux changes databases through NSS's modutil: without NSS's tools nothing can be changed there. */
export function changeNeedsNssTools(r: BrowserReport, dryRun: boolean): boolean {
  return !dryRun && r.platform === 'linux' && !r.nssTools;
}

/** Linux asks NSS's tools what a browser sees; missing there, they are worth installing. */
export function nssToolsAdvised(r: BrowserReport): boolean {
  return !r.nssTools && r.platform === 'linux';
}

/** A database's state is all set: the module registered and, where asked, NSS seeing the card. */
export function databaseOk(s: DatabaseStatus): boolean {
  return s.assessment.state === 'registered' && s.seesCard !== false;
}

/** One database's state, as `browser status --json` and `browser test --json` give it. */
export function statusJson(s: DatabaseStatus): Record<string, unknown> {
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

/** Windows' store (Chrome and Edge through the card's minidriver), or null elsewhere. */
export function storeJson(r: BrowserReport): Record<string, unknown> | null {
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
