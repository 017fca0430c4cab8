import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApduError, ApduTransportError, parseResponse } from '../src/apdu/response.js';
import { describeStatus } from '../src/apdu/status.js';
import { parseTlv } from '../src/apdu/tlv.js';
import { parseDatiPersonali } from '../src/card/efDatiPersonali.js';
import { CardError } from '../src/card/errors.js';
import { fromPem } from '../src/cert/pem.js';
import { parseCertificate } from '../src/cert/x509.js';
import { message, messageKey } from '../src/cli/i18n.js';
import { libraryDetail } from '../src/cli/render.js';
import { PcscError } from '../src/pcsc/client.js';
import { knownPcscCodes, pcscMessage } from '../src/pcsc/errors.js';
import { Pkcs11CallError, Pkcs11ModuleError } from '../src/pkcs11/client.js';

/**
 * What the card, PC/SC and a PKCS#11 module say reaches the user in their language: the lower
 * layers raise ids and facts, the catalogue has both languages for each.
 */
const it_ = (k: Parameters<typeof message>[1], p?: Record<string, string | number | undefined>) => message('it', k, p);
const en = (k: Parameters<typeof message>[1], p?: Record<string, string | number | undefined>) => message('en', k, p);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('status words, PC/SC codes and message ids are all in the catalogue', () => {
  it('every status word has a meaning in both languages', () => {
    const names = new Set<string>();
    for (let sw = 0; sw <= 0xffff; sw++) names.add(describeStatus(sw).name);
    const missing = [...names].filter((n) => !messageKey(`sw_${n}`));
    expect(missing).toEqual([]);
    expect(names.size).toBeGreaterThan(25);
  });

  it('every PC/SC return code has words in both languages', () => {
    const missing = knownPcscCodes().filter((rv) => !messageKey(`pcsc_${rv.toString(16).padStart(8, '0')}`));
    expect(missing).toEqual([]);
  });

  it('every message id a lower layer raises is a catalogue key', () => {
    const ids = new Set<string>();
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.includes('/cli/') && !p.includes('/commands/')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/said: \{ id: ['"](\w+)['"]|\{ id: ['"](\w+)['"](?:, facts|\s*\})/g))
            ids.add((m[1] ?? m[2])!);
          for (const m of readFileSync(p, 'utf8').matchAll(/id: ([a-z]+) \? '(\w+)' : '(\w+)'/g)) ids.add(m[2]!).add(m[3]!);
        }
      }
    };
    walk(join(__dirname, '..', 'src'));
    expect(ids.size).toBeGreaterThan(20);
    const missing = [...ids].filter((id) => id !== 'pcsc' && !messageKey(id));
    expect(missing).toEqual([]);
  });
});

describe('lower-layer errors in Italian', () => {
  const cases: [string, unknown, RegExp, RegExp][] = [
    ['a status word', new ApduError(0x6a82, 'SELECT'), /^SELECT: 6A82 file o applicazione non trovati$/, /file or application not found/],
    ['a dynamic status word', new ApduError(0x63c1, 'VERIFY'), /tentativi rimasti: 1/, /1 tries left/],
    [
      'a PC/SC return code',
      new PcscError(pcscMessage('SCardConnect', 0x8010000c), 'no-card', 0x8010000c, 'SCardConnect'),
      /^SCardConnect: nessuna carta nel lettore \(0x8010000c\)$/,
      /no card in the reader/,
    ],
    [
      'a module that crashed',
      new Pkcs11ModuleError('the PKCS#11 module /x.so crashed (killed by SIGSEGV)', 'crash', { module: '/x.so', signal: 'SIGSEGV' }),
      /^\/x\.so è andato in crash \(segnale SIGSEGV\)$/,
      /crashed/,
    ],
    [
      'a module that hung',
      new Pkcs11ModuleError('...', 'timeout', { module: '/x.so', op: 'slots', seconds: 20 }),
      /non ha risposto \(slots\) entro 20 s/,
      /did not answer/,
    ],
    [
      'a module that would not load, with its own words kept apart',
      new Pkcs11ModuleError('...', 'load', { module: '/x.so', said: 'dlopen: no such file\n\x1b[31m' }),
      /^impossibile caricare \/x\.so; messaggio del modulo: "dlopen: no such file \[31m"$/,
      /cannot load/,
    ],
    [
      'a CKR code',
      new Pkcs11CallError('CKR_DEVICE_ERROR', 'Error: CKR_DEVICE_ERROR'),
      /il modulo ha risposto CKR_DEVICE_ERROR/,
      /answered/,
    ],
    ['an answer without status word', thrown(() => parseResponse(Buffer.from([0x90]))), /più corta dei due byte/, /shorter/],
    [
      'a card refusal with its status word',
      new CardError('CARD_ERROR', 'UPDATE BINARY failed', { sw: 0x6581, said: { id: 'cFailed', facts: { operation: 'UPDATE BINARY' } } }),
      /^UPDATE BINARY non riuscito \(SW 6581: guasto della memoria\)$/,
      /failed/,
    ],
    ['malformed holder data', thrown(() => parseDatiPersonali(Buffer.from('zz'))), /EF_Dati_personali non inizia/, /does not start/],
    ['malformed TLV', thrown(() => parseTlv(Buffer.from([0x62, 0x05, 0x01]))), /^dati TLV malformati$/, /malformed TLV/],
    [
      'not a certificate',
      thrown(() => parseCertificate(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))),
      /certificato X\.509/,
      /not an X\.509/,
    ],
    ['no PEM block', thrown(() => fromPem('hello')), /nessun blocco PEM CERTIFICATE trovato/, /no CERTIFICATE PEM block/],
  ];
  for (const [what, err, italian, english] of cases) {
    it(what, () => {
      const itText = libraryDetail(err, it_);
      expect(itText).toMatch(italian);
      expect(itText).not.toMatch(english);
      expect(libraryDetail(err, en)).toMatch(english);
    });
  }

  it('a transport error keeps its English message for logs', () => {
    const e = new ApduTransportError('the card left the reader', 'removed', { id: 'tLeft' });
    expect(e.message).toBe('the card left the reader');
    expect(libraryDetail(e, it_)).toBe('la carta è uscita dal lettore');
  });
});
