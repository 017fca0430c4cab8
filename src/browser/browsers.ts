import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Card } from '../card/card.js';
import { discoverModules, type ModuleInfo } from '../pkcs11/modules.js';
import { readSmallFile, unsafeToWrite } from '../util/fs.js';
import {
  BROWSER_FILE_MAX,
  currentHome,
  discoverDatabases,
  explicitDatabase,
  type Home,
  type NssDatabase,
  type Platform,
} from './discover.js';
import { type RegRun, type StoreStatus, storeStatus } from './minidriver.js';
import { type Assessment, assess, FAMILIES, type NeededModule, neededModule, OUR_NAME, p11kitModules, readRegistered } from './modules.js';
import { addModule, certificateNicknames, createDatabase, deleteModule, findTool, type TokenSeen, tokensSeen } from './nss.js';
import { addToModuleList, removeFromModuleList } from './pkcs11Txt.js';

/** What `cns browser` knows of the card in the reader, when there is one. */
export interface CardFacts {
  /** The middleware families the card's generation needs ("OpenSC / bit4id xPKI"), from the ATR. */
  middleware?: string;
  /** The card id (OpenSC shows it as the token's serial number). */
  cardId?: string;
  /** The card's ATR, hex: what Windows matches its minidriver by. */
  atr?: string;
}

/** What the browser layer needs of the card in the reader: its middleware (from the ATR) and its id. */
export async function readCardFacts(card: Card): Promise<CardFacts> {
  const middleware = card.origin.kind === 'atr' ? card.origin.atr.middleware : undefined;
  const atr = card.origin.kind === 'atr' ? card.origin.atr.atr : undefined;
  const cardId = card.files ? (await card.files.readCardId()).id : undefined;
  return { middleware, cardId, atr };
}

export interface DatabaseStatus {
  db: NssDatabase;
  need: NeededModule;
  assessment: Assessment;
  /** Whether NSS, through this database, sees a certificate on the card (null: no card, tools or database). */
  seesCard: boolean | null;
  /** The certificate's nickname as NSS names it (TOKEN:LABEL), when it sees it. */
  nickname: string | null;
}

/**
 * How a database's module list is changed: by NSS's modutil on Linux (it knows every NSS
 * database format), by cns editing pkcs11.txt where NSS's tools are not installed (Windows, macOS).
 */
export type ChangeMethod = 'modutil' | 'pkcs11-txt';

export function changeMethod(platform: Platform): ChangeMethod {
  return platform === 'linux' ? 'modutil' : 'pkcs11-txt';
}

export interface BrowserReport {
  platform: Platform;
  databases: DatabaseStatus[];
  /** The middleware chosen for this card (or, with no card, the first installed). */
  family: string | null;
  module: ModuleInfo | null;
  nssTools: boolean;
  /** Windows: whether Chrome and Edge can reach the card (a minidriver registered for its ATR). */
  store: StoreStatus | null;
}

/** The middleware families a card's generation can use, most likely first. */
function familiesFor(card: CardFacts | undefined): string[] {
  const all: string[] = [...FAMILIES];
  if (!card?.middleware) return all;
  const named = all.filter((f) => card.middleware!.includes(f.split(' ')[0]!));
  return named.length ? named : all;
}

/** The installed module for the card: the first of its families that is installed here. */
export function chooseModule(card: CardFacts | undefined, installed: ModuleInfo[]): { family: string | null; module: ModuleInfo | null } {
  const families = familiesFor(card);
  for (const f of families) {
    // a 32-bit build (Windows' Program Files (x86)) only where no 64-bit one is installed
    const m = installed.find((x) => x.name === f && !x.arch32) ?? installed.find((x) => x.name === f);
    if (m) return { family: f, module: m };
  }
  return { family: families[0] ?? null, module: null };
}

/** Which NSS certificate is the card's: one on the token whose serial is the card id, else on any card token. */
export function cardNickname(tokens: TokenSeen[], nicknames: string[], cardId: string | undefined): string | null {
  const onToken = (t: TokenSeen): string | null => nicknames.find((n) => n.startsWith(`${t.name}:`)) ?? null;
  const byId = cardId ? tokens.filter((t) => t.serial === cardId) : [];
  for (const t of byId.length ? byId : tokens) {
    const n = onToken(t);
    if (n) return n;
  }
  return null;
}

export interface ReportOptions {
  home?: Home;
  card?: CardFacts;
  installed?: ModuleInfo[];
  /** Ask NSS (modutil, certutil) what it sees through each database: slower, needs libnss3-tools. */
  askNss?: boolean;
  p11kit?: string[];
  /** Only these browsers (firefox, thunderbird, chrome). */
  browsers?: string[];
  /** These database folders instead of the discovered ones. */
  dbs?: string[];
  /** Windows: how reg.exe is run (tests pass their own). */
  reg?: RegRun;
  exists?: (path: string) => boolean;
}

