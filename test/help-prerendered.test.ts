// `cns --help` is printed by bin/cns.js from dist/bundle/help.json without loading the CLI (issue
// 27). The build renders that file through the CLI itself; these check that it cannot drift from
// what the command line prints: against the source's renderHelp and against the built CLI's own
// path (commander's --help), in both languages, however the language is chosen.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHelp } from '../src/main/main.js';
import { BIN, ROOT } from './helpers.js';

type Texts = { 80: string; wide: string; wideFrom: number };
const help = (): Record<'en' | 'it', Texts> => JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'help.json'), 'utf8'));

const envOf = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG']) if (!(k in extra)) delete env[k];
  return env;
};

/** bin/cns.js as a user starts it (the pre-rendered text when it applies). */
const fast = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [BIN, ...args], { env: envOf(env), encoding: 'utf8' });

/** The built CLI's own path: the bundle loaded, commander parsing argv and printing the help. */
const slow = (args: string[], env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(BIN)}).load().main(['node', 'cns', ...${JSON.stringify(args)}]).then((c) => process.exit(c))`],
    { env: envOf(env), encoding: 'utf8' },
  );

describe('pre-rendered help', () => {
  it('is what the source renders, in English and Italian, at 80 columns and on a wide terminal', async () => {
    const texts = help();
    for (const lang of ['en', 'it'] as const) {
      const t = texts[lang];
      expect(t[80]).toBe(await renderHelp(lang, 80));
      expect(t.wide).toBe(await renderHelp(lang, 100000));
      // every terminal at least wideFrom columns wide gets the wide text, one narrower does not
      expect(await renderHelp(lang, t.wideFrom)).toBe(t.wide);
      expect(await renderHelp(lang, t.wideFrom + 37)).toBe(t.wide);
      expect(await renderHelp(lang, t.wideFrom - 1)).not.toBe(t.wide);
    }
    expect(texts.it[80]).toMatch(/^Uso: cns /);
    expect(texts.en[80]).toMatch(/^Usage: cns /);
  });

  it('bin/cns.js prints exactly what commander prints, with the language chosen as the CLI chooses it', () => {
    const cases: [string[], Record<string, string>, 'en' | 'it'][] = [
      [['--help'], { LANG: 'C.UTF-8' }, 'en'],
      [['--help'], { LANG: 'it_IT.UTF-8' }, 'it'],
      [['-h'], { LC_ALL: 'it_IT.UTF-8', LANG: 'en_US.UTF-8' }, 'it'],
      [['--help'], { LC_MESSAGES: 'it', LANG: 'C' }, 'it'],
      [['--help'], { LC_ALL: '', LANG: 'it_IT' }, 'it'],
      [['--help'], { LANG: 'italian' }, 'en'],
      [['--lang', 'it', '--help'], { LANG: 'C' }, 'it'],
      [['--help', '--lang=en'], { LANG: 'it_IT.UTF-8' }, 'en'],
    ];
    const texts = help();
    for (const [args, env, lang] of cases) {
      const a = fast(args, env);
      const b = slow(args, env);
      expect(a.status, a.stderr).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      expect(a.stdout, `${args.join(' ')} ${JSON.stringify(env)}`).toBe(b.stdout);
      expect(a.stdout).toBe(texts[lang][80]);
      expect(a.stderr).toBe('');
    }
  });

  it('other arguments go the usual way: a command help, an unknown language, help with a global option', () => {
    for (const args of [
      ['pin', '--help'],
      ['pin', 'verify', '-h'],
      ['--json', '--help'],
      ['--lang', 'fr', '--help'],
      ['--help', '--help'],
    ]) {
      const a = fast(args, { LANG: 'C' });
      const b = slow(args, { LANG: 'C' });
      expect([a.status, a.stdout, a.stderr], args.join(' ')).toEqual([b.status, b.stdout, b.stderr]);
    }
    expect(fast(['pin', '--help'], { LANG: 'C' }).stdout).toMatch(/^Usage: cns pin /);
    expect(fast(['pin', 'verify', '--help'], { LANG: 'it_IT.UTF-8' }).stdout).toMatch(/^Uso: cns pin verify /);
  });
});
