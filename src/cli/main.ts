import { Command, CommanderError, Option } from 'commander';
import { Context, type GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { EXIT, EXIT_TABLE_TEXT } from './exitCodes.js';
import { detectLang } from './i18n.js';
import { VERSION } from './version.js';

const WARN_DAYS = ['--warn-days <n>', 'days before expiry that count as "expiring"', '30'] as const;

/** A command's implementation: the context, its positional arguments, then its options. */
type Action = (ctx: Context, ...args: never[]) => Promise<number>;
type Loader = () => Promise<Action>;
type Runner = (load: Loader, cmd: Command, args: unknown[]) => Promise<void>;

const SECRET_HELP = `
Secrets (PIN, PUK) are never taken from arguments. They come from:
  a hidden prompt on a terminal (the new PIN typed twice),
  --stdin  one per line: verify: PIN; change: current PIN, new PIN; unblock: PUK, new PIN
  --env    CNS_PIN, CNS_NEW_PIN, CNS_PUK
Tries left are shown before asking. With one try left the command acts only with
--last-attempt or a typed confirmation. No PIN or PUK command is ever retried by this tool.`;

const READER_HELP = `
Readers:
  (none)                the only reader holding a TS-CNS
  --reader NAME         a PC/SC reader: exact name, unique part of it, or its number in "cns readers"
  --reader sim          the demo virtual card (created on first use; PIN 12345, PUK 12345678)
  --reader sim:IMAGE    a virtual card image made with "cns sim create IMAGE"`;

/**
 * Build the command tree. Each action imports its module only when it runs, so that
 * `cns --help` loads neither pkijs nor the prompts.
 */
export function buildProgram(run: Runner): Command {
  const program = new Command('cns')
    .description('Manage an Italian TS-CNS (Tessera Sanitaria - Carta Nazionale dei Servizi) smart card.\nGestione della Tessera Sanitaria - Carta Nazionale dei Servizi.')
    .version(VERSION, '-V, --version')
    .option('-r, --reader <reader>', 'reader: name, part of it, number, sim, sim:IMAGE')
    .option('--json', 'one JSON document on stdout (schemaVersion 1)')
    .addOption(new Option('--lang <lang>', 'language of messages (default from LC_ALL/LC_MESSAGES/LANG)').choices(['it', 'en']))
    .option('--trace', 'print every APDU to stderr (PIN and PUK data redacted)')
    .addOption(new Option('--backend <backend>', 'pcsc (raw APDUs) or pkcs11 (through a middleware); default: pcsc, else pkcs11').choices(['pcsc', 'pkcs11']))
    .option('--module <path>', 'PKCS#11 module to use (implies --backend pkcs11); default: OpenSC, bit4id xPKI or Athena if installed')
    .option('--no-color', 'no colours (also NO_COLOR=1, and whenever stdout is not a terminal)')
    .showHelpAfterError(false)
    .addHelpText('after', `${READER_HELP}\n${SECRET_HELP}\n\n${EXIT_TABLE_TEXT}\n`);

  const lazy = (load: Loader) =>
    function (this: Command, ...args: unknown[]): Promise<void> {
      return run(load, this, args);
    };
  const pinOp = (op: 'verify' | 'change' | 'unblock'): Loader => async () => {
    const m = await import('../commands/pin.js');
    return ((ctx: Context, o: Parameters<typeof m.pinCommand>[2]) => m.pinCommand(ctx, op, o)) as Action;
  };

  // `cns` alone: the guided menu on a terminal, the help otherwise
  program.action(
    lazy(async () => {
      const { guidedCommand } = await import('../commands/guided.js');
      return (async (ctx: Context) => {
        if (ctx.json || !process.stdin.isTTY || !process.stderr.isTTY) {
          program.outputHelp();
          return 0;
        }
        return guidedCommand(ctx);
      }) as Action;
    }),
  );

  program
    .command('readers')
    .description('list readers (and the virtual card "sim"): card present, ATR, model')
    .action(lazy(async () => (await import('../commands/readers.js')).readersCommand as Action));

  program
    .command('watch')
    .description('one JSON line per reader/card event on stdout, until Ctrl-C (for kiosks)')
    .option('--once', 'wait for the next card insertion, print it and exit')
    .action(lazy(async () => (await import('../commands/watch.js')).watchCommand as Action));

  program
    .command('status')
    .description('everything readable without a PIN: card, holder, certificate, PIN/PUK tries (spends no attempt)')
    .option(...WARN_DAYS)
    .action(lazy(async () => (await import('../commands/status.js')).statusCommand as Action));

  const pin = program.command('pin').description('verify, change or unblock the PIN');
  const secretOpts = (c: Command): Command =>
    c
      .option('--stdin', 'read the secrets from standard input, one per line')
      .option('--env', 'read the secrets from CNS_PIN / CNS_NEW_PIN / CNS_PUK')
      .option('--last-attempt', 'allow using the last remaining try')
      .addHelpText('after', SECRET_HELP);
  secretOpts(pin.command('verify').description('check the PIN (spends a try only if it is wrong)'))
    .option('--sign-test', 'also make a test signature with the card key and verify it')
    .action(lazy(pinOp('verify')));
  secretOpts(pin.command('change').description('change the PIN (current PIN, then the new one)')).action(lazy(pinOp('change')));
  secretOpts(pin.command('unblock').description('unblock the PIN with the PUK and set a new PIN')).action(lazy(pinOp('unblock')));

  const cert = program.command('cert').description('the authentication certificate');
  cert
    .command('show')
    .description('subject, issuer, serial, validity')
    .option(...WARN_DAYS)
    .action(lazy(async () => (await import('../commands/cert.js')).certShowCommand as Action));
  cert
    .command('export')
    .description('write the certificate (PEM or DER) to a file or stdout')
    .addOption(new Option('--format <format>', 'pem or der').choices(['pem', 'der']).default('pem'))
    .option('-o, --out <file>', 'output file (default: stdout)')
    .option('-f, --force', 'overwrite an existing file')
    .action(lazy(async () => (await import('../commands/cert.js')).certExportCommand as Action));
  cert
    .command('check')
    .description('exit 8 when the certificate is expired, not yet valid, or expires within --warn-days')
    .option(...WARN_DAYS)
    .action(lazy(async () => (await import('../commands/cert.js')).certCheckCommand as Action));

  program
    .command('completion')
    .description('print shell completion: source <(cns completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action(lazy(async () => (await import('../commands/completion.js')).completionCommand as unknown as Action));

  program
    .command('doctor')
    .description('read-only diagnosis for help desks: service, readers, card, middleware, tries, certificate (never asks a PIN)')
    .option('--report <file>', 'write a JSON ticket without personal data (name, codice fiscale... only as a salted hash)')
    .option('--all-readers', 'diagnose every reader, concurrently')
    .option('--salt <salt>', 'salt for the holder hash (default CNS_REPORT_SALT, else one kept in the state directory)')
    .action(lazy(async () => (await import('../commands/doctor.js')).doctorCommand as Action));

  program
    .command('extend')
    .description('the 2023 validity extension of the CNS certificate (until 31/12/2023)')
    .option('--check', 'only evaluate the eligibility rules (exit 10 when not eligible)')
    .option('--at <date>', 'evaluate at this date instead of today (ISO date or date-time)')
    .option('--crl <file>', 'a local CRL (PEM or DER) to check revocation')
    .option('--service <url>', 'the extension service (default CNS_EXTENSION_URL, else http://127.0.0.1:8470)')
    .option('--ca-cert <pem>', 'pin the issuing CA instead of trusting the one the service sends')
    .option('--timeout <s>', 'seconds to wait for the service (default 15)')
    .option('--retries <n>', 'network retries (default 2; never PIN/PUK)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--resume', 'finish an interrupted, journaled certificate write')
    .option('--restore <backup>', 'write a saved certificate back to the card (PUK required)')
    .option('--stdin', 'read the PIN then the PUK from standard input, one per line')
    .option('--env', 'read CNS_PIN and CNS_PUK')
    .option('--last-attempt', 'allow using the last remaining PIN or PUK try')
    .action(lazy(async () => (await import('../commands/extend.js')).extendCommand as Action));

  program
    .command('extension-service')
    .description('run the reference extension service (plays the retired Sistema TS side)')
    .option('--port <port>', 'TCP port (default 8470; 0 = any free port)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--ca-cert <pem>', 'issuing CA certificate (default: the project test CA)')
    .option('--ca-key <pem>', 'issuing CA key')
    .option('--revoked <file>', 'revoked certificate serials, one per line (hex)')
    .option('--now <date>', 'the service clock (ISO date or date-time), for tests and demos')
    .action(lazy(async () => (await import('../commands/extensionService.js')).extensionServiceCommand as Action));

  const sim = program.command('sim').description('the virtual TS-CNS card');
  sim
    .command('create')
    .description('create a virtual card image (a JSON file holding the whole card state)')
    .argument('<image>', 'path of the card image to write')
    .option('--pin <digits>', 'PIN of the test card (5-8 digits)', '12345')
    .option('--puk <digits>', 'PUK of the test card (8 digits)', '12345678')
    .option('--pin-tries <n>', 'PIN retry counter', '3')
    .option('--puk-tries <n>', 'PUK retry counter', '10')
    .option('--atr <hex>', 'ATR (default: STIncard TS-CNS, CNS 1.1)')
    .option('--key-size <bits>', '1024 or 2048 (default from the ATR: 2048 for CNS 1.1)')
    .option('--not-before <date>', 'certificate start (ISO date or date-time; dates are Italian days)')
    .option('--not-after <date>', 'certificate end (ISO date = end of that Italian day)')
    .option('--surname <s>', 'holder surname', 'ROSSI')
    .option('--given-name <s>', 'holder given name', 'MARIO')
    .option('--codice-fiscale <cf>', 'holder codice fiscale (valid check character)', 'RSSMRA80A01H501U')
    .option('--card-id <digits>', '16 digits with a Luhn check digit (default: random)')
    .option('--cert <pem>', 'use this certificate instead of generating one (with --key)')
    .option('--key <pem>', 'the private key of --cert')
    .option('--ca-cert <pem>', 'issuing CA certificate (default: the project test CA)')
    .option('--ca-key <pem>', 'issuing CA key')
    .option('-f, --force', 'overwrite an existing image')
    .addHelpText('after', '\nThe --pin and --puk of a virtual test card are fixtures, not secrets: never use real codes here.')
    .action(lazy(async () => (await import('../commands/sim.js')).simCreateCommand as unknown as Action));

  sim
    .command('attach')
    .description('put a card image in a vpcd virtual reader (pcscd: "Virtual PCD 00 00") until stopped')
    .argument('<image>', 'the card image')
    .option('--vpcd <host:port>', 'where vpcd listens', '127.0.0.1:35963')
    .option('--port <port>', 'vpcd port (35964 is the second reader, "Virtual PCD 00 01")')
    .option('--leave-after <n>', 'fault injection for tests: leave the reader after N APDUs')
    .option('--stats <file>', 'keep the APDU and byte counts in this file (benchmark)')
    .action(lazy(async () => (await import('../commands/simAttach.js')).simAttachCommand as unknown as Action));

  return program;
}

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

export async function main(argv: string[]): Promise<number> {
  // `cns status | head`: a closed pipe is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let exit: number = EXIT.OK;
  let ctx: Context | undefined;
  const render = async (e: unknown): Promise<number> => {
    const c = ctx ?? safeContext(argv);
    const { renderError } = await import('./render.js');
    return renderError(c, e);
  };
  const program = buildProgram(
    async (load, cmd, args) => {
      // commander passes the positional arguments, then the options, then the command
      const opts = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      try {
        ctx = await Context.create(opts);
        const fn = (await load()) as (c: Context, ...a: unknown[]) => Promise<number>;
        exit = await fn(ctx, ...args.slice(0, -2), opts);
      } catch (e) {
        exit = await render(e);
      }
    },
  );
  program.exitOverride();
  let usage = '';
  program.configureOutput({ writeErr: (s) => (usage += s), outputError: (s) => (usage += s) });
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => (usage += s), outputError: (s) => (usage += s) });
    for (const cc of c.commands) {
      cc.exitOverride();
      cc.configureOutput({ writeErr: (s) => (usage += s), outputError: (s) => (usage += s) });
    }
  }
  try {
    // `cns stauts`: say "unknown command", not commander's "too many arguments" for the root action
    const valueOptions = new Set(['-r', '--reader', '--lang', '--backend', '--module']);
    const args = argv.slice(2);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (valueOptions.has(a)) i++;
      else if (!a.startsWith('-')) {
        const names = program.commands.map((c) => c.name());
        if (!names.includes(a)) {
          const near = names.filter((n) => n.startsWith(a.slice(0, 2)));
          return render(new CliError('USAGE', { detail: `unknown command "${a}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; see cns --help` }));
        }
        break;
      }
    }
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        if (usage) process.stderr.write(usage);
        return EXIT.OK;
      }
      // Bare group commands ("cns pin") print their help: not an error for a human.
      if (e.code === 'commander.executeSubCommandAsync' || e.exitCode === 0) return EXIT.OK;
      const detail = usage.replace(/^error: /, '').trim() || e.message;
      return render(new CliError('USAGE', { detail }));
    }
    return render(e);
  }
  return exit;
}

/** A context for errors raised before the command's own context exists. */
function safeContext(argv: string[]): Context {
  const i = argv.indexOf('--lang');
  const lang = i > 0 ? argv[i + 1] : undefined;
  return new Context({ json: wantsJson(argv), lang: lang === 'it' || lang === 'en' ? lang : detectLang(), color: !argv.includes('--no-color') });
}
