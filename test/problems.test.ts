import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from './helpers.js';
import { schemaErrors } from './schema.js';

describe('status --json problems', () => {
  it('name a blocked PIN, a blocked PUK and an expired certificate (schema: what problems holds)', async () => {
    const dir = tempDir('cns-problems-');
    const img = join(dir, 'card.json');
    expect(
      (
        await cns([
          'sim',
          'create',
          img,
          '--not-before',
          '2018-01-01',
          '--not-after',
          '2024-05-31',
          '--pin-tries-left',
          '0',
          '--puk-tries-left',
          '0',
        ])
      ).code,
    ).toBe(0);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.problems.map((p: { code: string }) => p.code)).toEqual(['PIN_BLOCKED', 'PUK_BLOCKED', 'CERT_EXPIRED']);
    expect(s.json.problems[2].params).toEqual({ date: '2024-05-31' });
    expect(schemaErrors('status', s.json)).toEqual([]);
    const it = await cns(['status', '--reader', `sim:${img}`, '--lang', 'it']);
    expect(it.stdout).toMatch(/✗ il certificato è scaduto il 31\/05\/2024/);
    // a healthy card has none
    const ok = join(dir, 'ok.json');
    expect((await cns(['sim', 'create', ok])).code).toBe(0);
    expect((await cns(['status', '--reader', `sim:${ok}`, '--json'])).json.problems).toEqual([]);
  });
});
