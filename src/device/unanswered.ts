import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSmallFile, writeFileAtomic } from '../util/fs.js';
import { stateDir } from './paths.js';

/**
 * Cards that stopped answering, remembered across commands (issue 23 item 5). A card that never
 * answers an APDU leaves pcscd waiting on it: every later connection is refused as if another
 * program held the card (SCARD_E_SHARING_VIOLATION), until the card is taken out. Without this
 * memory a mute card would be reported as "in use by another program". A reader's card-event
 * count tells whether the card is still the one that went mute: it changes at every insertion and
 * removal. Only reader names, counts and times are kept: nothing of the holder.
 */
export interface Unanswered {
  events: number;
  at: string;
}

const FILE = 'unanswered.json';
const MAX_BYTES = 16 * 1024;
/** A mark older than this says nothing any more: pcscd or the machine was restarted since. */
const MAX_AGE_MS = 24 * 3600 * 1000;

function load(env: NodeJS.ProcessEnv): Record<string, Unanswered> {
  try {
    const j = JSON.parse(readSmallFile(join(stateDir(env), FILE), MAX_BYTES)) as unknown;
    if (!j || typeof j !== 'object' || Array.isArray(j)) return {};
    const out: Record<string, Unanswered> = {};
    for (const [reader, v] of Object.entries(j as Record<string, unknown>)) {
      const m = v as { events?: unknown; at?: unknown };
      if (typeof m?.events !== 'number' || typeof m.at !== 'string') continue;
      const age = Date.now() - Date.parse(m.at);
      if (Number.isFinite(age) && age >= 0 && age < MAX_AGE_MS) out[reader] = { events: m.events, at: m.at };
    }
    return out;
  } catch {
    return {};
  }
}

/** Remember that the card in `reader` (at this event count) did not answer. Best effort: never fails. */
export function recordUnanswered(env: NodeJS.ProcessEnv, reader: string, events: number): void {
  try {
    const marks = load(env);
    marks[reader] = { events, at: new Date().toISOString() };
    mkdirSync(stateDir(env), { recursive: true, mode: 0o700 });
    writeFileAtomic(join(stateDir(env), FILE), `${JSON.stringify(marks)}\n`, 0o600);
  } catch {
    // a read-only home: the next command says "in use or not answering" instead
  }
}

/** The mark of `reader` when its card is still the one that did not answer (same event count). */
export function stillUnanswered(env: NodeJS.ProcessEnv, reader: string, events: number): Unanswered | undefined {
  const m = load(env)[reader];
  return m && m.events === events ? m : undefined;
}