/** Every database, the module it needs, whether that module is registered, and whether NSS sees the card. */
export function browserReport(o: ReportOptions = {}): BrowserReport {
  const home = o.home ?? currentHome();
  const installed = o.installed ?? discoverModules({ platform: home.platform, env: home.env });
  const { family, module } = chooseModule(o.card, installed);
  const proxied = home.platform === 'linux' ? (o.p11kit ?? p11kitModules()) : [];
  const nssTools = findTool('modutil') !== null && findTool('certutil') !== null;
  const found = o.dbs?.length ? o.dbs.map((p) => explicitDatabase(resolve(p), home)) : discoverDatabases(home);
  const chosen = o.browsers?.length ? found.filter((d) => o.browsers!.includes(d.browser)) : found;
  const databases = chosen.map((db): DatabaseStatus => {
    const need = family
      ? neededModule(db, family, module?.path ?? null)
      : { family: 'OpenSC', library: null, cannot: 'not-installed' as const };
    const assessment = assess(db, need, readRegistered(db.path), proxied, o.exists);
    let seesCard: boolean | null = null;
    let nickname: string | null = null;
    if (o.askNss && nssTools && db.exists && o.card && assessment.state !== 'missing' && db.platform === 'linux') {
      try {
        nickname = cardNickname(tokensSeen(db.path), certificateNicknames(db.path), o.card.cardId);
        seesCard = nickname !== null;
      } catch {
        seesCard = false;
      }
    }
    return { db, need, assessment, seesCard, nickname };
  });
  // Chrome and Edge on Windows: the system's store, through the card's minidriver
  const wantStore = home.platform === 'win32' && (!o.browsers?.length || o.browsers.includes('chrome')) && !o.dbs?.length;
  const store = wantStore ? storeStatus(o.card?.atr, { env: home.env, run: o.reg, exists: o.exists }) : null;
  return { platform: home.platform, databases, family, module, nssTools, store };
}

export type SetupAction =
  | { kind: 'add'; create: boolean; library: string; method: ChangeMethod }
  | { kind: 'skip'; why: 'registered' | 'running' | 'cannot' | 'duplicate' | 'wrong-path' | 'no-database' };

/** What `setup` would do to one database (nothing is written here). */
export function setupAction(s: DatabaseStatus, force: boolean): SetupAction {
  const method = changeMethod(s.db.platform);
  if (s.assessment.state === 'registered') return { kind: 'skip', why: 'registered' };
  if (s.assessment.state === 'duplicate') return { kind: 'skip', why: 'duplicate' };
  if (!s.need.library) return { kind: 'skip', why: 'cannot' };
  if (s.assessment.state === 'wrong-path' && s.assessment.entries.some((e) => e.name !== OUR_NAME))
    return { kind: 'skip', why: 'wrong-path' };
  // without NSS's tools a database is never created: the browser makes its own when first opened
  if (method === 'pkcs11-txt' && (!s.db.exists || s.assessment.unreadable)) return { kind: 'skip', why: 'no-database' };
  if (s.db.running && !force) return { kind: 'skip', why: 'running' };
  return { kind: 'add', create: !s.db.exists, library: s.need.library, method };
}

export type RemoveAction = { kind: 'remove'; names: string[]; method: ChangeMethod } | { kind: 'skip'; why: 'nothing' | 'running' };

export function removeAction(s: DatabaseStatus, force: boolean): RemoveAction {
  if (s.assessment.ours.length === 0) return { kind: 'skip', why: 'nothing' };
  if (s.db.running && !force) return { kind: 'skip', why: 'running' };
  return { kind: 'remove', names: [...new Set(s.assessment.ours.map((r) => r.name))], method: changeMethod(s.db.platform) };
}

/** Keep a copy of a database's pkcs11.txt before changing it; returns where, or null if it had none. */
export function backupPkcs11Txt(db: string, backupRoot: string, index: number): string | null {
  const src = join(db, 'pkcs11.txt');
  if (!existsSync(src)) return null;
  const text = readSmallFile(src, BROWSER_FILE_MAX);
  mkdirSync(backupRoot, { recursive: true, mode: 0o700 });
  const dest = join(backupRoot, `${String(index).padStart(2, '0')}-pkcs11.txt`);
  // a new file in a folder of ours: never through anything planted there
  writeFileSync(dest, text, { flag: 'wx', mode: 0o600 });
  return dest;
}

/** The files NSS writes in a database folder when a module is added or removed (pkcs11.txu: its temporary copy). */
const NSS_FILES = ['pkcs11.txt', 'pkcs11.txu', 'cert9.db', 'key4.db'];

/**
 * Why a database must not be changed by this process, or null: one of the files NSS would write is
 * a symbolic link (or not a regular file), which NSS would write through; or, run as root, the
 * folder belongs to another user, whose browser would lose its modules to a root-owned file.
 */
export function unsafeDatabase(
  db: string,
  uid: number | undefined = process.getuid?.(),
): { why: 'symlink' | 'not-file' | 'other-user'; file: string } | null {
  for (const f of NSS_FILES) {
    const why = unsafeToWrite(join(db, f));
    if (why) return { why, file: join(db, f) };
  }
  if (uid === 0) {
    // the folder, or the nearest one that exists (setup creates a missing database)
    let dir = db;
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      if (statSync(dir).uid !== 0) return { why: 'other-user', file: dir };
    } catch {
      /* nothing to tell */
    }
  }
  return null;
}

/** Register the module (creating the database first where a browser has not yet, with NSS's tools). */
export function applySetup(s: DatabaseStatus, a: Extract<SetupAction, { kind: 'add' }>): void {
  if (a.method === 'pkcs11-txt') {
    addToModuleList(s.db.path, s.db.platform, OUR_NAME, a.library);
    return;
  }
  if (a.create) {
    mkdirSync(s.db.path, { recursive: true, mode: 0o700 });
    createDatabase(s.db.path);
  }
  // a stale entry of ours (a library that moved; the assessment found it) goes first, so that
  // the new one is the only one
  if (s.assessment.ours.length) deleteModule(s.db.path, OUR_NAME);
  addModule(s.db.path, OUR_NAME, a.library);
}

export function applyRemove(db: NssDatabase, a: Extract<RemoveAction, { kind: 'remove' }>): void {
  for (const name of a.names) {
    if (a.method === 'pkcs11-txt') removeFromModuleList(db.path, db.platform, name);
    else deleteModule(db.path, name);
  }
}
