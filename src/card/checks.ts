/** Check digits and check characters printed on Italian cards. */
import { isDigits } from '../util/text.js';

export function luhnValid(digits: string): boolean {
  if (!isDigits(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits[digits.length - 1]);
}

/** The digit to append to `payload` so that the whole string passes Luhn. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

// Values of characters in odd positions (1st, 3rd, ...), DM 23/12/1976.
const ODD: Record<string, number> = {
  '0': 1,
  '1': 0,
  '2': 5,
  '3': 7,
  '4': 9,
  '5': 13,
  '6': 15,
  '7': 17,
  '8': 19,
  '9': 21,
  A: 1,
  B: 0,
  C: 5,
  D: 7,
  E: 9,
  F: 13,
  G: 15,
  H: 17,
  I: 19,
  J: 21,
  K: 2,
  L: 4,
  M: 18,
  N: 20,
  O: 11,
  P: 3,
  Q: 6,
  R: 8,
  S: 12,
  T: 14,
  U: 16,
  V: 10,
  W: 22,
  X: 25,
  Y: 24,
  Z: 23,
};

function evenValue(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

/** Omocodia: letters standing for the digits of a codice fiscale's numeric positions. */
const OMOCODIA = 'LMNPQRSTUV';
const MONTHS = 'ABCDEHLMPRST';

/**
 * Structure of a codice fiscale for a person, with omocodia substitutions allowed: per position,
 * L a letter, N a digit or its omocodia letter, M a month letter (written out rather than a
 * regular expression, issue 27: see util/text.ts).
 */
const CF_SHAPE = 'LLLLLLNNMNNLNNNL';

function cfShaped(cf: string): boolean {
  if (cf.length !== 16) return false;
  for (let i = 0; i < 16; i++) {
    const c = cf[i]!;
    const letter = c >= 'A' && c <= 'Z';
    const kind = CF_SHAPE[i];
    if (kind === 'L' ? !letter : kind === 'M' ? !MONTHS.includes(c) || !letter : !((c >= '0' && c <= '9') || OMOCODIA.includes(c)))
      return false;
  }
  return true;
}

export function codiceFiscaleCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i]!;
    sum += i % 2 === 0 ? ODD[c]! : evenValue(c);
  }
  return String.fromCharCode(65 + (sum % 26));
}

export type CodiceFiscaleCheck = 'valid' | 'malformed' | 'bad-check-character';

export function checkCodiceFiscale(cf: string): CodiceFiscaleCheck {
  if (!cfShaped(cf)) return 'malformed';
  return codiceFiscaleCheckChar(cf.slice(0, 15)) === cf[15] ? 'valid' : 'bad-check-character';
}

/**
 * What a person's codice fiscale says of its holder: sex, birth date (ISO; the century is the
 * most recent one not in the future) and the cadastral code of the birth place. undefined when
 * it is not a well-formed personal codice fiscale.
 */
export function decodeCodiceFiscale(cf: string, today = new Date()): { sex: 'M' | 'F'; birthDate: string; birthPlace: string } | undefined {
  if (checkCodiceFiscale(cf) === 'malformed') return undefined;
  const digits = (s: string): string => [...s].map((c) => (OMOCODIA.includes(c) ? String(OMOCODIA.indexOf(c)) : c)).join('');
  const yy = Number(digits(cf.slice(6, 8)));
  const month = MONTHS.indexOf(cf[8]!) + 1;
  let day = Number(digits(cf.slice(9, 11)));
  const sex = day > 40 ? 'F' : 'M';
  if (day > 40) day -= 40;
  const century = 2000 + yy > today.getUTCFullYear() ? 1900 : 2000;
  const birth = new Date(Date.UTC(century + yy, month - 1, day));
  if (month < 1 || birth.getUTCDate() !== day) return undefined;
  const birthPlace = cf[11]! + digits(cf.slice(12, 15));
  return { sex, birthDate: birth.toISOString().slice(0, 10), birthPlace };
}
