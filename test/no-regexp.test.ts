import { describe, expect, it } from 'vitest';
import { isContactlessPseudoAtr } from '../src/card/atr.js';
import { checkCodiceFiscale, luhnCheckDigit, luhnValid } from '../src/card/checks.js';
import { parseIdCarta } from '../src/card/efIdCarta.js';
import { parseCnsCommonName } from '../src/cert/cnsSubject.js';
import { catalogueEntries, detectLang, fillTemplate, humanDay, message, messageKey } from '../src/cli/i18n.js';
import { hexPairs, isDigits, isHexDigits, isIsoDay, printable, replaceIsoDays } from '../src/util/text.js';

/**
 * Issue 27: the checks a command runs on its way were regular expressions, each compiled at its
 * first use (~30 µs). They are written out now; here each is held to the regular expression it
 * replaces, on the inputs that matter and on random ones.
 */

/** A deterministic generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const strings = (alphabet: string, n: number, maxLen: number, seed = 27): string[] => {
  const r = random(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(r() * (maxLen + 1)) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''),
  );
};

describe('written-out checks, held to the regular expressions they replace', () => {
  it('printable: every UTF-16 code unit', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the reference
    const re = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
    for (let c = 0; c < 0x10000; c++) {
      const s = `a${String.fromCharCode(c)}b${String.fromCharCode(c)}`;
      if (printable(s) !== s.replace(re, '')) throw new Error(`printable differs at U+${c.toString(16)}`);
    }
  });

  it('digits and hexadecimal digits: every code unit, lengths around the bounds', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect([isDigits(`1${ch}`, 2, 2), isHexDigits(`a${ch}`, 2)], `U+${c.toString(16)}`).toEqual([
        /^\d{2}$/.test(`1${ch}`),
        /^[0-9A-Fa-f]{2}$/.test(`a${ch}`),
      ]);
    }
    for (const s of strings('0123456789aF x', 3000, 18)) {
      expect(isDigits(s), s).toBe(/^\d+$/.test(s));
      expect(isDigits(s, 1, 5), s).toBe(/^\d{1,5}$/.test(s));
      expect(isDigits(s, 16, 16), s).toBe(/^\d{16}$/.test(s));
      expect(isHexDigits(s, 6), s).toBe(/^[0-9A-Fa-f]{6}$/.test(s));
    }
  });

  it('hex in pairs', () => {
    for (const s of strings('0123456789ABCDEF', 500, 9, 9)) expect(hexPairs(s), s).toBe(s.replace(/(..)(?!$)/g, '$1 '));
  });

  it('days: YYYY-MM-DD alone, and as a word of its own inside a text', () => {
    for (const s of strings('0123456789-_ aZ', 4000, 24)) {
      expect(isIsoDay(s), s).toBe(/^\d{4}-\d{2}-\d{2}$/.test(s));
      expect(
        replaceIsoDays(s, (d) => `<${d}>`),
        s,
      ).toBe(s.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => `<${d}>`));
    }
    for (const s of ['M 1980-01-01 H501', 'x1980-01-01', '1980-01-01_', '2023-12-30 e 2024-01-01', '12023-12-301']) {
      expect(
        replaceIsoDays(s, (d) => `<${d}>`),
        s,
      ).toBe(s.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => `<${d}>`));
    }
    expect(humanDay('it', '2023-12-30')).toBe('30/12/2023');
    expect(humanDay('en', '2023-12-30')).toBe('30 December 2023');
    expect(humanDay('en', '2023-1-30')).toBe('2023-1-30');
  });

  it('the locale: Italian exactly where /^it([_.@-]|$)/i said so', () => {
    for (const loc of [...strings('itIT_.@-xUF8 ', 3000, 8), 'it', 'IT', 'it_IT.UTF-8', 'it@euro', 'italian', 'en_US', '']) {
      expect(detectLang({ LANG: loc }), loc).toBe(/^it([_.@-]|$)/i.test(loc) ? 'it' : 'en');
    }
  });

  it('a contactless pseudo-ATR, a card id, a Luhn string, a codice fiscale, a CNS common name', () => {
    for (const s of [...strings('3B80A1F9', 3000, 10, 5), '3B8F8001', '3B8G8001', '3b8f8001', '3B8F80018F']) {
      expect(isContactlessPseudoAtr(s), s).toBe(/^3B8[0-9A-F]8001/.test(s));
    }
    for (const s of strings('0123456789 \u00ff\u0000\t\u00a0x', 3000, 20, 7)) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the reference
      const text = s.replace(/[\x00\xff\s]+$/g, '');
      const r = parseIdCarta(Buffer.from(s, 'latin1'));
      expect(r.problem === 'not-16-digits', JSON.stringify(s)).toBe(!/^\d{16}$/.test(text));
      expect(luhnValid(s), s).toBe(/^\d+$/.test(s) && luhnCheckDigit(s.slice(0, -1)) === Number(s[s.length - 1]));
    }
    const cfShape = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
    const r = random(16);
    const near = (cf: string) =>
      Array.from({ length: 400 }, () => {
        const i = Math.floor(r() * 16);
        return cf.slice(0, i) + 'A0L9Zaé/M'[Math.floor(r() * 9)] + cf.slice(i + 1);
      });
    for (const s of [...near('RSSMRA80A01H501U'), ...near('RSSMRALPALMHLMQU'), ...strings('AL0M9Z', 2000, 17, 3)]) {
      expect(checkCodiceFiscale(s) === 'malformed', s).toBe(!cfShape.test(s));
    }
    const cn = /^([A-Z0-9]{16})\/(\d{16})\.([A-Za-z0-9+/=]+)$/;
    const good = 'RSSMRA80A01H501U/5875142572992148.2rj2LFrwZRaABN7KVDq3ziyjnG0=';
    for (const s of [
      good,
      ` ${good} `,
      `${good}.`,
      good.replace('/', '.'),
      good.slice(0, 34),
      ...near(good.slice(0, 16)).map((c) => c + good.slice(16)),
    ]) {
      const m = cn.exec(s.trim());
      expect(parseCnsCommonName(s), s).toEqual(m ? { codiceFiscale: m[1], cardId: m[2], datiPersonaliHash: m[3] } : undefined);
    }
  });
});

/** The three passes message() made with regular expressions, as they were. */
function reference(text: string, params: Record<string, string | number>, ref: (k: string) => string): string {
  let tpl = text;
  for (let depth = 0; depth < 4 && tpl.includes('{@'); depth++) tpl = tpl.replace(/\{@(\w+)\}/g, (_, k: string) => ref(k));
  tpl = tpl.replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (_, k: string, one: string, other: string) =>
    Number(params[k]) === 1 ? one : other,
  );
  return tpl.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? '' : String(params[k])));
}

