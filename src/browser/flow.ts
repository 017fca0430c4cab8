import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Card } from '../card/card.js';
import { type OpenOptions, withCard } from '../device/open.js';
import { stateDir } from '../device/paths.js';
import type { ErrorCode } from '../util/codes.js';
import {
  applyRemove,
  applySetup,
  type BrowserReport,
  backupPkcs11Txt,
  browserReport,
  type CardFacts,
  cardNickname,
  type DatabaseStatus,
  readCardFacts,
  removeAction,
  setupAction,
  unsafeDatabase,
} from './browsers.js';
import { currentHome } from './discover.js';
import { certificateNicknames, findTool, tokensSeen } from './nss.js';
import { failedStep, type ProofRun, passed, proveLogin, type TlsVersion, withPinFile } from './tlsProof.js';

/**
 * The flows of `cns browser` (status, setup, remove, test) as the library runs them: what to look
 * at, what to change, what a login proved. Data and codes only; the CLI says them.
 */

export interface BrowserChoice {
  /** Only these browsers (firefox, thunderbird, chrome). */
  browsers?: string[];
  /** These database folders instead of the discovered ones. */
  dbs?: string[];
}

/** The card in the reader, if any: which middleware it needs, its id. Never fails: no card is a fact too. */
export async function cardFactsFor(o: OpenOptions): Promise<CardFacts | undefined> {
  if (o.reader?.startsWith('sim')) return undefined; // the in-process card is not in any reader NSS sees
  try {
    return await withCard(o, readCardFacts);
  } catch {
    return undefined;
  }
}

/** Whether the in-process card was asked for: NSS's module never sees it. */
export function inProcessCard(o: OpenOptions): boolean {
  return !!o.reader?.startsWith('sim');
}

/** The report `cns browser` works from. */
export function reportFor(o: BrowserChoice, card: CardFacts | undefined, askNss: boolean): BrowserReport {
  return browserReport({ card, askNss, browsers: o.browsers, dbs: o.dbs });
}

/**
 * Run as root on another user's home (a help desk's `sudo cns browser setup`): the home, to be
 * refused before anything runs, since every file written there (NSS's, the middleware's cache, the
 * backups) would belong to root and the user's browser would lose its modules.
 */
export function rootOnOtherHome(dryRun: boolean): string | undefined {
  if (dryRun || process.getuid?.() !== 0) return undefined;
  const home = currentHome().home;
  let owner: number | undefined;
  try {
    owner = statSync(home).uid;
  } catch {
    return undefined;
  }
  return owner !== 0 ? home : undefined;
}

export type ChangeOperation = 'setup' | 'remove';

/** What happened to one database in setup or remove, in the order they were looked at. */
export type DatabaseChange =
  | { kind: 'skip'; s: DatabaseStatus; why: string }
  | { kind: 'would'; s: DatabaseStatus; action: 'added' | 'removed'; library?: string }
  | { kind: 'refused'; s: DatabaseStatus; why: 'symlink' | 'not-file' | 'other-user'; file: string }
  | { kind: 'done'; s: DatabaseStatus; action: 'added' | 'removed'; library?: string }
  | { kind: 'failed'; s: DatabaseStatus; error: unknown };

export interface ChangesDone {
  /** The JSON document's `databases`. */
  databases: Record<string, unknown>[];
  /** The verdict: a change that could not be made, or an open browser left alone. */
  verdict?: 'BROWSER_CHANGE_FAILED' | 'BROWSER_OPEN';
  /** Some database was skipped because its browser is open. */
  refused: boolean;
  /** How many databases were (or would be) changed or refused. */
  changed: number;
}

type Planned =
  | { kind: 'skip'; why: string }
  | { kind: 'change'; action: 'added' | 'removed'; apply: () => void; json: Record<string, unknown>; library?: string };

function plan(op: ChangeOperation, s: DatabaseStatus, force: boolean): Planned {
  if (op === 'setup') {
    const a = setupAction(s, force);
    if (a.kind === 'skip') return a;
    return {
      kind: 'change',
      action: 'added',
      apply: () => applySetup(s, a),
      json: { library: a.library, create: a.create, method: a.method },
      library: a.library,
    };
  }
  const a = removeAction(s, force);
  if (a.kind === 'skip') return a;
  return { kind: 'change', action: 'removed', apply: () => applyRemove(s.db, a), json: { names: a.names, method: a.method } };
}

/**
 * setup and remove: for each database the planned change, or why none; dryRun stops at the plan;
 * a copy of pkcs11.txt before each change. `each` hears of every database as it is done.
 */
