import { readSync } from 'node:fs';
import { PIN_MAX, PIN_MIN, PUK_LENGTH } from '../card/files.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import type { MessageKey } from './i18n.js';
import { isTerminal } from './stdio.js';

export type SecretName = 'pin' | 'currentPin' | 'newPin' | 'puk';

export interface SecretOptions {
  stdin?: boolean;
  env?: boolean;
}

const ENV_VAR: Record<SecretName, string> = { pin: 'CNS_PIN', currentPin: 'CNS_PIN', newPin: 'CNS_NEW_PIN', puk: 'CNS_PUK' };
const NAME_KEY: Record<SecretName, MessageKey> = { pin: 'secPin', currentPin: 'secCurrentPin', newPin: 'secNewPin', puk: 'secPuk' };
const PROMPT: Record<SecretName, MessageKey> = {
  pin: 'promptPin',
  currentPin: 'promptCurrentPin',
  newPin: 'promptNewPin',
  puk: 'promptPuk',
};

/** Local format check, before the card sees anything: digits only, PIN 5-8, PUK exactly 8. */
export function checkFormat(name: SecretName, value: string): CliError | undefined {
  if (name === 'puk') return new RegExp(`^\\d{${PUK_LENGTH}}$`).test(value) ? undefined : new CliError('INVALID_PUK_FORMAT');
  const ok = new RegExp(`^\\d{${PIN_MIN},${PIN_MAX}}$`).test(value);
  return ok ? undefined : new CliError('INVALID_PIN_FORMAT', { what: 'PIN', len: `${PIN_MIN}-${PIN_MAX}` });
}

/**
 * Standard input's lines, to its end, read from descriptor 0 itself: Node's stdin stream costs
 * ~6.7 ms to build for a pipe (issue 27), more than reading a PIN. Memory is bounded whatever
 * comes in: every line is counted, the first KEEP_LINES kept, each with its first LINE_KEEP bytes
 * (a longer line is no PIN or PUK, at most 8 digits, either way: the checks give what they gave on
 * the whole line). A descriptor that would block (set non-blocking, nothing written yet) is read
 * on through Node's stream, which waits.
 */
const LINE_KEEP = 16;
const KEEP_LINES = 4;

async function readStdinLines(): Promise<{ lines: string[]; count: number }> {
  const kept: Buffer[] = [];
  let count = 0;
  let line: Buffer = Buffer.alloc(0);
  const keep = (have: Buffer, more: Buffer): Buffer =>
    have.length >= LINE_KEEP ? have : Buffer.concat([have, more.subarray(0, LINE_KEEP - have.length)]);
  const end = (): void => {
    if (count++ < KEEP_LINES) kept.push(line);
    line = Buffer.alloc(0);
  };
  const take = (chunk: Buffer): void => {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      line = keep(line, chunk.subarray(from, nl));
      end();
      from = nl + 1;
    }
    line = keep(line, chunk.subarray(from));
  };
  const buf = Buffer.allocUnsafe(4096);
  let stream = false;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') break; // Windows' end of a pipe
      if (code !== 'EAGAIN') throw e;
      stream = true;
      break;
    }
    if (n === 0) break;
    take(buf.subarray(0, n));
  }
  if (stream) for await (const c of process.stdin) take(c as Buffer);
  // as split('\n') with one empty last line dropped: "1\n" and "1" are one line, "" none
  if (line.length > 0) end();
  return { lines: kept.map((l) => l.toString('utf8').replace(/\r$/, '')), count };
}

export function canPrompt(): boolean {
  return isTerminal(0) && isTerminal(2);
}

/** Ctrl-C inside a prompt: the user declined; nothing was sent. */
export function isPromptAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}

/**
 * Where the secrets of one operation come from: a hidden prompt, --stdin (one per line) or
 * --env. Never an argument. Values are validated as soon as they are known.
 */
