import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { haveTool } from './tmux.js';

/** Issue 24 item 4: the manual pages come from the command tree, so they cannot disagree with --help. */
describe('the manual pages (dist/man/cns.1, dist/man/it/cns.1)', () => {
  it('name every command, argument and option that --help names, in both languages', async () => {
    const { buildProgram } = await import('../src/main/program.js');
    for (const [lang, file] of [
      ['en', join(ROOT, 'dist', 'man', 'cns.1')],
      ['it', join(ROOT, 'dist', 'man', 'it', 'cns.1')],
    ] as const) {
      const page = readFileSync(file, 'utf8')
        .replace(/\\-/g, '-')
        .replace(/\\f[BIR]/g, '');
      const program = buildProgram(async () => {}, lang);
      const walk = (cmd: typeof program, path: string[]): void => {
        for (const o of cmd.options) if (!o.hidden) expect(page, `${lang} ${path.join(' ')} ${o.long}`).toContain(o.long ?? o.short ?? '');
        for (const c of cmd.commands) {
          if ((c as unknown as { _hidden?: boolean })._hidden || c.name() === 'help') continue;
          expect(page, `${lang} cns ${[...path, c.name()].join(' ')}`).toMatch(
            new RegExp(`^\\.SS "cns ${[...path, c.name()].join(' ')}\\b`, 'm'),
          );
          walk(c, [...path, c.name()]);
        }
      };
      walk(program, []);
      expect(page).not.toMatch(/__words/);
      // each page in its language, headings included
      expect(page).toMatch(lang === 'it' ? /^\.SH CODICI DI USCITA$/m : /^\.SH EXIT STATUS$/m);
    }
  });

  it.skipIf(!haveTool('groff'))('render without a warning (groff -ww)', () => {
    for (const f of [join(ROOT, 'dist', 'man', 'cns.1'), join(ROOT, 'dist', 'man', 'it', 'cns.1')]) {
      const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', '-K', 'utf8', f], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, f).toBe(0);
      expect(r.stderr, f).toBe('');
    }
  });
});
