import { describe, expect, it } from 'vitest';
import { LATE, onTime } from '../src/util/deadlines.js';

// Issue 27: every PC/SC deadline shares one timer (src/util/deadlines.ts). What a stuck card or
// service relies on: each call gets its own deadline, whatever the others' are.
const answerIn = <T>(ms: number, v: T): Promise<T> => new Promise((r) => setTimeout(() => r(v), ms));
const since = (t0: number): number => performance.now() - t0;

describe('onTime: deadlines on one timer', () => {
  it('gives the value of a call that answers in time, and LATE for one that does not', async () => {
    expect(await onTime(answerIn(5, 'answer'), 500)).toBe('answer');
    const t0 = performance.now();
    expect(await onTime(new Promise(() => {}), 30)).toBe(LATE);
    expect(since(t0)).toBeGreaterThanOrEqual(25);
    expect(since(t0)).toBeLessThan(400);
  });

  it('passes a rejection on, and a call that settles after its deadline changes nothing', async () => {
    await expect(onTime(Promise.reject(new Error('card gone')), 500)).rejects.toThrow('card gone');
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 60));
    expect(await onTime(late, 10)).toBe(LATE);
    // the rejection after LATE is handled inside onTime: no unhandled rejection fails the run
    await answerIn(80, null);
  });

  it('a shorter deadline armed after a longer one still fires on time, and each call keeps its own', async () => {
    const t0 = performance.now();
    const never = new Promise<string>(() => {});
    const long = onTime(never, 2000);
    const short = onTime(never, 40);
    const answered = onTime(answerIn(60, 'ok'), 1000);
    expect(await short).toBe(LATE);
    expect(since(t0)).toBeLessThan(1000);
    expect(await answered).toBe('ok');
    // the long one is still waiting: it has not been called late with the short one
    expect(await Promise.race([long, answerIn(100, 'still waiting')])).toBe('still waiting');
  });

  it('many calls in a row that each answer in time all get their value', async () => {
    for (let i = 0; i < 200; i++) expect(await onTime(Promise.resolve(i), 1000)).toBe(i);
  });
});
