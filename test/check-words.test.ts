import { describe, expect, it } from 'vitest';
import { checkText } from '../src/cli/cardText.js';
import { Context } from '../src/cli/context.js';
import type { Check } from '../src/report/report.js';
import { englishIn } from './english.js';

/** A card report's data checks hold data only (issue 26: no text for people in the library); the CLI words them. */
describe("a report's data checks: values in the library, words in each language in the CLI", () => {
  const checks: Check[] = [
    { code: 'CARD_ID_LUHN', status: 'pass', values: { id: '1234567890123452' } },
    { code: 'CARD_ID_LUHN', status: 'fail', values: { id: '1234567890123456', problem: 'luhn' } },
    { code: 'CF_CHECK_CHARACTER', status: 'fail', values: { result: 'bad-check-character' } },
    { code: 'CF_DATA_MATCH', status: 'warn', values: { cf: 'M 1980-01-01 H501', data: 'M 1980-01-02 H501' } },
    { code: 'CERT_CN_PATTERN', status: 'pass', values: { value: 'CF/ID.SHA-1' } },
    { code: 'CF_MATCH', status: 'pass', values: { certificate: 'RSSMRA80A01H501U', card: 'RSSMRA80A01H501U' } },
  ];

  it('no check carries a sentence', () => {
    for (const c of checks) expect(Object.keys(c)).toEqual(['code', 'status', 'values']);
  });

  it('each is said in English and in Italian, with no English left in the Italian', () => {
    const en = new Context({ lang: 'en' }, {});
    const it_ = new Context({ lang: 'it' }, {});
    const data = ['1234567890123452', '1234567890123456', 'RSSMRA80A01H501U', 'CF/ID.SHA-1', 'H501'];
    for (const c of checks) {
      const [e, i] = [checkText(en, c), checkText(it_, c)];
      expect(e.length).toBeGreaterThan(0);
      expect(englishIn(i, data)).toEqual([]);
    }
    expect(checkText(en, checks[0]!)).toBe('1234567890123452');
    expect(checkText(en, { code: 'NEW_CHECK', status: 'skip', values: {} })).toBe('NEW_CHECK');
  });
});