export class Secrets {
  private readonly values = new Map<SecretName, string>();
  readonly interactive: boolean;
  /** A check of the new PIN known only once the card is read (an easy-to-guess PIN). */
  private newPinCheck?: (v: string) => CliError | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly opts: SecretOptions,
    private readonly order: SecretName[],
  ) {
    if (opts.stdin && opts.env) throw new CliError('USAGE', { detail: ctx.t('secStdinEnv') });
    this.interactive = !opts.stdin && !opts.env;
  }

  /** The secrets asked for, in the user's words: "PUK, nuovo PIN". */
  private names(): string {
    return this.order.map((n) => this.ctx.t(NAME_KEY[n])).join(', ');
  }

  /** For --stdin/--env: read and check everything now, before the card is touched. */
  async preload(): Promise<void> {
    if (this.interactive) {
      if (!canPrompt()) throw new CliError('NO_SECRET_SOURCE', { what: this.order.includes('puk') ? 'PUK' : 'PIN' });
      // a PIN will be asked: nothing typed from now on shows before its prompt
      const { quietTerminal } = await import('./typeahead.js');
      quietTerminal();
      return;
    }
    if (this.opts.stdin) {
      if (isTerminal(0)) throw new CliError('USAGE', { detail: this.ctx.t('secStdinTty') });
      const { lines, count } = await readStdinLines();
      if (count !== this.order.length) {
        throw new CliError('USAGE', {
          detail: this.ctx.t('secStdinLines', { n: this.order.length, names: this.names(), got: count }),
        });
      }
      this.order.forEach((n, i) => {
        this.values.set(n, lines[i]!);
      });
    } else {
      for (const n of this.order) {
        const v = this.ctx.env[ENV_VAR[n]];
        if (v === undefined) throw new CliError('USAGE', { detail: this.ctx.t('secEnvMissing', { name: ENV_VAR[n] }) });
        this.values.set(n, v);
      }
    }
    for (const n of this.order) {
      const err = checkFormat(n, this.values.get(n)!);
      if (err) throw err;
    }
    const cur = this.values.get('currentPin');
    if (cur !== undefined && cur === this.values.get('newPin')) {
      throw new CliError('INVALID_INPUT', { what: 'PIN', detail: this.ctx.t('samePin') });
    }
  }

  /**
   * Check the new PIN with what the card says (the holder's birth date): a new PIN already
   * given by --stdin/--env that fails is refused now, before anything is sent; at a prompt the
   * user is told why and asked again.
   */
  checkNewPin(check: (v: string) => CliError | undefined): void {
    this.newPinCheck = check;
    const have = this.values.get('newPin');
    if (have !== undefined) {
      const err = check(have);
      if (err) throw err;
    }
  }

  async get(name: SecretName): Promise<string> {
    const have = this.values.get(name);
    if (have !== undefined) return have;
    const { password } = await import('@inquirer/prompts');
    const { discardTypeAhead } = await import('./typeahead.js');
    const ask = async (key: MessageKey): Promise<string> => {
      // what was typed before the prompt appeared is not the answer to it
      discardTypeAhead();
      try {
        return await ctrlDAborts((signal) =>
          password({ message: this.ctx.t(key), mask: '*', theme: promptTheme(this.ctx) }, { output: process.stderr, signal }),
        );
      } catch (e) {
        if (isPromptAbort(e)) throw new CliError('DECLINED');
        throw e;
      }
    };
    for (let attempt = 1; ; attempt++) {
      const v = await ask(PROMPT[name]);
      const err = checkFormat(name, v);
      let problem: CliError | undefined = err;
      if (!problem && name === 'newPin') {
        const weak = this.newPinCheck?.(v);
        if (v === this.values.get('currentPin')) {
          problem = new CliError('INVALID_INPUT', { what: 'PIN', detail: this.ctx.t('samePin') });
        } else if (weak)
          problem = weak; // said below, and asked again
        else if ((await ask('promptNewPinAgain')) !== v) problem = new CliError('PIN_MISMATCH');
      }
      if (!problem) {
        this.values.set(name, v);
        return v;
      }
      if (attempt >= 3) throw problem;
      this.ctx.note(this.ctx.c.yellow(this.ctx.t(problem.code, problem.params)));
    }
  }

  /** With one try left: --last-attempt, or the typed confirmation word on a terminal. */
  async confirmLastAttempt(what: string, flag: boolean | undefined, countUnknown = false): Promise<void> {
    this.ctx.note(this.ctx.c.yellow.bold(this.ctx.t(countUnknown ? 'unknownTriesWarning' : 'lastAttemptWarning', { what })));
    if (flag) return;
    if (!this.interactive || !canPrompt()) throw new CliError('LAST_ATTEMPT_REFUSED', { what });
    const { input } = await import('@inquirer/prompts');
    let answer: string;
    try {
      answer = await ctrlDAborts((signal) => input({ message: this.ctx.t('lastAttemptConfirm') }, { output: process.stderr, signal }));
    } catch (e) {
      if (isPromptAbort(e)) throw new CliError('LAST_ATTEMPT_REFUSED', { what });
      throw e;
    }
    if (answer.trim().toUpperCase() !== this.ctx.t('lastAttemptWord')) throw new CliError('LAST_ATTEMPT_REFUSED', { what });
  }
}

