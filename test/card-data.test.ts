import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/apdu/bytes.js';
import { decodeAtr, parseAtr } from '../src/card/atr.js';
import { checkCodiceFiscale, codiceFiscaleCheckChar, luhnCheckDigit, luhnValid } from '../src/card/checks.js';
import { parseUserDate, romeDate } from '../src/card/dates.js';
import { encodeDatiPersonali, parseDatiPersonali } from '../src/card/efDatiPersonali.js';
import { parseIdCarta } from '../src/card/efIdCarta.js';
import { parseCnsCommonName } from '../src/cert/cnsSubject.js';
import { validity } from '../src/cert/x509.js';

describe('ATR', () => {
  it('decodes the STIncard TS-CNS 1.1: 2048-bit, extended length', () => {
    const a = decodeAtr(fromHex('3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D'));
    expect(a.isCns).toBe(true);
    expect(a.icManufacturer).toBe('STMicroelectronics');
    expect(a.maskManufacturer).toBe('STIncard');
    expect(a.maskManufacturerCode).toBe(9);
    expect(a.cnsVersion).toBe('1.1');
    expect(a.keyBits).toBe(2048);
    expect(a.extendedLength).toBe(true);
    expect(a.tckValid).toBe(true);
  });

  it('decodes the Athena CNS 1.0 cards: 1024-bit, short APDUs, Athena middleware', () => {
    const a = decodeAtr(fromHex('3B DF 18 00 81 31 FE 7D 00 6B 15 0C 01 81 01 11 01 43 4E 53 10 31 80 E8'));
    expect(a.isCns).toBe(true);
    expect(a.icManufacturer).toBe('Atmel');
    expect(a.maskManufacturer).toBe('Athena');
    expect(a.cnsVersion).toBe('1.0');
    expect(a.keyBits).toBe(1024);
    expect(a.extendedLength).toBe(false);
    expect(a.middleware).toMatch(/Athena/);
  });

  it('treats the IDEMIA 2021 card as 2048-bit although it says CNS 1.0', () => {
    const a = decodeAtr(fromHex('3B FF 18 00 00 81 31 FE 45 00 6B 05 05 91 20 01 F1 01 43 4E 53 10 31 80 38'));
    expect(a.keyBits).toBe(2048);
    expect(a.extendedLength).toBe(true);
    expect(a.generation).toMatch(/IDEMIA/);
  });

  it('has valid TCKs for every ATR in the card notes', () => {
    for (const h of [
      '3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC',
      '3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05',
      '3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 11 01 43 4E 53 10 31 80 69',
      '3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 11 01 43 4E 53 10 31 80 8F',
    ]) {
      expect(parseAtr(fromHex(h))?.tckValid).toBe(true);
      expect(decodeAtr(fromHex(h)).isCns).toBe(true);
    }
  });

  it('recognises the contactless TS-CNS by its known ATR', () => {
    const a = decodeAtr(fromHex('3B 8B 80 01 00 31 C1 64 08 92 33 54 00 90 00 F3'));
    expect(a.isCns).toBe(true);
    expect(a.contactless).toBe(true);
  });

  it('says "not a CNS" for other cards and for garbage', () => {
    expect(decodeAtr(fromHex('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A')).isCns).toBe(false);
    expect(decodeAtr(fromHex('3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 02 11 01 43 49 45 11 31 80 9A')).isCns).toBe(false);
    const g = decodeAtr(fromHex('12 34'));
    expect(g.isCns).toBe(false);
    expect(g.reason).toBe('malformed');
  });
});

describe('check digits', () => {
  it('Luhn', () => {
    expect(luhnValid('4539578763621486')).toBe(true);
    expect(luhnValid('4539578763621487')).toBe(false);
    expect(luhnCheckDigit('453957876362148')).toBe(6);
  });

  it('codice fiscale check character, with omocodia', () => {
    expect(codiceFiscaleCheckChar('RSSMRA80A01H501')).toBe('U');
    expect(checkCodiceFiscale('RSSMRA80A01H501U')).toBe('valid');
    expect(checkCodiceFiscale('RSSMRA80A01H501X')).toBe('bad-check-character');
    expect(checkCodiceFiscale('RSSMRA80A01H50')).toBe('malformed');
    const omo = `RSSMRA80A01H50M`;
    expect(checkCodiceFiscale(omo + codiceFiscaleCheckChar(omo))).toBe('valid');
  });
});

