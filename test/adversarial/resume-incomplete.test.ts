import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/**
 * Issue 22 item 14: `extend --resume` on a machine without the journal must not "finish" a
 * certificate whose last body chunk was never written (its lengths parse, its signature does not).
 */
describe('resume from the card alone', () => {
  async function interrupted(lastChunkWritten: boolean): Promise<{ img: string; ef: string }> {
    const dir = tempDir('cns-resume-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8'));
    const f = j.files.find((x: { path: string }) => x.path === '3F00/1100/1101');
    const ef = Buffer.from(f.data, 'hex');
    const len = 4 + ef.readUInt16BE(2);
    // the write plan: header zeroed, body written; without its last chunk the end is still zeros
    ef.fill(0, 0, 4);
    if (!lastChunkWritten) ef.fill(0, len - 0x40, len);
    f.data = ef.toString('hex').toUpperCase();
    writeFileSync(img, JSON.stringify(j));
    return { img, ef: f.data };
  }

  it('a body whose last chunk is missing: nothing written, no PUK spent, --restore and its backup named; status does not advise --resume', async () => {
    const { img, ef } = await interrupted(false);
    const sim = ['--reader', `sim:${img}`];
    const env = { XDG_STATE_HOME: tempDir('cns-resume-state-') };
    const r = await cns(['extend', '--resume', ...sim, '--stdin', '--json'], { input: '12345678\n', env });
    expect(r.json.error.code).toBe('NOTHING_TO_RESUME');
    expect(r.code).toBe(2);
    expect(`${r.json.error.message} ${r.json.error.hint ?? ''}`).toMatch(/--restore.*old-\*\.der/);
    const after = JSON.parse(readFileSync(img, 'utf8'));
    expect(after.files.find((x: { path: string }) => x.path === '3F00/1100/1101').data).toBe(ef);
    expect(after.puk.triesLeft).toBe(10);
    const s = await cns(['status', ...sim, '--json'], { env });
    const p = (s.json.problems as { code: string; message: string }[]).find((x) => x.code === 'CERT_WRITE_INCOMPLETE');
    expect(p?.message).toMatch(/--restore/);
    expect(p?.message).not.toMatch(/^EF 1101 holds a certificate write that was interrupted just before its end/);
  });

  it('a complete body with only its header missing: resumed, and the certificate checks', async () => {
    const { img } = await interrupted(true);
    const sim = ['--reader', `sim:${img}`];
    const env = { XDG_STATE_HOME: tempDir('cns-resume-state-') };
    const r = await cns(['extend', '--resume', ...sim, '--stdin', '--json'], { input: '12345678\n', env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await cns(['cert', 'check', ...sim])).code).toBe(0);
  });
});
