import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiReport, REPORT } from '../scripts/api-report.mjs';

/** Issue 26 item 5: the semver promise. What `import ... from 'cns'` gives is listed in etc/cns.api.md. */
describe('the public API and its report', () => {
  it('etc/cns.api.md is what src/api/index.ts exports (node scripts/api-report.mjs to update it, on purpose)', () => {
    const now = apiReport();
    const committed = readFileSync(REPORT, 'utf8');
    const names = (t: string) => [...t.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    // a name gone is a major version: said by name before anything else
    expect(names(committed).filter((n) => !names(now).includes(n))).toEqual([]);
    expect(now).toBe(committed);
  }, 60_000);

  it('lists what an integrator needs: the card, readers, PIN operations, errors with codes', () => {
    const committed = readFileSync(REPORT, 'utf8');
    for (const name of [
      'openCard',
      'withCard',
      'listReaders',
      'watchReaders',
      'readReport',
      'verifyPin',
      'changePin',
      'unblockPin',
      'CnsError',
      'toCnsError',
      'EXIT_FOR',
    ])
      expect(committed).toContain(`## ${name}\n`);
  });
});