describe('EF_ID_Carta', () => {
  it('accepts 16 digits with a Luhn digit and names the card type', () => {
    expect(parseIdCarta(Buffer.from('4539578763621486'))).toMatchObject({ valid: true, type: 'unknown' });
    expect(parseIdCarta(Buffer.from('5000000000000009'))).toMatchObject({ valid: true, type: 'citizen-national' });
    expect(parseIdCarta(Buffer.from('5000000000000008'))).toMatchObject({ valid: false, problem: 'luhn' });
    expect(parseIdCarta(Buffer.from('12345'))).toMatchObject({ valid: false, problem: 'not-16-digits' });
  });
});

describe('EF_Dati_personali', () => {
  const example =
    '000065' +
    '046090' +
    '0801012024' +
    '0801012030' +
    '05ROSSI' +
    '05MARIO' +
    '0801011980' +
    '01M' +
    '00' +
    '10RSSMRA80A01H501U' +
    '00' +
    '04H501' +
    '00' +
    '00' +
    '04H501' +
    '00' +
    '00';

  it('parses the example from the card notes, all 16 fields, dates as ISO', () => {
    const d = parseDatiPersonali(Buffer.concat([Buffer.from(example), Buffer.alloc(400 - example.length)]));
    expect(d.fields.surname).toBe('ROSSI');
    expect(d.fields.givenName).toBe('MARIO');
    expect(d.fields.codiceFiscale).toBe('RSSMRA80A01H501U');
    expect(d.fields.birthMunicipality).toBe('H501');
    expect(d.fields.residenceMunicipality).toBe('H501');
    expect(d.issueDate).toBe('2024-01-01');
    expect(d.expiryDate).toBe('2030-01-01');
    expect(d.birthDate).toBe('1980-01-01');
    expect(Object.keys(d.fields)).toHaveLength(16);
    expect(d.problems).toEqual([]);
  });

  it('encodes the same bytes as the example', () => {
    expect(
      encodeDatiPersonali({
        issuerCode: '6090',
        issueDate: '01012024',
        expiryDate: '01012030',
        surname: 'ROSSI',
        givenName: 'MARIO',
        birthDate: '01011980',
        sex: 'M',
        codiceFiscale: 'RSSMRA80A01H501U',
        birthMunicipality: 'H501',
        residenceMunicipality: 'H501',
      }).toString(),
    ).toBe(example);
  });

  it('tolerates a header that does not count itself, and reports bad dates', () => {
    const body = example.slice(6).replace('01012030', '31022030');
    const d = parseDatiPersonali(Buffer.from(body.length.toString(16).padStart(6, '0') + body));
    expect(d.expiryDate).toBeNull();
    expect(d.problems.join()).toMatch(/expiryDate/);
    expect(() => parseDatiPersonali(Buffer.from('garbage'))).toThrow();
  });
});

describe('certificate helpers', () => {
  it('splits the CNS common name', () => {
    expect(parseCnsCommonName('RSSMRA80A01H501U/5000000000000009.9FUCcH3TsGwrd9g7Fg1MqKN+Xno=')).toEqual({
      codiceFiscale: 'RSSMRA80A01H501U',
      cardId: '5000000000000009',
      datiPersonaliHash: '9FUCcH3TsGwrd9g7Fg1MqKN+Xno=',
    });
    expect(parseCnsCommonName('Mario Rossi')).toBeUndefined();
  });

  it('classifies validity against a date and a warning window', () => {
    const nb = new Date('2020-01-01T00:00:00Z');
    const na = new Date('2023-12-30T22:59:59Z');
    expect(validity(nb, na, new Date('2023-06-01T00:00:00Z'), 30).state).toBe('valid');
    expect(validity(nb, na, new Date('2023-12-15T00:00:00Z'), 30).state).toBe('expiring');
    expect(validity(nb, na, new Date('2024-01-01T00:00:00Z'), 30).state).toBe('expired');
    expect(validity(nb, na, new Date('2019-01-01T00:00:00Z'), 30).state).toBe('not-yet-valid');
    expect(validity(nb, na, new Date('2023-12-20T22:59:59Z'), 30).daysLeft).toBe(10);
  });

  it('counts Italian calendar days (Europe/Rome, summer and winter time)', () => {
    expect(romeDate(new Date('2023-12-30T23:30:00Z'))).toBe('2023-12-31');
    expect(parseUserDate('2023-12-30', true)!.toISOString()).toBe('2023-12-30T22:59:59.000Z');
    expect(parseUserDate('2023-07-01')!.toISOString()).toBe('2023-06-30T22:00:00.000Z');
    expect(parseUserDate('2023-07-01T12:00:00Z')!.toISOString()).toBe('2023-07-01T12:00:00.000Z');
    expect(parseUserDate('2023-02-30')).toBeUndefined();
  });
});
