import { describe, expect, it } from 'vitest';
import { atrMatches, OPENSC_CNS_ATRS, parseRegQuery, type RegRun, storeStatus } from '../src/browser/minidriver.js';
import { ARUBA_CNS, MINIDRIVER, REG, ST_2021_TS_CNS } from './regFixture.js';

/** Issue 25 item 3: Chrome and Edge on Windows reach the card through a minidriver registered for its ATR. */

const noReg: RegRun = () => ({ status: null, stdout: '', error: Object.assign(new Error('spawn'), { code: 'ENOENT' }) });

describe('Chrome and Edge on Windows: the card’s minidriver in the smart-card database', () => {
  const reg =
    (stdout: string, status = 0): RegRun =>
    (file, args) => {
      expect(file).toBe('C:\\Windows\\System32\\reg.exe');
      expect(args).toEqual(['query', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards', '/s']);
      return { status, stdout };
    };

  it('reads reg’s answer card by card: name, ATR, mask, minidriver', () => {
    const cards = parseRegQuery(REG)!;
    expect(cards.map((c) => c.name)).toEqual(['Identity Device (Microsoft Generic Profile)', ...OPENSC_CNS_ATRS.map((k) => k.name)]);
    expect(cards[4]).toMatchObject({ name: 'Italian CNS (d)', minidriver: MINIDRIVER, installedBy: 'OpenSC' });
    expect(cards[4]!.atr.toString('hex').toUpperCase()).toBe(ARUBA_CNS);
  });

  it('reads Wine’s reg too (measured: no line for the queried key itself, CRLF)', () => {
    const wine =
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\Test TS-CNS ST 2021\r\n' +
      '    80000001    REG_SZ    C:\\Program Files\\Vendor\\vendor-md.dll\r\n' +
      `    ATR    REG_BINARY    ${ST_2021_TS_CNS}\r\n` +
      `    ATRMask    REG_BINARY    ${'FF'.repeat(25)}\r\n\r\n`;
    expect(parseRegQuery(wine)).toEqual([
      {
        name: 'Test TS-CNS ST 2021',
        atr: Buffer.from(ST_2021_TS_CNS, 'hex'),
        mask: Buffer.alloc(25, 0xff),
        minidriver: 'C:\\Program Files\\Vendor\\vendor-md.dll',
        installedBy: null,
      },
    ]);
  });

  it('strictly: a line of another shape, another key or an ATR that is not hex make the answer unreadable', () => {
    expect(parseRegQuery(`${REG}\r\nERROR: Access is denied.\r\n`)).toBeNull();
    expect(parseRegQuery(REG.replace('SmartCards\\Italian CNS (a)', 'Readers\\Italian CNS (a)'))).toBeNull();
    expect(parseRegQuery(REG.replace(`ATR    REG_BINARY    ${ARUBA_CNS}`, 'ATR    REG_BINARY    3BFZ'))).toBeNull();
    expect(parseRegQuery('')).toEqual([]);
  });

  it('matches the ATR as Windows does: same length, equal under the mask', () => {
    const generic = parseRegQuery(REG)![0]!;
    expect(atrMatches(Buffer.from('3B8D0180FBA000000397425446590301AA', 'hex'), generic)).toBe(true);
    expect(atrMatches(Buffer.from('3B8D0180FBA000000397425446590302C8', 'hex'), generic)).toBe(false);
    expect(atrMatches(Buffer.from('3B8D0180FBA000000397425446590301', 'hex'), generic)).toBe(false);
  });

  it('registered (and whether its DLL is there), not registered (what to install), no card, unreadable', () => {
    const present = storeStatus(ARUBA_CNS, { env: {}, run: reg(REG), exists: (p) => p === MINIDRIVER });
    expect(present).toEqual({ state: 'registered', name: 'Italian CNS (d)', minidriver: MINIDRIVER, present: true });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: reg(REG), exists: () => false })).toMatchObject({ present: false });
    // OpenSC not installed: its installer registers this ATR; the ST 2021 TS-CNS needs its maker's minidriver
    expect(storeStatus(ARUBA_CNS, { env: {}, run: reg('', 1) })).toEqual({ state: 'not-registered', remedy: 'opensc' });
    // Wine's reg says the key is missing on stdout (measured under Wine 8 with Wine 10's winscard)
    const wine = reg('reg: Unable to find the specified registry key\r\n', 1);
    expect(storeStatus(ARUBA_CNS, { env: {}, run: wine })).toEqual({ state: 'not-registered', remedy: 'opensc' });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: reg(REG, 1) })).toEqual({ state: 'unknown', fault: 'failed' });
    expect(storeStatus(ST_2021_TS_CNS, { env: {}, run: reg(REG) })).toEqual({ state: 'not-registered', remedy: 'vendor' });
    expect(storeStatus(undefined, { env: {}, run: reg(REG) })).toEqual({ state: 'no-card' });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: reg('garbage') })).toEqual({ state: 'unknown', fault: 'unreadable' });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: noReg })).toEqual({ state: 'unknown', fault: 'no-reg' });
    const timedOut: RegRun = () => ({ status: null, stdout: '', error: Object.assign(new Error('t'), { code: 'ETIMEDOUT' }) });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: timedOut })).toEqual({ state: 'unknown', fault: 'timeout' });
    expect(storeStatus(ARUBA_CNS, { env: {}, run: reg('', 5) })).toEqual({ state: 'unknown', fault: 'failed' });
  });
});
