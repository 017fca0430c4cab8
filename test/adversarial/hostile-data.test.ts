import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/** A card image made by `cns sim create`, with one EF rewritten (hex in, same size). */
function patchEf(image: string, path: string, patch: (ef: Buffer) => Buffer): void {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { files: { path: string; data?: string }[] };
  const f = j.files.find((x) => x.path === path)!;
  const ef = Buffer.from(f.data!, 'hex');
  const out = patch(Buffer.from(ef));
  f.data = out.toString('hex');
  writeFileSync(image, JSON.stringify(j));
}

let dir: string;
const made = async (name: string): Promise<string> => {
  const p = join(dir, `${name}.json`);
  const r = await cns(['sim', 'create', p, '--card-id', '5000000000000009']);
  expect(r.code, r.stderr).toBe(0);
  return p;
};
const run = (args: string[]) => cns(args, { env: { XDG_STATE_HOME: join(dir, 'state') } });
// ESC (0x1b), BEL (0x07), the C1 CSI (0x9b): none may reach a terminal from card data
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must never be printed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('hostile card data', () => {
  beforeAll(() => {
    dir = tempDir('cns-hostile-');
  });

  it('control sequences in EF_Dati_personali never reach the terminal (clear screen, title, fake green line)', async () => {
    const img = await made('escapes');
    // "ROSSI" (5 characters) becomes ESC [ 2 J X: same length, so the record stays well formed
    patchEf(img, '3F00/1100/1102', (ef) => {
      const at = ef.indexOf('ROSSI');
      Buffer.from('\u001b[2JX', 'latin1').copy(ef, at);
      return ef;
    });
    const text = await run(['status', '--reader', `sim:${img}`]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Holder\s+\[2JX MARIO/);
    expect(CONTROL.test(text.stdout + text.stderr)).toBe(false);
    const json = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(json.json.holder.surname).toBe('[2JX');
  });

  it('a card id that is a path (../..) is never used as one', async () => {
    const img = await made('path-id');
    patchEf(img, '3F00/1000/1003', () => Buffer.from('../../../../tmp/'));
    const s = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.code).toBe(0);
    expect(s.json.card.idValid).toBe(false);
    expect(s.json.checks).toContainEqual(expect.objectContaining({ code: 'CARD_ID_LUHN', status: 'fail' }));
    const r = await run(['extend', '--resume', '--reader', `sim:${img}`, '--stdin', '--json']);
    expect(r.code).toBe(7);
    expect(r.json.error.message).toMatch(/16-digit card id/);
    expect(existsSync(join(dir, 'state', 'cns', 'extension'))).toBe(false);
  });

  it('a certificate whose second half is zeroed is not called valid, nor exported', async () => {
    const img = await made('zeroed');
    patchEf(img, '3F00/1100/1101', (ef) => {
      const len = 4 + ef.readUInt16BE(2);
      ef.fill(0, len >> 1, len);
      return ef;
    });
    const s = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.code).toBe(0);
    expect(s.json.certificate).toBeNull();
    expect(s.json.problems.map((p: { code: string }) => p.code)).toContain('CERTIFICATE_UNPARSABLE');
    const check = await run(['cert', 'check', '--reader', `sim:${img}`, '--json']);
    expect(check.code).toBe(7);
    expect(check.json.error.code).toBe('NO_CERTIFICATE');
    const out = join(dir, 'zeroed.pem');
    expect((await run(['cert', 'export', '--reader', `sim:${img}`, '--out', out])).code).toBe(7);
    expect(existsSync(out)).toBe(false);
  });

  it('deeply nested DER in EF 1101 is refused at a bounded depth, without a memory blow-up', async () => {
    const img = await made('nested');
    patchEf(img, '3F00/1100/1101', (ef) => {
      // SEQUENCE { SEQUENCE { ... } } filling the whole EF, each level with a 3-byte length
      const out = Buffer.alloc(ef.length);
      let len = ef.length - 4;
      for (let at = 0; at + 4 <= ef.length; at += 4, len -= 4) {
        out[at] = 0x30;
        out[at + 1] = 0x82;
        out.writeUInt16BE(Math.max(0, len), at + 2);
      }
      return out;
    });
    const s = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.code).toBe(0);
    expect(s.json.certificate).toBeNull();
    expect(s.json.problems).toContainEqual(
      expect.objectContaining({ code: 'CERTIFICATE_UNPARSABLE', message: expect.stringMatching(/nested deeper/) }),
    );
  });

  it('an empty EF 1101, an EF outside any folder, a 10 MB EF: the card or image is refused, exit 7 with what is wrong', async () => {
    const img = await made('empty-cert');
    patchEf(img, '3F00/1100/1101', () => Buffer.alloc(0));
    const s = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(s.json.certificate).toBeNull();
    const show = await run(['cert', 'show', '--reader', `sim:${img}`, '--json']);
    expect(show.code).toBe(7);
    expect(show.json.error.code).toBe('NO_CERTIFICATE');

    const edit = async (name: string, f: (files: { path: string; type: string; data?: string }[]) => void) => {
      const p = await made(name);
      const j = JSON.parse(readFileSync(p, 'utf8')) as { files: { path: string; type: string; data?: string }[] };
      f(j.files);
      writeFileSync(p, JSON.stringify(j));
      return run(['status', '--reader', `sim:${p}`, '--json']);
    };
    const orphan = await edit('orphan', (files) => files.push({ path: '3F00/7777/0001', type: 'EF', data: '00' }));
    expect(orphan.code).toBe(7);
    expect(orphan.json.error.message).toMatch(/its part 3F00\/7777\/0001 is damaged/);
    const huge = await edit('huge', (files) => {
      files.find((f) => f.path === '3F00/1100/1101')!.data = 'ab'.repeat(10 * 1024 * 1024);
    });
    expect(huge.code).toBe(7);
    expect(huge.json.error.message).toMatch(/its part 3F00\/1100\/1101 is damaged/);
  });

  it('a certificate whose signed part and signature come from two certificates (an old half-done write) is not valid', async () => {
    const img = await made('mixed');
    const other = await made('other');
    const donor = JSON.parse(readFileSync(other, 'utf8')) as { files: { path: string; data?: string }[] };
    const donorEf = Buffer.from(donor.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
    patchEf(img, '3F00/1100/1101', (ef) => {
      const len = 4 + ef.readUInt16BE(2);
      donorEf.copy(ef, len - 64, len - 64, len); // the signature's last 64 bytes from another certificate
      return ef;
    });
    const s = await run(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.certificate).toBeNull();
    expect(s.json.problems.map((p: { code: string }) => p.code)).toContain('CERT_SIGNATURE_INVALID');
    const check = await run(['cert', 'check', '--reader', `sim:${img}`, '--json']);
    expect(check.code).toBe(7);
    expect(check.json.error.message).toMatch(/does not verify with its issuer/);
  });
});
