import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CARD_COMMANDS, type CardCommand, type Loader } from '../src/main/cardCommands.js';
import { buildProgram } from '../src/main/program.js';
import { quickCommand } from '../src/main/quick.js';

/** What commander does with `words`: the action's loader and options, or the error it raises. */
async function viaCommander(
  words: string[],
): Promise<{ load?: Loader; opts?: Record<string, unknown>; operands?: unknown[]; error?: string }> {
  let got: { load: Loader; opts: Record<string, unknown>; operands: unknown[] } | undefined;
  const program = buildProgram(async (load, cmd, args) => {
    got = { load, opts: cmd.optsWithGlobals(), operands: args.slice(0, -2) };
  });
  const quiet = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    for (const cc of c.commands) quiet(cc);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'cns', ...words]);
  } catch (e) {
    return { error: (e as { code?: string }).code ?? String(e) };
  }
  return got ?? {};
}

/** Both parsers on `words`: where the quick path answers, it answers as commander does. */
async function same(words: string[]): Promise<ReturnType<typeof quickCommand>> {
  const q = quickCommand(['node', 'cns', ...words]);
  if (q) {
    const c = await viaCommander(words);
    expect(c.error, words.join(' ')).toBeUndefined();
    expect(q.opts, words.join(' ')).toStrictEqual({ ...c.opts });
    expect(q.load, words.join(' ')).toBe(c.load);
    expect(c.operands, words.join(' ')).toStrictEqual([]);
  }
  return q;
}

describe('the quick path parses a card command as commander does', () => {
  it('takes the plain forms scripts, kiosks and the bench use', async () => {
    for (const words of [
      ['readers'],
      ['status'],
      ['status', '--json'],
      ['status', '--json', '--lang', 'it'],
      ['status', '--lang=en', '--warn-days', '60', '--no-color'],
      ['status', '-r', 'Virtual PCD 00 00', '--trace'],
      ['status', '--reader=ACS ACR38U 00 00', '--backend', 'pkcs11', '--module', '/usr/lib/x.so'],
      ['pin', 'verify', '--env'],
      ['pin', 'verify', '--stdin', '--json', '--last-attempt', '--no-pinpad'],
      ['pin', 'verify', '--signature', '--sign-test'],
      ['pin', 'change', '--allow-weak', '--env'],
      ['pin', 'unblock', '--stdin', '--signature'],
      ['cert', 'show', '--signature', '--warn-days=10'],
      ['cert', 'export', '--format', 'der', '-o', 'card.der', '-f'],
      ['cert', 'export', '--out=card.pem', '--force', '--signature'],
      ['cert', 'check'],
      ['cert', 'check', '--warn-days', '0', '--json'],
    ]) {
      expect(await same(words), words.join(' ')).toBeDefined();
    }
  });

  it('every option each quick command declares, alone and in both value forms', async () => {
    for (const [path, decl] of Object.entries(CARD_COMMANDS)) {
      const { Option } = await import('commander');
      for (const d of decl.options) {
        const o = new Option(d.flags);
        const value = d.choices?.[d.choices.length - 1] ?? 'x1';
        const forms = o.required
          ? [[o.long!, value], [`${o.long}=${value}`], ...(o.short ? [[o.short, value]] : [])]
          : [[o.long!], ...(o.short ? [[o.short]] : [])];
        for (const f of forms) expect(await same([...path.split(' '), ...f]), `${path} ${f.join(' ')}`).toBeDefined();
      }
    }
  });

  it('leaves everything else to commander', async () => {
    for (const words of [
      [],
      ['status', '--help'],
      ['status', '-h'],
      ['status', '-V'],
      ['--json', 'status'], // an option before the command
      ['status', 'extra'], // an operand
      ['status', '--', '--json'],
      ['status', '--json', '--json'], // repeated
      ['status', '--reader', '--json'], // a value that is an option
      ['status', '--reader'], // no value
      ['status', '-rX'], // attached short value
      ['status', '--lang', 'fr'], // outside the choices
      ['status', '--json=1'], // a value for a flag
      ['status', '--sign-test'], // another command's option
      ['status', '--unknown'],
      ['pin'],
      ['pin', 'verify', 'now'],
      ['cert', 'export', '--format', 'txt'],
      ['doctor'],
      ['sim', 'create', 'x.json'],
      ['watch'],
      ['constructor'],
      ['pin', 'toString'],
      ['pin verify'], // the two words as one argument: no command
      ['cert export', '-o', 'x.pem'],
      ['pin', 'verify extra'],
    ]) {
      expect(await same(words), words.join(' ')).toBeUndefined();
    }
  });

  it('randomised: option orders and mixtures agree with commander', async () => {
    let seed = 27;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const globals = [
      ['--json'],
      ['--trace'],
      ['--no-color'],
      ['--lang', 'it'],
      ['--lang=en'],
      ['-r', 'R 1'],
      ['--reader=R 2'],
      ['--backend', 'pcsc'],
    ];
    let quick = 0;
    for (let n = 0; n < 300; n++) {
      const paths = Object.keys(CARD_COMMANDS);
      const path = paths[rnd(paths.length)]!;
      const own = CARD_COMMANDS[path as CardCommand].options.map((d) => {
        const long = d.flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;
        return d.flags.includes('<') ? [long, d.choices?.[0] ?? '7'] : [long];
      });
      const pool = [...globals, ...own, ['--json'], ['extra'], ['--bogus']];
      const words = [...path.split(' ')];
      for (let k = rnd(5); k > 0; k--) words.push(...pool[rnd(pool.length)]!);
      if (await same(words)) quick++;
    }
    // most mixtures are plain forms; the rest went to commander (compared above where quick answered)
    expect(quick).toBeGreaterThan(100);
  });
});
