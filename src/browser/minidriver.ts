import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { win32 } from 'node:path';
import { windowsFolders } from '../pkcs11/moduleTable.js';

/**
 * Chrome and Edge on Windows reach a smart card through the Windows certificate store, which
 * reaches the card through a minidriver registered for its ATR in the smart-card database:
 * HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards\<card name>, values ATR, ATRMask and
 * "80000001" (the minidriver DLL). Read with `reg query` (there under Wine too), parsed strictly.
 */

export const CALAIS_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards';

export interface RegisteredCard {
  /** The card's name in the database ("Italian CNS (a)"). */
  name: string;
  atr: Buffer;
  /** Which ATR bits count; none: every bit. */
  mask: Buffer | null;
  /** The minidriver DLL ("80000001"), null where the card has none (an old CSP-only entry). */
  minidriver: string | null;
  installedBy: string | null;
}

/**
 * The CNS ATRs OpenSC's Windows installer registers its minidriver for ("Italian CNS (a)" to
 * "(e)", every bit significant), from OpenSC win32/customactions.cpp. A CNS not among them needs
 * its own maker's minidriver: OpenSC's installer does not register one for it.
 */
export const OPENSC_CNS_ATRS: { name: string; atr: string }[] = [
  { name: 'Italian CNS (a)', atr: '3BE900FFC11031FE5500640500C80231800047' },
  { name: 'Italian CNS (b)', atr: '3BFB9800FFC11031FE550064052047033180009000F3' },
  { name: 'Italian CNS (c)', atr: '3BFC9800FFC11031FE55C803496E666F63616D65726528' },
  { name: 'Italian CNS (d)', atr: '3BFF1800FF8131FE55006B02090303010101434E531031809D' },
  { name: 'Italian CNS (e)', atr: '3BFF1800008131FE45006B11050700012101434E531031804A' },
];

const VALUE = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*?))?\s*$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/**
 * The cards of `reg query <CALAIS_KEY> /s`: a key line per card, then its values, four spaces
 * apart. Anything else in the output (another key, a line of neither shape, an ATR that is not
 * hex) makes the whole answer unreadable (null): a guess about which driver a card has would be
 * worse than none.
 */
export function parseRegQuery(text: string): RegisteredCard[] | null {
  const out: RegisteredCard[] = [];
  let values: Record<string, string> | null = null;
  let name = '';
  const flush = (): boolean => {
    if (!values) return true;
    const atr = values.atr;
    const mask = values.atrmask;
    if (atr === undefined) return true; // a card known by another name only: nothing to match
    if (!HEX.test(atr) || (mask !== undefined && !HEX.test(mask))) return false;
    const minidriver = values['80000001'];
    out.push({
      name,
      atr: Buffer.from(atr, 'hex'),
      mask: mask === undefined ? null : Buffer.from(mask, 'hex'),
      minidriver: minidriver ? minidriver : null,
      installedBy: values.installedby ?? null,
    });
    return true;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (/^HKEY_/i.test(line)) {
      if (!flush()) return null;
      values = null;
      const key = line.trimEnd();
      if (key.toLowerCase() === CALAIS_KEY.toLowerCase()) continue;
      if (!key.toLowerCase().startsWith(`${CALAIS_KEY.toLowerCase()}\\`)) return null;
      const rest = key.slice(CALAIS_KEY.length + 1);
      // a card's own subkey (none is defined) holds no card: its values are not the card's
      if (rest.includes('\\')) continue;
      name = rest;
      values = {};
      continue;
    }
    const v = VALUE.exec(line);
    if (!v) return null;
    if (values) values[v[1]!.toLowerCase()] = v[3] ?? '';
  }
  return flush() ? out : null;
}

/** Whether a card's ATR is this entry's, the way Windows compares them: same length, equal under the mask. */
export function atrMatches(atr: Buffer, card: Pick<RegisteredCard, 'atr' | 'mask'>): boolean {
  if (atr.length !== card.atr.length) return false;
  if (card.mask && card.mask.length !== atr.length) return false;
  for (let i = 0; i < atr.length; i++) {
    const m = card.mask ? card.mask[i]! : 0xff;
    if ((atr[i]! & m) !== (card.atr[i]! & m)) return false;
  }
  return true;
}

