import type { Said } from '../apdu/said.js';
import { isDigits, isHexDigits, printable } from '../util/text.js';

/** EF_Dati_personali (3F00/1100/1102): ASCII, hex length header, then hex-length-prefixed fields. */

export const DATI_PERSONALI_FIELDS = [
  'issuerCode',
  'issueDate',
  'expiryDate',
  'surname',
  'givenName',
  'birthDate',
  'sex',
  'height',
  'codiceFiscale',
  'citizenship',
  'birthMunicipality',
  'birthCountry',
  'birthCertificate',
  'residenceMunicipality',
  'residenceAddress',
  'expatriationNotes',
] as const;

export type DatiPersonaliField = (typeof DATI_PERSONALI_FIELDS)[number];
export type DatiPersonaliRaw = Record<DatiPersonaliField, string>;

const DATE_FIELDS = new Set<DatiPersonaliField>(['issueDate', 'expiryDate', 'birthDate']);

export interface DatiPersonali {
  fields: DatiPersonaliRaw;
  /** Dates as ISO calendar dates (YYYY-MM-DD); null when empty or not a real date. */
  issueDate: string | null;
  expiryDate: string | null;
  birthDate: string | null;
  /** Fields that could not be read (truncated record). */
  missing: DatiPersonaliField[];
  problems: string[];
}

export class DatiPersonaliError extends Error {
  constructor(
    message: string,
    readonly said?: Said,
  ) {
    super(message);
  }
}

/** DDMMYYYY -> YYYY-MM-DD, or null when it is not a calendar date. */
export function cardDateToIso(ddmmyyyy: string): string | null {
  if (!isDigits(ddmmyyyy, 8, 8)) return null;
  const dd = ddmmyyyy.slice(0, 2);
  const mm = ddmmyyyy.slice(2, 4);
  const yyyy = ddmmyyyy.slice(4);
  const d = new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd)));
  if (d.getUTCFullYear() !== Number(yyyy) || d.getUTCMonth() !== Number(mm) - 1 || d.getUTCDate() !== Number(dd)) {
    return null;
  }
  return `${yyyy}-${mm}-${dd}`;
}

export function isoToCardDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new DatiPersonaliError(`not an ISO date: ${iso}`, { id: 'dNotIsoDate', facts: { value: iso } });
  return `${m[3]}${m[2]}${m[1]}`;
}

export function parseDatiPersonali(raw: Uint8Array): DatiPersonali {
  const text = Buffer.from(raw).toString('latin1');
  // the record ends at its 00 (or FF) padding
  let end = 0;
  while (end < text.length && text.charCodeAt(end) !== 0x00 && text.charCodeAt(end) !== 0xff) end++;
  const body = text.slice(0, end);
  if (body.length < 6 || !isHexDigits(body.slice(0, 6), 6)) {
    throw new DatiPersonaliError('EF_Dati_personali does not start with a 6-digit hex length', { id: 'dNoLength' });
  }
  const problems: string[] = [];
  const declared = parseInt(body.slice(0, 6), 16);
  // Some cards count the 6 header characters in the length, some do not: accept both.
  if (declared !== body.length && declared !== body.length - 6) {
    problems.push(`declared length ${declared} does not match the ${body.length} characters present`);
  }
  const fields = Object.fromEntries(DATI_PERSONALI_FIELDS.map((f) => [f, ''])) as DatiPersonaliRaw;
  const missing: DatiPersonaliField[] = [];
  let i = 6;
  for (const name of DATI_PERSONALI_FIELDS) {
    if (i + 2 > body.length) {
      missing.push(name);
      continue;
    }
    const lenHex = body.slice(i, i + 2);
    if (!isHexDigits(lenHex, 2)) throw new DatiPersonaliError(`bad length for field ${name}`, { id: 'dFieldLength', facts: { name } });
    const len = parseInt(lenHex, 16);
    i += 2;
    if (i + len > body.length)
      throw new DatiPersonaliError(`field ${name} runs past the end of the record`, { id: 'dFieldPastEnd', facts: { name } });
    fields[name] = printable(body.slice(i, i + len));
    i += len;
  }
  const date = (f: DatiPersonaliField): string | null => {
    const v = fields[f];
    if (!v) return null;
    const iso = cardDateToIso(v);
    if (!iso) problems.push(`${f} is not a valid DDMMYYYY date: ${v}`); // v is printable already
    return iso;
  };
  return {
    fields,
    issueDate: date('issueDate'),
    expiryDate: date('expiryDate'),
    birthDate: date('birthDate'),
    missing,
    problems,
  };
}

/** Build the ASCII record; the header counts its own 6 characters, as on the cards seen. */
export function encodeDatiPersonali(values: Partial<DatiPersonaliRaw>): Buffer {
  let out = '';
  for (const name of DATI_PERSONALI_FIELDS) {
    const v = values[name] ?? '';
    if (DATE_FIELDS.has(name) && v && !cardDateToIso(v))
      throw new DatiPersonaliError(`${name} must be DDMMYYYY`, { id: 'dDate', facts: { name } });
    if (v.length > 255) throw new DatiPersonaliError(`${name} longer than 255 characters`, { id: 'dTooLong', facts: { name } });
    if (!/^[\x20-\x7e]*$/.test(v)) throw new DatiPersonaliError(`${name} must be printable ASCII`, { id: 'dAscii', facts: { name } });
    out += v.length.toString(16).toUpperCase().padStart(2, '0') + v;
  }
  const total = out.length + 6;
  return Buffer.from(total.toString(16).toUpperCase().padStart(6, '0') + out, 'latin1');
}
