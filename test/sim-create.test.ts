import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { codiceFiscaleCheckChar, decodeCodiceFiscale } from '../src/card/checks.js';
import { cns, tempDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('cns-create-');
});

describe('cns sim create', () => {
  it('derives sex, birth date and birth place from the codice fiscale, and the checks agree', async () => {
    const img = join(dir, 'giulia.json');
    expect(
      (await cns(['sim', 'create', img, '--codice-fiscale', 'BNCGLI85M41F205B', '--surname', 'BIANCHI', '--given-name', 'GIULIA'])).code,
    ).toBe(0);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.holder).toMatchObject({ sex: 'F', birthDate: '1985-08-01', birthMunicipality: 'F205' });
    expect(s.json.checks).toContainEqual(expect.objectContaining({ code: 'CF_DATA_MATCH', status: 'pass' }));
  });

  it('a card whose data disagree with its codice fiscale is flagged', async () => {
    const img = join(dir, 'mixed.json');
    expect((await cns(['sim', 'create', img, '--codice-fiscale', 'BNCGLI85M41F205B'])).code).toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8')) as { files: { path: string; data?: string }[] };
    const f = j.files.find((x) => x.path === '3F00/1100/1102')!;
    const text = Buffer.from(f.data!, 'hex').toString('latin1').replace('01F00', '01M00'); // sex F -> M, same length
    f.data = Buffer.from(text, 'latin1').toString('hex');
    writeFileSync(img, JSON.stringify(j));
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.checks).toContainEqual(expect.objectContaining({ code: 'CF_DATA_MATCH', status: 'warn' }));
  });

  it('makes cards with a blocked PIN or PUK for training (--pin-tries-left, --puk-tries-left)', async () => {
    const img = join(dir, 'blocked.json');
    expect((await cns(['sim', 'create', img, '--pin-tries-left', '0', '--puk-tries-left', '0'])).code).toBe(0);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.pin).toMatchObject({ triesLeft: 0, blocked: true });
    expect(s.json.puk).toMatchObject({ triesLeft: 0, blocked: true });
    const bad = await cns(['sim', 'create', join(dir, 'x.json'), '--pin-tries-left', '4', '--json']);
    expect(bad.code).toBe(2);
  });

  it('reads omocodia and the century from the codice fiscale', () => {
    const omocodic = 'RSSMRA80A01H50M'; // the last digit 1 written as M
    expect(decodeCodiceFiscale(omocodic + codiceFiscaleCheckChar(omocodic), new Date('2026-01-01'))).toEqual({
      sex: 'M',
      birthDate: '1980-01-01',
      birthPlace: 'H501',
    });
    const young = 'VRDLCU10T05F205';
    expect(decodeCodiceFiscale(young + codiceFiscaleCheckChar(young), new Date('2026-01-01'))?.birthDate).toBe('2010-12-05');
  });
});