export function changeDatabases(
  r: BrowserReport,
  o: { operation: ChangeOperation; force?: boolean; dryRun?: boolean },
  each: (c: DatabaseChange) => void,
): ChangesDone {
  const backups = join(stateDir(), 'browser-backups', new Date().toISOString().replace(/[:.]/g, '-'));
  const done: Record<string, unknown>[] = [];
  let refused = 0;
  let failed = 0;
  for (const [i, s] of r.databases.entries()) {
    const p = plan(o.operation, s, !!o.force);
    const base = { path: s.db.path, browser: s.db.browser };
    if (p.kind === 'skip') {
      if (p.why === 'running') refused++;
      if (p.why === 'cannot' || p.why === 'duplicate' || p.why === 'wrong-path') failed++;
      done.push({ ...base, action: 'skip', why: p.why });
      each({ kind: 'skip', s, why: p.why });
      continue;
    }
    if (o.dryRun) {
      done.push({ ...base, action: p.action === 'added' ? 'would-add' : 'would-remove', ...p.json });
      each({ kind: 'would', s, action: p.action, library: p.library });
      continue;
    }
    // a planted link where NSS writes, or (as root) another user's profile: refused, said why
    const unsafe = unsafeDatabase(s.db.path);
    if (unsafe) {
      failed++;
      done.push({ ...base, action: 'refused', why: unsafe.why, file: unsafe.file });
      each({ kind: 'refused', s, why: unsafe.why, file: unsafe.file });
      continue;
    }
    const backup = backupPkcs11Txt(s.db.path, backups, i);
    try {
      p.apply();
      done.push({ ...base, action: p.action, ...p.json, backup });
      each({ kind: 'done', s, action: p.action, library: p.library });
    } catch (e) {
      failed++;
      done.push({ ...base, action: 'failed', backup });
      each({ kind: 'failed', s, error: e });
    }
  }
  const verdict = failed ? 'BROWSER_CHANGE_FAILED' : refused ? 'BROWSER_OPEN' : undefined;
  return { databases: done, verdict, refused: refused > 0, changed: done.filter((d) => d.action !== 'skip').length };
}

/** The tools NSS's TLS client login needs. */
const PROOF_TOOLS = ['modutil', 'certutil', 'tstclnt'] as const;

/**
 * Whether a login can be proved here: never on Windows (no NSS tools), on macOS only with
 * Homebrew's nss; elsewhere the tools are needed (no-tools).
 */
export function proofAvailability(): 'unavailable' | 'no-tools' | 'ready' {
  const platform = currentHome().platform;
  const all = PROOF_TOOLS.every((t) => findTool(t));
  if (platform === 'win32' || (platform === 'darwin' && !all)) return 'unavailable';
  return all ? 'ready' : 'no-tools';
}

export type TestStep =
  | 'module-not-loaded'
  | 'token-not-seen'
  | 'certificate-not-seen'
  | 'tls13-signature'
  | 'login-refused'
  | 'server-refused';

/** The stable error code of each step of `browser test` that can fail. */
export const TEST_STEP_CODE: Record<TestStep, ErrorCode> = {
  'module-not-loaded': 'BROWSER_MODULE_MISSING',
  'token-not-seen': 'BROWSER_TOKEN_NOT_SEEN',
  'certificate-not-seen': 'BROWSER_CERT_NOT_SEEN',
  'tls13-signature': 'BROWSER_TLS13_SIGNATURE',
  'login-refused': 'BROWSER_LOGIN_FAILED',
  'server-refused': 'BROWSER_LOGIN_FAILED',
};

export type TestCard = CardFacts & { certificate: Buffer };

/** The card as cns reads it: certificate, id, middleware (no PIN). */
export async function readTestCard(o: OpenOptions): Promise<TestCard> {
  return withCard(o, async (card: Card) => ({ ...(await readCardFacts(card)), certificate: await card.readCertificate() }));
}

/** The database to test: the named one, or the first that has the module; the step that fails at once, if any. */
export function testDatabase(r: BrowserReport): { chosen?: DatabaseStatus; step?: TestStep } {
  const usable = r.databases.filter((d) => d.db.platform !== 'win32' && d.db.exists);
  const chosen = usable.find((d) => d.assessment.state === 'registered') ?? usable[0];
  if (chosen && chosen.assessment.state !== 'registered') return { chosen, step: 'module-not-loaded' };
  return { chosen };
}

/** What NSS sees through that database (no login: no PIN is asked or spent): the card's certificate, or the step that failed. */
export function nssCardCertificate(chosen: DatabaseStatus, card: CardFacts): { nickname: string } | { step: TestStep } {
  const tokens = tokensSeen(chosen.db.path);
  const mine = card.cardId ? tokens.filter((t) => t.serial === card.cardId) : tokens;
  if (mine.length === 0) return { step: 'token-not-seen' };
  const nickname = cardNickname(mine, certificateNicknames(chosen.db.path), undefined);
  return nickname ? { nickname } : { step: 'certificate-not-seen' };
}

/** One handshake of the login, as `browser test --json` gives it. */
export interface BrowserHandshake {
  version: TlsVersion;
  passed: boolean;
  /** What the client presented to the server: nothing, the card's certificate, or another one. */
  presented: 'none' | 'card' | 'other' | null;
  protocol: string | null;
  /** The TLS alert or error the server saw, if the handshake failed. */
  serverError: string | null;
  /** NSS's client's exit code. */
  clientExit: number | null;
}

/**
 * The handshakes, through NSS and the registered module: TLS 1.2, then TLS 1.3 (stopping at the
 * first that fails); `each` hears of each as it ends. The PIN is one the card has just accepted.
 */
export async function proveCardLogin(
  o: { chosen: DatabaseStatus; nickname: string; pin: string; certificate: Buffer },
  each: (version: TlsVersion, ok: boolean) => void,
): Promise<{ handshakes: BrowserHandshake[]; step: TestStep | null }> {
  const handshakes: BrowserHandshake[] = [];
  const runs: ProofRun[] = [];
  await withPinFile(o.pin, async (pinFile) => {
    for (const version of ['tls1.2', 'tls1.3'] as const) {
      const run = await proveLogin({ db: o.chosen.db.path, nickname: o.nickname, pinFile, cardCertificate: o.certificate, version });
      runs.push(run);
      const ok = passed(run);
      handshakes.push({
        version,
        passed: ok,
        presented: run.server.presented,
        protocol: run.server.protocol,
        serverError: run.server.error,
        clientExit: run.client.code,
      });
      each(version, ok);
      if (!ok) break;
    }
  });
  return { handshakes, step: failedStep(runs) };
}
