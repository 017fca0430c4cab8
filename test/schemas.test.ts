import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startService } from './extension-helpers.js';
import { cns, tempDir } from './helpers.js';
import { schemaErrors } from './schema.js';

let dir: string;
let img: string;

beforeAll(async () => {
  dir = tempDir('cns-schema-');
  img = join(dir, 'card.json');
  const r = await cns(['sim', 'create', img, '--json', '--not-before', '2018-01-01', '--not-after', '2023-12-30']);
  expect(schemaErrors('sim-create', r.json)).toEqual([]);
});

const sim = (): string[] => ['--reader', `sim:${img}`, '--json'];

describe('every --json output matches its schema (schemas/)', () => {
  it('status, cert show/export/check, pin, doctor, extend --check, errors', async () => {
    const env = { XDG_STATE_HOME: dir };
    expect(schemaErrors('status', (await cns(['status', ...sim()], { env })).json)).toEqual([]);
    expect(schemaErrors('cert-show', (await cns(['cert', 'show', ...sim()])).json)).toEqual([]);
    expect(schemaErrors('cert-export', (await cns(['cert', 'export', ...sim(), '--out', join(dir, 'c.pem')])).json)).toEqual([]);
    const check = await cns(['cert', 'check', ...sim()]);
    expect(check.code).toBe(8);
    expect(schemaErrors('error', check.json)).toEqual([]);
    for (const [op, input] of [
      ['verify', '12345\n'],
      ['change', '12345\n58213\n'],
      ['unblock', '12345678\n12345\n'],
    ] as const) {
      // back to 12345 (an easy PIN: --allow-weak) for what follows
      const r = await cns(['pin', op, ...sim(), '--stdin', ...(op === 'unblock' ? ['--allow-weak'] : [])], { input });
      expect(r.code, op).toBe(0);
      expect(schemaErrors('pin', r.json)).toEqual([]);
    }
    expect(schemaErrors('pin', (await cns(['pin', 'verify', ...sim(), '--stdin', '--sign-test'], { input: '12345\n' })).json)).toEqual([]);
    const wrong = await cns(['pin', 'verify', ...sim(), '--stdin'], { input: '11111\n' });
    expect(schemaErrors('error', wrong.json)).toEqual([]);
    const doctor = await cns(['doctor', ...sim(), '--report', join(dir, 'ticket.json')], { env });
    expect(schemaErrors('doctor', doctor.json)).toEqual([]);
    expect(schemaErrors('doctor-report', JSON.parse(readFileSync(join(dir, 'ticket.json'), 'utf8')))).toEqual([]);
    expect(schemaErrors('extend-check', (await cns(['extend', '--check', ...sim(), '--at', '2023-11-15'], { env })).json)).toEqual([]);
    const usage = await cns(['status', '--bogus', '--json']);
    expect(schemaErrors('error', usage.json)).toEqual([]);
  });

  it('extend', async () => {
    const service = await startService(['--now', '2023-11-15']);
    try {
      const r = await cns(['extend', ...sim(), '--at', '2023-11-15', '--service', service.url, '--yes', '--stdin'], {
        input: '12345\n12345678\n',
        env: { XDG_STATE_HOME: dir },
      });
      expect(r.code, r.stdout).toBe(0);
      expect(schemaErrors('extend', r.json)).toEqual([]);
    } finally {
      await service.stop();
    }
  });

  it('a schema that fails for a wrong document (the validator is really checking)', () => {
    expect(schemaErrors('status', { schemaVersion: 1, ok: true })).not.toEqual([]);
    expect(schemaErrors('error', { schemaVersion: 1, ok: false, error: { code: 'x', message: '', exitCode: 0 } }).length).toBeGreaterThan(
      0,
    );
  });
});
