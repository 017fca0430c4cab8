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

describe('sim attach through a symbolic link (item 6)', () => {
  it('locks the image the link points to: a command on the real path is told the card is in the reader, and no PIN try is lost', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers.js');
    const { symlinkSync: link } = await import('node:fs');
    const dir = tempDir('cns-attach-link-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const alias = join(dir, 'alias.json');
    link(img, alias);
    // nobody listens on port 9: attach keeps trying, holding the card the whole time
    const child = spawn(process.execPath, [BIN, 'sim', 'attach', alias, '--vpcd', '127.0.0.1:9'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      for (let i = 0; i < 50 && !/cannot reach vpcd/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
      const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '99999\n' });
      expect(r.json.error.code, r.stdout).toBe('CARD_BUSY');
      expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
    }
  });
});

describe('files a person names for output (item 1): never written through a planted link', () => {
  it('doctor --report and cert export --force onto a symbolic link: refused, said why, the target untouched', async () => {
    const { symlinkSync: link } = await import('node:fs');
    const dir = tempDir('cns-out-link-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    const report = join(dir, 'ticket.json');
    link(victim, report);
    const d = await cns(['doctor', '--reader', `sim:${img}`, '--report', report, '--force', '--json']);
    expect(d.json.error.code).toBe('IO_ERROR');
    expect(d.json.error.message).toMatch(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    const out = join(dir, 'cert.pem');
    link(victim, out);
    const c = await cns(['--lang', 'it', 'cert', 'export', '--reader', `sim:${img}`, '--out', out, '--force']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/collegamento simbolico/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });
});
