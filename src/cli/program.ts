import { Command, Option } from 'commander';
import type { Context } from './context.js';
import { EXIT_TABLE_TEXT } from './exitCodes.js';
import { VERSION } from './version.js';

const WARN_DAYS = ['--warn-days <n>', 'days before expiry that count as "expiring"', '30'] as const;

/** A command's implementation: the context, its positional arguments, then its options. */
export type Action = (ctx: Context, ...args: never[]) => Promise<number>;
export type Loader = () => Promise<Action>;
export type Runner = (load: Loader, cmd: Command, args: unknown[]) => Promise<void>;

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
    .description(
      'Manage an Italian TS-CNS (Tessera Sanitaria - Carta Nazionale dei Servizi) smart card.\nGestione della Tessera Sanitaria - Carta Nazionale dei Servizi.',
    )
    .version(VERSION, '-V, --version')
    .option('-r, --reader <reader>', 'reader: name, part of it, number, sim, sim:IMAGE')
    .option('--json', 'one JSON document on stdout (schemaVersion 1)')
    .addOption(new Option('--lang <lang>', 'language of messages (default from LC_ALL/LC_MESSAGES/LANG)').choices(['it', 'en']))
    .option('--trace', 'print every APDU to stderr (PIN and PUK data redacted)')
    .addOption(
      new Option('--backend <backend>', 'pcsc (raw APDUs) or pkcs11 (through a middleware); default: pcsc, else pkcs11').choices([
        'pcsc',
        'pkcs11',
      ]),
    )
    .option('--module <path>', 'PKCS#11 module to use (implies --backend pkcs11); default: OpenSC, bit4id xPKI or Athena if installed')
    .option('--no-color', 'no colours (also NO_COLOR=1, and whenever stdout is not a terminal)')
    .showHelpAfterError(false)
    .addHelpText('after', `${READER_HELP}\n${SECRET_HELP}\n\n${EXIT_TABLE_TEXT}\n`);

  const lazy = (load: Loader) =>
    function (this: Command, ...args: unknown[]): Promise<void> {
      return run(load, this, args);
    };
  const pinOp =
    (op: 'verify' | 'change' | 'unblock'): Loader =>
    async () => {
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
    .action(
      lazy(async () => {
        const { completionCommand } = await import('../commands/completion.js');
        // the completion is generated from this very tree
        return ((ctx: Context, shell: string) => completionCommand(ctx, shell, program)) as Action;
      }),
    );

  program
    .command('doctor')
    .description('read-only diagnosis for help desks: service, readers, card, middleware, tries, certificate (never asks a PIN)')
    .option(
      '--report <file>',
      'write a JSON ticket: checks, versions, reader, ATR, card id and certificate serial; no name, codice fiscale, address or birth data (the holder only as a salted hash). The card id and serial identify the card to whoever holds the card database: see --redact-ids',
    )
    .option('--redact-ids', 'in the ticket, the card id and the certificate serial as salted hashes too')
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
    .option('--issued <file>', 'where issued certificates are remembered, one per extended certificate (default: the state directory)')
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
    .option('--pin-tries-left <n>', 'PIN tries left now (default: all; 0: a blocked PIN, for training)')
    .option('--puk-tries-left <n>', 'PUK tries left now (default: all; 0: a blocked PUK)')
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
    .option('--mute-after <n>', 'fault injection for tests: stay in the reader but answer nothing after N APDUs')
    .option('--garbage-after <n>', 'fault injection for tests: answer garbage after N APDUs')
    .option('--garbage <hex>', 'the garbage (default 90: one byte, no status word; "" empty; 6110 endless 61xx)')
    .option('--stats <file>', 'keep the APDU and byte counts in this file (benchmark)')
    .action(lazy(async () => (await import('../commands/simAttach.js')).simAttachCommand as unknown as Action));

  return program;
}
