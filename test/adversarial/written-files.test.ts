import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/** Issue 22 items 1 and 7: what the virtual card writes beside its image, and what it says when it cannot. */
describe("the image's lock file", () => {
  it('planted as a symbolic link: status refuses it, says which file and why, and leaves the target whole', async () => {
    const dir = tempDir('cns-lock-link-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const victim = join(dir, 'precious.txt');
    writeFileSync(victim, 'do not truncate me\n');
    symlinkSync(victim, `${img}.lock`);
    const r = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('IMAGE_INVALID');
    expect(r.json.error.message).toContain(`${img}.lock`);
    expect(r.json.error.message).toMatch(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('do not truncate me\n');
    const it_ = await cns(['--lang', 'it', 'status', '--reader', `sim:${img}`]);
    expect(it_.stderr).toMatch(/collegamento simbolico/);
  });

  it('an image whose folder cannot be used: the message names the path', async () => {
    const dir = tempDir('cns-lock-dir-');
    const notDir = join(dir, 'a-file');
    writeFileSync(notDir, '');
    const r = await cns(['status', '--reader', `sim:${join(notDir, 'card.json')}`, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.json.error.message).toContain(notDir);
    expect(r.json.error.message).not.toMatch(/^ is not|:\s+is not/);
  });
});
