import { printable } from '../util/text.js';
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

/** EF_ID_Carta (3F00/1000/1003): 16 ASCII digits, the last a Luhn check digit. */
export function parseIdCarta(raw: Uint8Array): CardId {
  const text = Buffer.from(raw)
    .toString('latin1')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the id is padded with 00 or FF bytes
    .replace(/[\x00\xff\s]+$/g, '');
  const type = TYPES[text[0] ?? ''] ?? 'unknown';
  if (!/^\d{16}$/.test(text)) return { id: printable(text).slice(0, 64), valid: false, problem: 'not-16-digits', type };
  if (!luhnValid(text)) return { id: text, valid: false, problem: 'luhn', type };
  return { id: text, valid: true, type };
}
