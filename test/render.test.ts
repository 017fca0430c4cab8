import { describe, expect, it } from 'vitest';
import { DatiPersonaliError } from '../src/card/efDatiPersonali.js';
import { CardError } from '../src/card/errors.js';
import { message } from '../src/cli/i18n.js';
import { toCliError } from '../src/cli/render.js';
import { PcscError } from '../src/pcsc/client.js';

const it_ = (k: Parameters<typeof message>[1], p?: Record<string, string | number>) => message('it', k, p);
const en = (k: Parameters<typeof message>[1], p?: Record<string, string | number>) => message('en', k, p);

describe('error details in the user language', () => {
  const cases: [string, unknown, RegExp, RegExp][] = [
    [
      'a card that does not answer on this interface',
      new PcscError('SCARD_E_TIMEOUT', 'unresponsive'),
      /la tessera non risponde \(SCARD_E_TIMEOUT\); .*prova l'altra/,
      /the card does not answer/,
    ],
    [
      'a file layout this card family does not have',
      new CardError('FILE_NOT_FOUND', 'file 1000/1003 not found'),
      /^struttura dei file non supportata: file 1000\/1003/,
      /^unsupported layout/,
    ],
    [
      'holder data that cannot be read',
      new DatiPersonaliError('length 99 beyond the file'),
      /^dati illeggibili: length 99/,
      /^unreadable data/,
    ],
  ];
  for (const [what, err, italian, english] of cases) {
    it(what, () => {
      const itErr = toCliError(err, it_);
      const enErr = toCliError(err, en);
      expect(itErr.code).toBe('CARD_UNSUPPORTED');
      expect(String(itErr.params.detail)).toMatch(italian);
      expect(String(itErr.params.detail)).not.toMatch(english);
      expect(String(enErr.params.detail)).toMatch(english);
    });
  }
});

describe('why the 2023 extension is not possible', () => {
  it('names the rules that say no, not an advisory one nor one not known either way', async () => {
    const { Context } = await import('../src/cli/context.js');
    const { notEligibleWhy } = await import('../src/cli/cardText.js');
    const ctx = new Context({ json: false, lang: 'it', color: false });
    const why = notEligibleWhy(ctx, {
      reasons: [
        { code: 'CARD_READABLE', ok: true, variant: 'ok' },
        { code: 'EXPIRY_BY_DEADLINE', ok: false, variant: 'no', params: { expiry: '2032-12-05', deadline: '2023-12-30' } },
        {
          code: 'EXPIRY_MATCHES_CARD',
          ok: false,
          advisory: true,
          variant: 'no',
          params: { card: '2031-01-01', certificate: '2032-12-05' },
        },
        { code: 'NOT_REVOKED', ok: null, variant: 'unknown' },
      ],
    });
    expect(why).toBe('scade il 05/12/2032, dopo il 30/12/2023');
  });
});
