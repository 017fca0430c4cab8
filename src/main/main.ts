import type { Command, CommanderError } from 'commander';
import { Context, type GlobalOptions } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { EXIT } from '../cli/exitCodes.js';
import { detectLang, type Lang } from '../cli/i18n.js';
import { drained, endQuietlyOnClosedPipe, err, isTerminal, out } from '../cli/stdio.js';
import type { Loader } from './cardCommands.js';
import type { Runner } from './program.js';
import { quickCommand } from './quick.js';

export { exitAtOnce } from '../util/koffi.js';

/** PC/SC answered in process by one reader holding the virtual card of `image`: the build's code-cache training only. */
export async function useVirtualReader(image: string): Promise<void> {
  await (await import('../pcsc/simWinscard.js')).useVirtualReader(image);
}

/**
 * The global options found in argv, read with the program's own declarations (which options
 * take a value, which values they allow), and the first word that is not an option: the command.
 * Used before commander has parsed anything: to name an unknown command, and to report errors
 * in the language and format asked for.
 */
function scanArgv(program: Command, argv: string[]): { globals: GlobalOptions; command?: string } {
  const byFlag = new Map<string, Command['options'][number]>();
  for (const o of program.options) for (const f of [o.long, o.short]) if (f) byFlag.set(f, o);
  const found: Record<string, string | boolean> = {};
  let command: string | undefined;
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const o = byFlag.get(eq > 0 ? a.slice(0, eq) : a);
    if (o) {
      if (o.required || o.optional) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v !== undefined && (!o.argChoices || o.argChoices.includes(v))) found[o.attributeName()] = v;
      } else found[o.attributeName()] = !o.negate;
    } else if (command === undefined && !a.startsWith('-')) command = a;
  }
  return { globals: found as GlobalOptions, command };
}

export async function main(argv: string[]): Promise<number> {
  // `cns status | head`: a closed pipe is the reader's choice, not an error.
  endQuietlyOnClosedPipe();
  try {
    return await command(argv);
  } finally {
    // the caller exits the process next: what waits in a stream for a full pipe must go first
    await drained();
  }
}

