import { sha1 } from '../util/digest.js';

/**
 * The CNS authentication certificate's CN: "<codice fiscale>/<card id>.<base64 SHA-1 of
 * EF_Dati_personali>".
 */
export interface CnsCommonName {
  codiceFiscale: string;
  cardId: string;
  datiPersonaliHash: string;
}

export function parseCnsCommonName(cn: string): CnsCommonName | undefined {
  const m = /^([A-Z0-9]{16})\/(\d{16})\.([A-Za-z0-9+/=]+)$/.exec(cn.trim());
  if (!m) return undefined;
  return { codiceFiscale: m[1]!, cardId: m[2]!, datiPersonaliHash: m[3]! };
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
