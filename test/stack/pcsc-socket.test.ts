import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWinscard } from '../../src/pcsc/winscard.js';
import { STACK_OK } from './stack.js';

// A call the service never answers is cut off by shutting the socket of its context (issue 27
// made telling that socket cheaper: src/pcsc/winscard.ts, descriptorsNow). Through the real
// pcscd: the socket told for a context is that context's own connection, and no other's.
describe.skipIf(!STACK_OK)('the socket of a PC/SC context (pcsc-lite), through pcscd', () => {
  it('is told for each new context, and shutting it ends that context only', async () => {
    const w = loadWinscard();
    const a = await w.establishContextWithin(3000);
    const b = w.establishContext();
    if (a === 'stuck') throw new Error('pcscd did not answer');
    expect(a.rv).toBe(0);
    expect(b.rv).toBe(0);
    expect(a.socket).toBeTypeOf('number');
    expect(b.socket).toBeTypeOf('number');
    expect(a.socket).not.toBe(b.socket);
    for (const fd of [a.socket!, b.socket!]) expect(readlinkSync(`/proc/self/fd/${fd}`)).toMatch(/^socket:/);
    try {
      expect((await w.listReaders(a.context)).rv).toBe(0);
      w.interrupt(a.socket!);
      // the cut context's calls fail at once; the other context still reaches the service
      expect((await w.listReaders(a.context)).rv).not.toBe(0);
      const still = await w.listReaders(b.context);
      expect(still.rv).toBe(0);
      expect(still.readers.length).toBeGreaterThan(0);
    } finally {
      w.releaseContext(b.context);
      w.releaseContext(a.context);
    }
  });
});
