import { describe, expect, it } from 'vitest';
import type { ReaderState } from '../src/pcsc/client.js';
import { selectReader } from '../src/pcsc/select.js';

const CNS = Buffer.from('3BFF1800FF8131FE55006B02091617011101434E531131808D', 'hex');
const OTHER = Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex');

function reader(index: number, name: string, atr: Buffer | null): ReaderState {
  return { index, name, present: !!atr, atr, mute: false, inUse: false, exclusive: false };
}

const isCns = (atr: Buffer): boolean => atr.equals(CNS);

describe('reader selection', () => {
  const readers = [reader(0, 'ACS ACR39U 00 00', CNS), reader(1, 'Virtual PCD 00 00', null), reader(2, 'Virtual PCD 00 01', OTHER)];

  it('without --reader takes the only reader holding a CNS', () => {
    expect(selectReader(readers, undefined, isCns)).toMatchObject({ kind: 'ok', reader: { index: 0 } });
  });

  it('by exact name, unique substring in any case, or index', () => {
    expect(selectReader(readers, 'ACS ACR39U 00 00', isCns)).toMatchObject({ kind: 'ok', reader: { index: 0 } });
    expect(selectReader(readers, 'acr39', isCns)).toMatchObject({ kind: 'ok', reader: { index: 0 } });
    expect(selectReader(readers, '2', isCns)).toMatchObject({ kind: 'ok', reader: { index: 2 } });
    expect(selectReader(readers, 'virtual', isCns)).toMatchObject({ kind: 'ambiguous' });
    expect(selectReader(readers, 'gemalto', isCns)).toMatchObject({ kind: 'unknown-reader' });
    expect(selectReader(readers, '1', isCns)).toMatchObject({ kind: 'no-card', reader: { index: 1 } });
  });

  it('several CNS cards: ambiguous; no card: no-card; no reader: no-readers; only a foreign card: not-cns', () => {
    expect(selectReader([reader(0, 'a', CNS), reader(1, 'b', CNS)], undefined, isCns).kind).toBe('ambiguous');
    expect(selectReader([reader(0, 'a', null)], undefined, isCns).kind).toBe('no-card');
    expect(selectReader([], undefined, isCns).kind).toBe('no-readers');
    expect(selectReader([reader(0, 'a', OTHER)], undefined, isCns)).toMatchObject({ kind: 'not-cns', reader: { index: 0 } });
  });
});