describe('message placeholders, written out', () => {
  it('fill every entry of the catalogue as the regular expressions did, in both languages', () => {
    const all = new Map(catalogueEntries());
    let checked = 0;
    for (const [key, texts] of all) {
      for (const lang of ['en', 'it'] as const) {
        const names = [...new Set([...texts[lang].matchAll(/\{(\w+)/g)].map((m) => m[1]!))];
        for (const n of [1, 2, '{x} <b>']) {
          const params = Object.fromEntries(names.map((k) => [k, n]));
          const ref = (k: string) => all.get(k as never)![lang];
          expect(message(lang, key, params), `${key} ${lang} ${n}`).toBe(reference(texts[lang], params, ref));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
    expect(messageKey('tries')).toBe('tries');
  });

  it('fill random texts of braces, bars and names as the regular expressions did', () => {
    const refs: Record<string, string> = { a: 'A{n|1|N}', b: '{@a}!', n: '{n}' };
    const params = { n: 1, a: 'x', b: 2 };
    for (const s of strings('{}|@anb1 _', 6000, 16, 11)) {
      expect(
        fillTemplate(s, params, (k) => refs[k] ?? `?${k}`),
        s,
      ).toBe(reference(s, params, (k) => refs[k] ?? `?${k}`));
    }
  });
});
