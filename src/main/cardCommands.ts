import type { Context } from '../cli/context.js';
import type { MessageKey } from '../cli/i18n.js';

/** A command's implementation: the context, its positional arguments, then its options. */
export type Action = (ctx: Context, ...args: never[]) => Promise<number>;
export type Loader = () => Promise<Action>;

/**
 * An option as a command declares it to commander (program.ts). The commands the quick path
 * parses without commander (quick.ts) are declared from these same lists, which that path reads:
 * one declaration for both. This module loads no commander: the quick path runs without it.
 */
export interface OptionDecl {
  readonly flags: string;
  readonly help: MessageKey;
  readonly def?: string;
  readonly choices?: readonly string[];
}

/** The global options, on the root: every command takes them. */
export const GLOBAL_OPTIONS: readonly OptionDecl[] = [
  { flags: '-r, --reader <reader>', help: 'h_reader' },
  { flags: '--json', help: 'h_json' },
  { flags: '--lang <lang>', help: 'h_lang', choices: ['it', 'en'] },
  { flags: '--trace', help: 'h_trace' },
  { flags: '--backend <backend>', help: 'h_backend', choices: ['pcsc', 'pkcs11'] },
  { flags: '--module <path>', help: 'h_module' },
  { flags: '--no-color', help: 'h_noColor' },
];

const WARN_DAYS: OptionDecl = { flags: '--warn-days <n>', help: 'h_warnDays', def: '30' };
const SECRET_OPTIONS: readonly OptionDecl[] = [
  { flags: '--stdin', help: 'h_stdin' },
  { flags: '--env', help: 'h_env' },
  { flags: '--last-attempt', help: 'h_lastAttempt' },
  { flags: '--no-pinpad', help: 'h_noPinpad' },
];

const pinOp =
  (op: 'verify' | 'change' | 'unblock'): Loader =>
  async () => {
    const m = await import('../commands/pin.js');
    return ((ctx: Context, o: Parameters<typeof m.pinCommand>[2]) => m.pinCommand(ctx, op, o)) as Action;
  };

/** A command the quick path may run: its words, its own options, its action's loader. */
export interface CommandDecl {
  readonly options: readonly OptionDecl[];
  readonly load: Loader;
}

/** The commands a card is used for most (kiosks, scripts, the bench), declared once for commander and the quick path. */
export type CardCommand = 'readers' | 'status' | 'pin verify' | 'pin change' | 'pin unblock' | 'cert show' | 'cert export' | 'cert check';

export const CARD_COMMANDS: Readonly<Record<CardCommand, CommandDecl>> = {
  readers: { options: [], load: async () => (await import('../commands/readers.js')).readersCommand as Action },
  status: { options: [WARN_DAYS], load: async () => (await import('../commands/status.js')).statusCommand as Action },
  'pin verify': {
    options: [...SECRET_OPTIONS, { flags: '--signature', help: 'h_signatureKeyset' }, { flags: '--sign-test', help: 'h_signTest' }],
    load: pinOp('verify'),
  },
  'pin change': {
    options: [...SECRET_OPTIONS, { flags: '--allow-weak', help: 'h_allowWeak' }, { flags: '--signature', help: 'h_signatureKeyset' }],
    load: pinOp('change'),
  },
  'pin unblock': {
    options: [...SECRET_OPTIONS, { flags: '--allow-weak', help: 'h_allowWeak' }, { flags: '--signature', help: 'h_signatureKeyset' }],
    load: pinOp('unblock'),
  },
  'cert show': {
    options: [WARN_DAYS, { flags: '--signature', help: 'h_signatureCert' }],
    load: async () => (await import('../commands/cert.js')).certShowCommand as Action,
  },
  'cert export': {
    options: [
      { flags: '--format <format>', help: 'h_format', choices: ['pem', 'der'], def: 'pem' },
      { flags: '-o, --out <file>', help: 'h_out' },
      { flags: '-f, --force', help: 'h_forceFile' },
      { flags: '--signature', help: 'h_signatureCert' },
    ],
    load: async () => (await import('../commands/cert.js')).certExportCommand as Action,
  },
  'cert check': { options: [WARN_DAYS], load: async () => (await import('../commands/cert.js')).certCheckCommand as Action },
};
