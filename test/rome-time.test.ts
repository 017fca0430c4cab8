import { describe, expect, it } from 'vitest';
import { icuRomeOffsetMs, romeDate, romeOffsetMs } from '../src/card/dates.js';

/** Italy's offset from the EU rule agrees with ICU's time-zone data, hour by hour around every change. */
describe('Europe/Rome without ICU', () => {
  it('agrees with ICU at every hour of the two days around each change, 1996-2060, and at random instants', () => {
    const bad: string[] = [];
    for (let year = 1996; year <= 2060; year++) {
      for (const month of [2, 9]) {
        const start = Date.UTC(year, month, 24);
        for (let h = 0; h < 8 * 24; h++) {
          const t = start + h * 3600_000 + (h % 2 ? 59 * 60_000 : 0);
          if (romeOffsetMs(t) !== icuRomeOffsetMs(t)) bad.push(new Date(t).toISOString());
        }
      }
    }
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20000; i++) {
      const t = Date.UTC(1996, 0, 1) + Math.floor(rand() * (Date.UTC(2060, 0, 1) - Date.UTC(1996, 0, 1)));
      if (romeOffsetMs(t) !== icuRomeOffsetMs(t)) bad.push(new Date(t).toISOString());
      const icuDay = new Intl.DateTimeFormat('en-CA', {
        timeZone: 'Europe/Rome',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(t);
      if (romeDate(new Date(t)) !== icuDay) bad.push(`day ${new Date(t).toISOString()}`);
    }
    expect(bad).toEqual([]);
  });

  it('the days people see: midnight in Rome, summer and winter', () => {
    expect(romeDate(new Date('2023-12-31T22:59:59Z'))).toBe('2023-12-31');
    expect(romeDate(new Date('2023-12-31T23:00:00Z'))).toBe('2024-01-01');
    expect(romeDate(new Date('2024-06-30T21:59:59Z'))).toBe('2024-06-30');
    expect(romeDate(new Date('2024-06-30T22:00:00Z'))).toBe('2024-07-01');
    expect(romeDate(new Date('1985-08-01T12:00:00Z'))).toBe('1985-08-01'); // before 1996: ICU
  });
});
