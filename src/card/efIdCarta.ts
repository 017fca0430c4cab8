import { isDigits, printable } from '../util/text.js';
import { luhnValid } from './checks.js';

export type CardType = 'citizen-national' | 'citizen-regional' | 'citizen-other' | 'operator-national' | 'operator-regional' | 'unknown';

export interface CardId {
  id: string;
  valid: boolean;
  problem?: 'not-16-digits' | 'luhn';
  type: CardType;
}

const TYPES: Record<string, CardType> = {
  '5': 'citizen-national',
  '6': 'citizen-regional',
  '7': 'citizen-other',
  '8': 'operator-national',
  '9': 'operator-regional',
};

/** 00, FF and the white space of a latin1 text (what \s matches below 0x100). */
const isPadding = (c: number): boolean => c === 0x00 || c === 0xff || (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;

/** EF_ID_Carta (3F00/1000/1003): 16 ASCII digits, the last a Luhn check digit. */
export function parseIdCarta(raw: Uint8Array): CardId {
  // the id is padded with 00 or FF bytes (or spaces): what ends it is left out
  const all = Buffer.from(raw).toString('latin1');
  let end = all.length;
  while (end > 0 && isPadding(all.charCodeAt(end - 1))) end--;
  const text = all.slice(0, end);
  const type = TYPES[text[0] ?? ''] ?? 'unknown';
  if (!isDigits(text, 16, 16)) return { id: printable(text).slice(0, 64), valid: false, problem: 'not-16-digits', type };
  if (!luhnValid(text)) return { id: text, valid: false, problem: 'luhn', type };
  return { id: text, valid: true, type };
}