const HINTS: Record<string, MessageKey> = { navigate: 'hintNavigate', select: 'hintSelect', 'toggle visibility': 'hintToggle' };

/** The prompts' key hints ("↑↓ navigate • ⏎ select") in the user's language. */
export function promptTheme(ctx: Context): { style: { keysHelpTip: (keys: [string, string][]) => string } } {
  return {
    style: {
      keysHelpTip: (keys) =>
        keys
          .map(([key, action]) => `${ctx.c.bold(key)} ${ctx.c.dim(HINTS[action] ? ctx.t(HINTS[action]) : action)}`)
          .join(ctx.c.dim(' • ')),
    },
  };
}

/**
 * Run a prompt so that Ctrl-D at it counts as Ctrl-C (the prompt is aborted, nothing is sent):
 * the prompt library would otherwise let standard input close and the process end silently.
 */
export async function ctrlDAborts<T>(ask: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onKey = (_s: unknown, key: { ctrl?: boolean; name?: string } | undefined): void => {
    if (key?.ctrl && key.name === 'd') ac.abort();
  };
  process.stdin.on('keypress', onKey);
  // the process must not end while readline lets go of the terminal
  const alive = setInterval(() => {}, 1 << 30);
  try {
    return await ask(ac.signal);
  } finally {
    clearInterval(alive);
    process.stdin.removeListener('keypress', onKey);
  }
}

/** A yes/no question in the user's language (Sì / No), Ctrl-D as Ctrl-C. */
/**
 * A yes/no question answered by typing, in the user's language: Italian takes s, si, sì, n, no
 * (and y, yes), English y, yes, n, no; Enter takes the default. The answer shows as Sì/No (Yes/No).
 */
export async function confirmTyped(ctx: Context, message: string, dflt: boolean): Promise<boolean> {
  const { input } = await import('@inquirer/prompts');
  const yes = ctx.lang === 'it' ? /^(s|si|s\u00ec|y|yes)$/i : /^(y|yes)$/i;
  const no = /^(n|no)$/i;
  const hint = ctx.lang === 'it' ? (dflt ? 'S/n' : 's/N') : dflt ? 'Y/n' : 'y/N';
  // NFC: a terminal may send "sì" as s, i and a combining accent
  const norm = (x: string): string => x.normalize('NFC').trim();
  const v = await ctrlDAborts((signal) =>
    input(
      {
        message: `${message} (${hint})`,
        validate: (x) => norm(x) === '' || yes.test(norm(x)) || no.test(norm(x)) || ctx.t('yesNoHint'),
        transformer: (x, { isFinal }) => (isFinal ? ctx.t((norm(x) === '' ? dflt : yes.test(norm(x))) ? 'yesChoice' : 'noChoice') : x),
      },
      { output: process.stderr, signal },
    ),
  );
  return norm(v) === '' ? dflt : yes.test(norm(v));
}

export async function askYesNo(ctx: Context, message: string, dflt: boolean): Promise<boolean> {
  const { select } = await import('@inquirer/prompts');
  return ctrlDAborts((signal) =>
    select<boolean>(
      {
        message,
        choices: [
          { value: true, name: ctx.t('yesChoice') },
          { value: false, name: ctx.t('noChoice') },
        ],
        default: dflt,
        theme: promptTheme(ctx),
      },
      { output: process.stderr, signal },
    ),
  );
}
