import { Command, Help, Option } from 'commander';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { type Lang, type MessageKey, message, messageKey } from '../cli/i18n.js';
import { isTerminal } from '../cli/stdio.js';
import { VERSION } from '../cli/version.js';
import { type Action, CARD_COMMANDS, type CardCommand, GLOBAL_OPTIONS, type Loader, type OptionDecl } from './cardCommands.js';

export type Runner = (load: Loader, cmd: Command, args: unknown[]) => Promise<void>;

/** Declare `decls` on `c`, in order, with their help in the user's language. */
function addOptions(c: Command, decls: readonly OptionDecl[], h: (k: MessageKey) => string): Command {
  for (const d of decls) {
    const o = new Option(d.flags, h(d.help));
    if (d.choices) o.choices(d.choices);
    if (d.def !== undefined) o.default(d.def);
    c.addOption(o);
  }
  return c;
}

/**
 * Build the command tree. Each action imports its module only when it runs, so that
 * `cns --help` loads neither pkijs nor the prompts.
 *
 * `pick`, given the root with its global options, names the one command this run is for: only
 * that command's branch is then built (the whole tree costs ~2 ms of every start, issue 15).
 * Without it, or for `completion` (which prints the whole tree), every command is built.
 */
export function buildProgram(run: Runner, lang: Lang = 'en', pick?: (root: Command) => string | undefined): Command {
  const h = (k: MessageKey): string => message(lang, k);
  const SECRET_HELP = `\n${h('h_secretsBlock')}`;
  const program = new Command('cns');
  configureHelp(program, lang);
  program
    .helpOption('-h, --help', h('h_help'))
    .helpCommand('help [command]', h('h_helpCommand'))
    .helpCommand(false) // only the groups (pin, cert, sim) have one, as before
    .description(h('h_program'))
    .version(VERSION, '-V, --version', h('h_version'));
  addOptions(program, GLOBAL_OPTIONS, h)
    .showHelpAfterError(false)
    .addHelpText('after', `\n${h('h_readersBlock')}\n${SECRET_HELP}\n\n${h('h_exitBlock')}\n`);
  const only = pick?.(program);
  const want = (name: string): boolean => only === undefined || only === 'completion' || only === name;

  const lazy = (load: Loader) =>
    function (this: Command, ...args: unknown[]): Promise<void> {
      return run(load, this, args);
    };
  /** A command of CARD_COMMANDS under `parent`, as the quick path reads it. */
  const card = (parent: Command, path: CardCommand, help: MessageKey): Command => {
    const d = CARD_COMMANDS[path];
    const name = path.split(' ').pop() ?? path;
    return addOptions(parent.command(name).description(h(help)), d.options, h).action(lazy(d.load));
  };

  // `cns` alone: the guided menu on a terminal, the help otherwise
  program.action(
    lazy(async () => {
      const { guidedCommand } = await import('./guided.js');
      return (async (ctx: Context) => {
        // a script asking for JSON with no command: a usage error it can read, not the help
        if (ctx.json) throw new CliError('USAGE', { detailKey: 'cmdNeeded' });
        if (!isTerminal(0) || !isTerminal(2)) {
          program.outputHelp();
          return 0;
        }
        return guidedCommand(ctx);
      }) as Action;
    }),
  );

  if (want('readers')) {
    card(program, 'readers', 'h_readers');
  }

  if (want('watch')) {
    program
      .command('watch')
      .description(h('h_watch'))
      .option('--once', h('h_watchOnce'))
      .action(lazy(async () => (await import('../commands/watch.js')).watchCommand as Action));
  }

  if (want('status')) {
    card(program, 'status', 'h_status');
  }

  if (want('pin')) {
    const pin = program.command('pin').description(h('h_pin'));
    for (const [path, help] of [
      ['pin verify', 'h_pinVerify'],
      ['pin change', 'h_pinChange'],
      ['pin unblock', 'h_pinUnblock'],
    ] as const) {
      card(pin, path, help).addHelpText('after', SECRET_HELP);
    }
  }

  if (want('cert')) {
    const cert = program.command('cert').description(h('h_cert'));
    card(cert, 'cert show', 'h_certShow');
    card(cert, 'cert export', 'h_certExport');
    card(cert, 'cert check', 'h_certCheck');
  }

  if (want('__words')) {
    // what the shell completion asks at the moment of completing: the readers present now
    program
      .command('__words', { hidden: true })
      .argument('<what>')
      .action(lazy(async () => (await import('../commands/completion.js')).wordsCommand as unknown as Action));
  }
  if (want('completion')) {
    program
      .command('completion')
      .description(h('h_completion'))
      .argument('<shell>', h('h_shell'))
      .action(
        lazy(async () => {
          const { completionCommand } = await import('../commands/completion.js');
          // the completion is generated from this very tree
          return ((ctx: Context, shell: string) => completionCommand(ctx, shell, program)) as Action;
        }),
      );
  }

  if (want('doctor')) {
    program
      .command('doctor')
      .description(h('h_doctor'))
      .option('--report <file>', h('h_report'))
      .option('-f, --force', h('h_forceFile'))
      .option('--redact-ids', h('h_redactIds'))
      .option('--all-readers', h('h_allReaders'))
      .option('--salt <salt>', h('h_salt'))
      .action(lazy(async () => (await import('../commands/doctor.js')).doctorCommand as Action));
  }

  if (want('extend')) {
    program
      .command('extend')
      .description(h('h_extend'))
      .option('--check', h('h_check'))
      .option('--at <date>', h('h_at'))
      .option('--crl <file>', h('h_crl'))
      .option('--service <url>', h('h_service'))
      .option('--ca-cert <pem>', h('h_caPin'))
      .option('--timeout <seconds>', h('h_timeout'))
      .option('--retries <n>', h('h_retries'))
      .option('-y, --yes', h('h_yes'))
      .option('--resume', h('h_resume'))
      .option('--restore <backup>', h('h_restore'))
      .option('--stdin', h('h_extStdin'))
      .option('--env', h('h_extEnv'))
      .option('--last-attempt', h('h_extLastAttempt'))
      .action(lazy(async () => (await import('../commands/extend.js')).extendCommand as Action));
  }

  if (want('extension-service')) {
    program
      .command('extension-service')
      .description(h('h_extService'))
      .option('--port <port>', h('h_port'))
      .option('--host <host>', h('h_host'))
      .option('--ca-cert <pem>', h('h_caCert'))
      .option('--ca-key <pem>', h('h_caKey'))
      .option('--revoked <file>', h('h_revoked'))
      .option('--now <date>', h('h_now'))
      .option('--issued <file>', h('h_issued'))
      .action(lazy(async () => (await import('../commands/extensionService.js')).extensionServiceCommand as Action));
  }

  if (want('browser')) {
    const browser = program.command('browser').description(h('h_browser'));
    const browserOpts = (c: Command): Command =>
      c
        .option('--browser <name>', h('h_browserOpt'), (v: string, prev: string[] = []) => [...prev, v])
        .option('--db <path>', h('h_dbOpt'), (v: string, prev: string[] = []) => [...prev, v]);
    const browserCmd = (name: 'browserStatusCommand' | 'browserSetupCommand' | 'browserRemoveCommand' | 'browserTestCommand') =>
      lazy(async () => (await import('../commands/browser.js'))[name] as unknown as Action);
    browserOpts(browser.command('status', { isDefault: true }).description(h('h_browserStatus'))).action(
      browserCmd('browserStatusCommand'),
    );
    for (const [name, help, run] of [
      ['setup', 'h_browserSetup', 'browserSetupCommand'],
      ['remove', 'h_browserRemove', 'browserRemoveCommand'],
    ] as const) {
      browserOpts(browser.command(name).description(h(help)))
        .option('--force', h('h_forceBrowser'))
        .option('--dry-run', h('h_dryRun'))
        .action(browserCmd(run));
    }
    browserOpts(browser.command('test').description(h('h_browserTest')))
      .option('--stdin', h('h_stdin'))
      .option('--env', h('h_env'))
      .option('--last-attempt', h('h_lastAttempt'))
      .addHelpText('after', SECRET_HELP)
      .action(browserCmd('browserTestCommand'));
  }

  if (want('sim')) {
    const sim = program.command('sim').description(h('h_sim'));
    sim
      .command('create')
      .description(h('h_simCreate'))
      .argument('<image>', h('h_image'))
      .option('--pin <digits>', h('h_simPin'), '12345')
      .option('--puk <digits>', h('h_simPuk'), '12345678')
      .option('--pin-tries <n>', h('h_pinTries'), '3')
      .option('--puk-tries <n>', h('h_pukTries'), '10')
      .option('--pin-tries-left <n>', h('h_pinTriesLeft'))
      .option('--puk-tries-left <n>', h('h_pukTriesLeft'))
      .option('--atr <hex>', h('h_atr'))
      .option('--generation <name>', h('h_generation'))
      .option('--contactless', h('h_contactless'))
      .option('--max-response <n>', h('h_maxResponse'))
      .option('--signature-keyset', h('h_sigKeyset'))
      .addOption(new Option('--signature-layout <layout>', h('h_sigLayout')).choices(['cns1', 'infocamere']))
      .option('--sig-pin <digits>', h('h_sigPin'))
      .option('--sig-puk <digits>', h('h_sigPuk'))
      .option('--key-size <bits>', h('h_keySize'))
      .option('--not-before <date>', h('h_notBefore'))
      .option('--not-after <date>', h('h_notAfter'))
      .option('--surname <text>', h('h_surname'), 'ROSSI')
      .option('--given-name <text>', h('h_givenName'), 'MARIO')
      .option('--codice-fiscale <cf>', h('h_codiceFiscale'), 'RSSMRA80A01H501U')
      .option('--card-id <digits>', h('h_cardId'))
      .option('--cert <pem>', h('h_certPem'))
      .option('--key <pem>', h('h_keyPem'))
      .option('--ca-cert <pem>', h('h_caCert'))
      .option('--ca-key <pem>', h('h_caKey'))
      .option('-f, --force', h('h_forceImage'))
      .addHelpText('after', `\n${h('h_simFixtures')}`)
      .action(lazy(async () => (await import('../commands/sim.js')).simCreateCommand as unknown as Action));

    sim
      .command('attach')
      .description(h('h_simAttach'))
      .argument('<image>', h('h_image'))
      .option('--vpcd <host:port>', h('h_vpcd'), '127.0.0.1:35963')
      .option('--port <port>', h('h_vpcdPort'))
      .option('--leave-after <n>', h('h_leaveAfter'))
      .option('--mute-after <n>', h('h_muteAfter'))
      .option('--garbage-after <n>', h('h_garbageAfter'))
      .option('--garbage <hex>', h('h_garbage'))
      .option('--stats <file>', h('h_stats'))
      .option('--latency <ms>', h('h_latency'))
      .option('--baud <bps>', h('h_baud'))
      .action(lazy(async () => (await import('../commands/simAttach.js')).simAttachCommand as unknown as Action));
  }

  return program;
}