async function command(given: string[]): Promise<number> {
  // `cns help [command...]` (what many tools take, and `cns cert help check` already did): the
  // command's help, as `cns [command...] --help`
  const at = given[2] === 'help' ? 2 : given[2] === '--lang' && given[4] === 'help' ? 4 : -1;
  const argv = at === -1 ? given : [...given.slice(0, at), ...given.slice(at + 1), '--help'];
  let exit: number = EXIT.OK;
  let ctx: Context | undefined;
  // the global options for an error raised before the command's context exists
  let globals = (): GlobalOptions => scanArgv(program, argv).globals;
  const render = async (e: unknown): Promise<number> => {
    const c = ctx ?? safeContext(globals());
    const { renderError } = await import('../cli/render.js');
    return renderError(c, e);
  };
  const act = async (load: Loader, opts: GlobalOptions & Record<string, unknown>, operands: unknown[]): Promise<void> => {
    try {
      ctx = await Context.create(opts);
      const fn = (await load()) as (c: Context, ...a: unknown[]) => Promise<number>;
      exit = await fn(ctx, ...operands, opts);
    } catch (e) {
      exit = await render(e);
    }
  };
  // a card command in its plain form: no command tree (quick.ts)
  const quick = quickCommand(argv);
  if (quick) {
    const opts = quick.opts as GlobalOptions & Record<string, unknown>;
    globals = () => opts;
    await act(quick.load, opts, []);
    return exit;
  }
  // anything else: commander (not loaded by the quick path, ~0.4 ms)
  const { buildProgram, placeholderWord } = await import('./program.js');
  const { CommanderError } = await import('commander');
  // commander passes the positional arguments, then the options, then the command
  const runner: Runner = (load, cmd, args) =>
    act(load, cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>, args.slice(0, -2));
  // Only the branch of the command named in argv is built; a word that is no command gets the
  // whole tree, to say which commands are near.
  const lang = langOf(argv);
  let asked: string | undefined;
  let program: Command = buildProgram(runner, lang, (root) => (asked = scanArgv(root, argv).command));
  if (asked !== undefined && program.commands.length === 0) program = buildProgram(runner, lang);
  program.exitOverride();
  let usage = '';
  // Help goes through out(); its width and colours are asked of Node's streams only on a
  // terminal (commander's defaults build both streams for every help, ~2 ms).
  const output = {
    writeOut: out,
    writeErr: (s: string) => (usage += s),
    outputError: (s: string) => (usage += s),
    getOutHelpWidth: () => (isTerminal(1) ? process.stdout.columns : 80), // 80: commander's own width off a terminal
    getErrHelpWidth: () => (isTerminal(2) ? process.stderr.columns : 80),
    getOutHasColors: () => isTerminal(1) && process.stdout.hasColors?.() === true,
    getErrHasColors: () => isTerminal(2) && process.stderr.hasColors?.() === true,
  };
  program.configureOutput(output);
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput(output);
    for (const cc of c.commands) {
      cc.exitOverride();
      cc.configureOutput(output);
    }
  }
  try {
    // `--reader --json` (an empty $reader in a script): commander would take "--json" as the
    // reader's name; an option's value that is itself one of the options is a missing value
    const flags = new Set(program.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f));
    for (const c of program.commands) for (const o of c.options) for (const f of [o.long, o.short]) if (f) flags.add(f);
    const valued = new Set(
      [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)].flatMap((c) =>
        c.options.filter((o) => o.required).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
      ),
    );
    for (let i = 2; i < argv.length - 1; i++) {
      const a = argv[i]!;
      if (a === '--') break;
      if (valued.has(a) && flags.has(argv[i + 1]!.split('=')[0]!)) {
        // the --json taken for a value still asks for JSON
        const c = safeContext({ ...scanArgv(program, argv).globals, json: argv.includes('--json') || undefined });
        const { renderError } = await import('../cli/render.js');
        return renderError(c, new CliError('USAGE', { detail: c.t('cmdOptionArg', { option: a }) }));
      }
    }
    // `cns stauts`: say "unknown command", not commander's "too many arguments" for the root action
    const a = asked;
    const names = program.commands.map((c) => c.name());
    if (a !== undefined && !names.includes(a)) {
      const t = safeContext(scanArgv(program, argv).globals);
      // what the user typed is said back printable, on one line (no escape sequence reaches the terminal)
      const { foreignText } = await import('../cli/render.js');
      // `cns "cert check"`: a command's words quoted into one argument
      const words = a.trim().split(/\s+/);
      if (words.length > 1 && names.includes(words[0]!))
        return render(new CliError('USAGE', { detail: t.t('cmdSplit', { cmd: foreignText(a), words: foreignText(words.join(' ')) }) }));
      const near = names.filter((n) => n.startsWith(a.slice(0, 2)));
      return render(
        new CliError('USAGE', {
          detail: t.t('cmdUnknown', { cmd: foreignText(a), near: near.length ? t.t('cmdNear', { names: near.join(', ') }) : '' }),
        }),
      );
    }
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // a group without its subcommand ("cns pin"): its help went to stderr, and it is a usage error
      if (e.code === 'commander.help' && e.exitCode !== 0) {
        // with --json: the usage error as the one JSON document (the help still on stderr)
        if (scanArgv(program, argv).globals.json) {
          const group = scanArgv(program, argv).command ?? '';
          const names = program.commands.find((c) => c.name() === group)?.commands.map((c) => c.name()) ?? [];
          if (usage) err(usage);
          return render(new CliError('USAGE', { detailKey: 'cmdNeedsSub', group, names: names.join(', ') }));
        }
        if (usage) err(usage);
        return EXIT.USAGE;
      }
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        if (usage) err(usage);
        return EXIT.OK;
      }
      // Bare group commands ("cns pin") print their help: not an error for a human.
      if (e.code === 'commander.executeSubCommandAsync' || e.exitCode === 0) return EXIT.OK;
      // a name the user typed is said back printable, on one line, as for an unknown command above
      const { foreignText } = await import('../cli/render.js');
      return render(
        new CliError('USAGE', {
          detail: commanderText(safeContext(scanArgv(program, argv).globals), e, usage, program, placeholderWord, foreignText),
        }),
      );
    }
    return render(e);
  }
  return exit;
}

