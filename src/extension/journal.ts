import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 as sha256Bytes } from '../util/digest.js';
import { writeFileAtomic } from '../util/fs.js';
import { isDigits } from '../util/text.js';

/**
 * Backups and the journal of a certificate write, per card, in the state directory:
 * <state>/extension/<card id>/ old-<serial>.der, new-<serial>.der, journal.json.
 * The journal is written before the card is touched and says which write to finish.
 */
export type JournalState = 'prepared' | 'writing' | 'done';

export interface Journal {
  version: 1;
  kind: 'extend' | 'restore';
  cardId: string;
  state: JournalState;
  oldSerial: string;
  newSerial: string;
  oldFile: string;
  newFile: string;
  oldSha256: string;
  newSha256: string;
  efSize: number;
  updatedAt: string;
}

// in JavaScript: `cns status` looks for a journal and would otherwise load node:crypto (issue 27)
const sha256 = (b: Uint8Array): string => sha256Bytes(b).toString('hex');

/** A card id read from a card is untrusted: only 16 digits ever become a path component. */
export function isPathSafeCardId(cardId: string): boolean {
  return isDigits(cardId, 16, 16);
}

export function journalDir(stateDir: string, cardId: string): string {
  if (!isPathSafeCardId(cardId)) throw new RangeError('a card id that is not 16 digits is never used in a path');
  return join(stateDir, 'extension', cardId);
}

export function loadJournal(stateDir: string, cardId: string): Journal | undefined {
  if (!isPathSafeCardId(cardId)) return undefined;
  const p = join(journalDir(stateDir, cardId), 'journal.json');
  if (!existsSync(p)) return undefined;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as Journal;
    return j.version === 1 && j.cardId === cardId ? j : undefined;
  } catch {
    return undefined;
  }
}

export function saveJournal(stateDir: string, j: Journal): void {
  writeFileAtomic(
    join(journalDir(stateDir, j.cardId), 'journal.json'),
    `${JSON.stringify({ ...j, updatedAt: new Date().toISOString() }, null, 2)}\n`,
  );
}

/** Save both certificates and a 'prepared' journal, before anything is written to the card. */
export function prepareJournal(
  stateDir: string,
  o: { kind: Journal['kind']; cardId: string; oldDer: Buffer; oldSerial: string; newDer: Buffer; newSerial: string; efSize: number },
): Journal {
  const dir = journalDir(stateDir, o.cardId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const oldFile = join(dir, `old-${o.oldSerial}.der`);
  const newFile = join(dir, `new-${o.newSerial}.der`);
  writeFileAtomic(oldFile, o.oldDer);
  writeFileAtomic(newFile, o.newDer);
  const j: Journal = {
    version: 1,
    kind: o.kind,
    cardId: o.cardId,
    state: 'prepared',
    oldSerial: o.oldSerial,
    newSerial: o.newSerial,
    oldFile,
    newFile,
    oldSha256: sha256(o.oldDer),
    newSha256: sha256(o.newDer),
    efSize: o.efSize,
    updatedAt: '',
  };
  saveJournal(stateDir, j);
  return j;
}

export type EfContent = 'new' | 'old' | 'partial';

/** What EF 1101 holds compared with a journal: the new certificate, the old one, or neither. */
export function classifyEf(ef: Buffer, j: Journal): EfContent {
  const newDer = readFileSync(j.newFile);
  const oldDer = readFileSync(j.oldFile);
  if (ef.subarray(0, newDer.length).equals(newDer)) return 'new';
  if (ef.subarray(0, oldDer.length).equals(oldDer)) return 'old';
  return 'partial';
}

/** What to write: the certificate, then zeros over whatever a longer previous one left. */
export function efImage(der: Buffer, previousLength: number, efSize: number): Buffer {
  const len = Math.min(Math.max(der.length, previousLength), efSize);
  const out = Buffer.alloc(len);
  der.copy(out);
  return out;
}
