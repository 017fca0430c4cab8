import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAtr } from '../src/card/atr.js';

/**
 * Every ATR of pcsc-tools' smartcard_list.txt (Debian package pcsc-tools) whose description names
 * a CNS, a Carta Nazionale / Regionale / Provinciale dei Servizi or a TS-CNS, classified by the
 * tool: a CNS by its ATR, or one whose files must tell (read-only probing) - never dismissed.
 */
const LIST = '/usr/share/pcsc/smartcard_list.txt';
const NAMES = /\bCNS\b|Carta (Nazionale|Regionale|Provinciale) dei Servizi|TS-CNS|National Service Card/i;

function cnsEntries(text: string): { atr: string; description: string }[] {
  const out: { atr: string; description: string }[] = [];
  let atr: string | null = null;
  let lines: string[] = [];
  const flush = (): void => {
    const description = lines.join(' / ');
    if (atr && NAMES.test(description)) out.push({ atr, description });
  };
  for (const line of text.split('\n')) {
    if (/^3[BF]( [0-9A-F.]{2})+\s*$/i.test(line)) {
      flush();
      atr = line.trim();
      lines = [];
    } else if (line.startsWith('\t')) lines.push(line.trim());
    else if (!line.trim()) {
      flush();
      atr = null;
      lines = [];
    }
  }
  flush();
  return out;
}

describe.skipIf(!existsSync(LIST) && !process.env.CI)("pcsc-tools' smartcard_list.txt: every CNS it names", () => {
  it('is recognised by its ATR or probed by its files, never dismissed; each conclusion printed', () => {
    const entries = cnsEntries(readFileSync(LIST, 'utf8'));
    expect(entries.length).toBeGreaterThan(20);
    const rows = entries.map((e) => {
      // a pattern entry (".." for any byte) stands for a family: its first member
      const hex = e.atr.replace(/\.\./g, '00').replace(/\s/g, '');
      const info = decodeAtr(Buffer.from(hex, 'hex'));
      const verdict = info.isCns
        ? `CNS by ATR${info.contactless ? ' (NFC)' : ''}`
        : info.probe
          ? 'files decide'
          : `not a CNS (${info.reason})`;
      return { atr: e.atr, verdict, info, description: e.description.slice(0, 70) };
    });
    console.log(rows.map((r) => `${r.verdict.padEnd(22)} ${r.atr}  ${r.description}`).join('\n'));
    // nothing a list calls CNS is dismissed outright
    expect(rows.filter((r) => !r.info.isCns && !r.info.probe).map((r) => `${r.atr} ${r.verdict}`)).toEqual([]);
    // the CNS-tagged ones by their ATR, with OpenSC's size and extended-length rules
    const tagged = rows.filter((r) => /43 4E 53/.test(r.atr));
    expect(tagged.length).toBeGreaterThan(15);
    expect(tagged.every((r) => r.info.isCns && r.info.identifiedBy === 'atr')).toBe(true);
    const hpc = rows.find((r) => /48 50 43/.test(r.atr));
    expect(hpc?.verdict).toBe('files decide');
    const nfc = rows.filter((r) => /^3B 8. 80 01/.test(r.atr));
    expect(nfc.length).toBeGreaterThan(1);
    expect(nfc.every((r) => r.info.contactless)).toBe(true);
  });
});

describe('ATR rules as wide as OpenSC card-itacns.c', () => {
  const info = (hex: string) => decodeAtr(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
  it('the CIE by its nine historical bytes (02 ITID 20 20 31 80) or the CIE 1.0 ATR: never probed into a CNS', () => {
    const cie2 = info('3B 8F 80 01 80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00 67');
    expect(cie2.probe).toBe(true); // a contactless CIE pseudo-ATR says nothing: its files decide (it has no EF_ID_Carta)
    const h = Buffer.from([0x00, 0x6b, 0x05, 0x05, 0x01, 0x00, 0x02, 0x49, 0x54, 0x49, 0x44, 0x20, 0x20, 0x31, 0x80]);
    const body = Buffer.concat([Buffer.from([0x3b, 0xff, 0x18, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x55]), h]);
    let x = 0;
    for (const b of body.subarray(1)) x ^= b;
    const cie = decodeAtr(Buffer.concat([body, Buffer.from([x])]));
    expect(cie).toMatchObject({ isCns: false, reason: 'cie', probe: false });
    expect(info('3B F4 18 00 FF 81 31 80 55 00 31 80 00 C7')).toMatchObject({ isCns: false, reason: 'cie', probe: false });
  });

  it('IDEMIA 2021 by firmware major >= 32 on an Infineon IC: 2048 bits and extended length, also for a newer firmware', () => {
    // the listed ID-One Cosmo 9.1 card, and the same with firmware A0 22 (a newer one)
    expect(info('3B FF 18 00 00 81 31 FE 45 00 6B 05 05 91 20 01 F1 01 43 4E 53 10 31 80 38')).toMatchObject({
      generation: 'ID 2021 (IDEMIA)',
      keyBits: 2048,
      extendedLength: true,
    });
    const newer = Buffer.from('3BFF1800008131FE45006B0505A02201F101434E531031 80'.replace(/\s/g, ''), 'hex');
    let x = 0;
    for (const b of newer.subarray(1)) x ^= b;
    // not in the list: the family from the mask, no year the ATR does not say
    expect(decodeAtr(Buffer.concat([newer, Buffer.from([x])]))).toMatchObject({
      generation: 'ID (IDEMIA, 2048-bit)',
      layoutHint: 'idemia2021',
      keyBits: 2048,
      extendedLength: true,
    });
    // an Oberthur card (NXP IC, same mask) with CNS 1.0 stays 1024 bits
    expect(info('3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 11 01 43 4E 53 10 31 80 69')).toMatchObject({
      keyBits: 1024,
      extendedLength: false,
    });
  });

  it("IDEMIA's contactless TS-CNS by OpenSC's masked ATR; other pseudo-ATRs are probed", () => {
    expect(info('3B 8B 80 01 00 31 C1 64 08 92 33 54 00 90 00 F3')).toMatchObject({ isCns: true, contactless: true, keyBits: 2048 });
    expect(info('3B 88 80 01 00 00 00 00 03 81 91 00 1A')).toMatchObject({ isCns: false, contactless: true, probe: true });
  });
});