/**
 * What `cns --help` prints in `lang` for an output `width` columns wide, through the same command
 * tree and commander's same outputHelp() as the command line. scripts/bundle.mjs writes it at
 * build time (dist/bundle/help.json) for bin/cns.js, which prints it without loading the CLI;
 * test/help-prerendered.test.ts checks that it equals what the command line prints.
 */
export async function renderHelp(lang: Lang, width: number): Promise<string> {
  let text = '';
  const { buildProgram } = await import('./program.js');
  const program = buildProgram(async () => {}, lang);
  const write = (s: string): void => {
    text += s;
  };
  program.configureOutput({
    writeOut: write,
    writeErr: write,
    getOutHelpWidth: () => width,
    getOutHasColors: () => false,
  });
  program.outputHelp();
  return text;
}

/** The language of the help and of early errors: --lang it|en (also --lang=it), else the locale. */
function langOf(argv: string[]): Lang {
  let explicit: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') explicit = argv[i + 1];
    else if (a.startsWith('--lang=')) explicit = a.slice(7);
  }
  return detectLang(process.env, explicit);
}

/** A context for errors raised before the command's own context exists. */
function safeContext(globals: GlobalOptions): Context {
  const lang: Lang = globals.lang ?? detectLang();
  return new Context({ json: !!globals.json, lang, color: globals.color !== false });
}

/** A command's words after `cns` ("pin verify"), from the bare name commander puts in its errors. */
function commandPath(program: Command, name: string | undefined): string {
  if (name === undefined) return 'cns';
  if (program.commands.some((c) => c.name() === name)) return name;
  const parent = program.commands.find((c) => c.commands.some((cc) => cc.name() === name));
  return parent ? `${parent.name()} ${name}` : name;
}

/** Commander's own error, in the user's language (its English text is parsed for the names). */
function commanderText(
  ctx: Context,
  e: CommanderError,
  usage: string,
  program: Command,
  placeholderWord: (name: string, lang: Lang) => string,
  foreign: (text: string) => string,
): string {
  const text = usage.replace(/^error: /, '').trim() || e.message;
  const quoted = [...text.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
  // an option as commander quotes it ("-r, --reader <reader>"): its long name, as the help writes it
  const flags = (quoted[0] ?? '').split(/[ ,]+/).filter((f) => f.startsWith('-'));
  const option = flags.find((f) => f.startsWith('--')) ?? flags[0] ?? '';
  // commander's suggestion for a mistyped command or option, if it made one
  const suggested = /\(Did you mean (.+)\?\)/.exec(text)?.[1];
  const near = suggested ? ctx.t('cmdNear', { names: foreign(suggested) }) : '';
  switch (e.code) {
    case 'commander.unknownCommand':
      // a group's command mistyped ("cns cert chek"): as an unknown command of cns itself
      return ctx.t('cmdUnknown', { cmd: foreign(quoted[0] ?? ''), near });
    case 'commander.unknownOption':
      return ctx.t('cmdUnknownOption', { option: foreign(option), near });
    case 'commander.excessArguments':
      return ctx.t('cmdTooMany', { command: commandPath(program, quoted[0]) });
    case 'commander.missingArgument':
      return ctx.t('cmdMissingArg', { arg: placeholderWord(quoted[0] ?? '', ctx.lang) });
    case 'commander.optionMissingArgument':
      return ctx.t('cmdOptionArg', { option });
    case 'commander.invalidArgument': {
      const choices = /choices are (.*)\.$/.exec(text)?.[1] ?? '';
      return ctx.t('cmdInvalidChoice', { option, value: quoted[1] ?? '', choices });
    }
    default:
      return text;
  }
}