export type StoreFault = 'no-reg' | 'timeout' | 'unreadable' | 'failed';

export type RegRun = (file: string, args: string[]) => { status: number | null; stdout: string; error?: NodeJS.ErrnoException };

const REG_TIMEOUT_MS = 10_000;

function runReg(file: string, args: string[]): ReturnType<RegRun> {
  const r = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: REG_TIMEOUT_MS,
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 4 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', error: r.error as NodeJS.ErrnoException | undefined };
}

/** The smart-card database, read through reg.exe (Windows' own, by its full path, no shell), or why not. */
export function querySmartCards(
  o: { env?: Record<string, string | undefined>; run?: RegRun } = {},
): { cards: RegisteredCard[] } | { fault: StoreFault } {
  const reg = win32.join(windowsFolders(o.env ?? process.env).system, 'System32', 'reg.exe');
  const r = (o.run ?? runReg)(reg, ['query', CALAIS_KEY, '/s']);
  if (r.error?.code === 'ENOENT') return { fault: 'no-reg' };
  if (r.error?.code === 'ETIMEDOUT') return { fault: 'timeout' };
  if (r.error) return { fault: 'failed' };
  // exit 1 and no key in the answer: the key is not there, no card registered at all (Windows
  // says so on stderr, in its own language; Wine's reg on stdout: "reg: Unable to find the
  // specified registry key")
  if (r.status === 1 && !/^HKEY_/im.test(r.stdout)) return { cards: [] };
  if (r.status !== 0) return { fault: 'failed' };
  const cards = parseRegQuery(r.stdout);
  return cards ? { cards } : { fault: 'unreadable' };
}

/** A minidriver DLL as Windows finds it: a full path as it is, a bare name in System32; %VARS% expanded. */
export function minidriverPath(dll: string, env: Record<string, string | undefined>): string {
  const expanded = dll.replace(/%([^%]+)%/g, (whole, k: string) => {
    const hit = Object.keys(env).find((n) => n.toLowerCase() === k.toLowerCase());
    return hit === undefined ? whole : (env[hit] ?? whole);
  });
  return win32.isAbsolute(expanded) ? expanded : win32.join(windowsFolders(env).system, 'System32', expanded);
}

export type StoreStatus =
  | { state: 'registered'; name: string; minidriver: string | null; present: boolean }
  | { state: 'not-registered'; remedy: 'opensc' | 'vendor' }
  | { state: 'no-card' }
  | { state: 'unknown'; fault: StoreFault };

/**
 * Whether Windows knows the card in the reader (its ATR, hex) through a minidriver, and what to
 * install when it does not: OpenSC for the CNS ATRs its installer registers, the card maker's
 * minidriver for any other.
 */
export function storeStatus(
  atrHex: string | undefined,
  o: { env?: Record<string, string | undefined>; run?: RegRun; exists?: (path: string) => boolean } = {},
): StoreStatus {
  if (!atrHex || !/^(?:[0-9A-Fa-f]{2})+$/.test(atrHex)) return { state: 'no-card' };
  const atr = Buffer.from(atrHex, 'hex');
  const q = querySmartCards(o);
  if ('fault' in q) return { state: 'unknown', fault: q.fault };
  const card = q.cards.find((c) => atrMatches(atr, c));
  if (!card) {
    const opensc = OPENSC_CNS_ATRS.some((k) => atrMatches(atr, { atr: Buffer.from(k.atr, 'hex'), mask: null }));
    return { state: 'not-registered', remedy: opensc ? 'opensc' : 'vendor' };
  }
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  const present = card.minidriver !== null && exists(minidriverPath(card.minidriver, env));
  return { state: 'registered', name: card.name, minidriver: card.minidriver, present };
}
