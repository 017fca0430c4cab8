import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers.js';
import { makeCard, STACK_OK, stack } from './stack.js';

/** The README's code blocks of a language, under a heading. */
function blocks(heading: string, lang: string): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf(heading));
  const end = section.indexOf('\n## ', 1);
  return [...section.slice(0, end < 0 ? undefined : end).matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

/** A folder with `cns` on the PATH, as after a global install, and a `logger` that records. */
function userBin(): string {
  const bin = tempDir('cns-path-');
  writeFileSync(join(bin, 'cns'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  writeFileSync(join(bin, 'logger'), `#!/bin/sh\necho "logger $*" >> "${bin}/logger.log"\n`);
  chmodSync(join(bin, 'cns'), 0o755);
  chmodSync(join(bin, 'logger'), 0o755);
  return bin;
}

describe.skipIf(!STACK_OK)('the README recipes, as written', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('the kiosk loop: "ok" on insertion, the JSON kept, the folder created', async () => {
    const [script] = blocks('### Kiosk recipes', 'sh');
    const bin = userBin();
    const dir = join(tempDir('cns-kiosk-'), 'log', 'kiosk');
    const child = spawn('bash', ['-c', script!], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KIOSK_DIR: dir },
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await stack.attach(await makeCard());
      for (let end = Date.now() + 15000; !out.includes('\n') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      expect(out.trim()).toBe('ok');
      expect(JSON.parse(readFileSync(join(dir, 'last-check.json'), 'utf8')).ok).toBe(true);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });

  it('the cron line: the check runs, the JSON is written, a failure goes to logger', async () => {
    const [cron] = blocks('### Kiosk recipes', 'cron');
    const line = cron!.split('\n').find((l) => /^\d/.test(l))!;
    const command = line.split(/\s+/).slice(5).join(' ');
    const bin = userBin();
    const dir = join(tempDir('cns-cron-'), 'lib', 'kiosk');
    const run = (cmd: string) =>
      spawnSync('bash', ['-c', cmd.replaceAll('/var/lib/kiosk', dir)], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        encoding: 'utf8',
      });
    await stack.attach(await makeCard());
    expect(run(command).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cert.json'), 'utf8')).ok).toBe(true);
    await stack.attach(await makeCard('--not-before', '2018-01-01', '--not-after', '2023-12-30'));
    run(command);
    expect(readFileSync(join(bin, 'logger.log'), 'utf8')).toMatch(/certificate: exit 8/);
    expect(existsSync(join(dir, 'cert.json'))).toBe(true);
  });
});
