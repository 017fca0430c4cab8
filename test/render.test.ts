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