const TITLES: Record<string, MessageKey> = {
  'Usage:': 'h_usage',
  'Arguments:': 'h_arguments',
  'Options:': 'h_options',
  'Global Options:': 'h_globalOptions',
  'Commands:': 'h_commands',
};

/** A placeholder of an option's value or an argument ("image"), in the user's language (ph_* in the catalogue). */
export function placeholderWord(name: string, lang: Lang): string {
  const k = messageKey(`ph_${name.replace(/[^a-z]/g, '_')}`);
  return k ? message(lang, k) : name;
}

/** Commander's own words in the help (titles, "default", "choices") in the user's language. */
function configureHelp(program: Command, lang: Lang): void {
  const base = new Help();
  program.configureHelp({
    styleTitle: (title: string) => {
      const k = TITLES[title];
      return k ? message(lang, k) : title;
    },
    optionDescription: (o: Option) => localiseExtra(base.optionDescription(o), lang),
    argumentDescription: (a) => localiseExtra(base.argumentDescription(a), lang),
    optionTerm: (o: Option) => placeholders(base.optionTerm(o), lang),
    // an argument's term is its bare name ("image"), brackets only in the usage line
    argumentTerm: (a) => placeholderWord(base.argumentTerm(a), lang),
    subcommandTerm: (c: Command) => placeholders(base.subcommandTerm(c), lang),
    commandUsage: (c: Command) => placeholders(base.commandUsage(c), lang),
  });
}

function placeholders(text: string, lang: Lang): string {
  return text.replace(/<([a-z:]+)>|\[([a-z:]+)\]/g, (_, req?: string, opt?: string) => {
    const word = placeholderWord(req ?? opt ?? '', lang);
    return req ? `<${word}>` : `[${word}]`;
  });
}

function localiseExtra(text: string, lang: Lang): string {
  return text.replace(
    /\(((?:choices|default): [^()]*)\)$/,
    (_, inner: string) =>
      `(${inner.replace(/\bchoices: /, `${message(lang, 'h_choices')}: `).replace(/\bdefault: /, `${message(lang, 'h_default')}: `)})`,
  );
}
