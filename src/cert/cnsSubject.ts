import { sha1 } from '../util/digest.js';
import { isDigits } from '../util/text.js';

/**
 * The CNS authentication certificate's CN: "<codice fiscale>/<card id>.<base64 SHA-1 of
 * EF_Dati_personali>".
 */
export interface CnsCommonName {
  codiceFiscale: string;
  cardId: string;
  datiPersonaliHash: string;
}

/** <16 of A-Z 0-9>/<16 digits>.<base64>, read position by position (util/text.ts says why). */
export function parseCnsCommonName(cn: string): CnsCommonName | undefined {
  const t = cn.trim();
  if (t.length < 35 || t[16] !== '/' || t[33] !== '.') return undefined;
  const codiceFiscale = t.slice(0, 16);
  const cardId = t.slice(17, 33);
  const datiPersonaliHash = t.slice(34);
  const upperAlnum = (c: string) => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  const base64 = (c: string) => upperAlnum(c) || (c >= 'a' && c <= 'z') || c === '+' || c === '/' || c === '=';
  if (![...codiceFiscale].every(upperAlnum) || !isDigits(cardId, 16, 16) || ![...datiPersonaliHash].every(base64)) return undefined;
  return { codiceFiscale, cardId, datiPersonaliHash };
}

/** The SHA-1 part, over the record as written (the EF without its zero padding). */
export function datiPersonaliHash(record: Uint8Array): string {
  return sha1(trimPadding(record)).toString('base64');
}

export function trimPadding(b: Uint8Array): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x00 || b[end - 1] === 0xff)) end--;
  return Buffer.from(b.subarray(0, end));
}

export function buildCnsCommonName(codiceFiscale: string, cardId: string, record: Uint8Array): string {
  return `${codiceFiscale}/${cardId}.${datiPersonaliHash(record)}`;
}
