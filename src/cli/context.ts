import type { ChalkInstance } from 'chalk';
import { ApduTracer } from '../apdu/trace.js';
import { romeDate } from '../card/dates.js';
import type { OpenOptions } from '../device/open.js';
import type { CliError } from './errors.js';
import { EXIT_FOR } from './exitCodes.js';
import { detectLang, humanDay, type Lang, type MessageKey, message, messageKey, VARIANT_KEYS } from './i18n.js';
import { isTerminal, err as stderr, out as stdout } from './stdio.js';

export interface GlobalOptions {
  reader?: string;
  json?: boolean;
  /** Values of options with choices are checked by the program (commander), once. */
  lang?: Lang;
  trace?: boolean;
  color?: boolean;
  backend?: 'pcsc' | 'pkcs11';
  module?: string;
}

export const SCHEMA_VERSION = 1;

/** Styles that do nothing, for output without colour: chalk is then not even loaded. */
type AnyStyle = ((s: string) => string) & { [k: string]: AnyStyle };
const plain: AnyStyle = new Proxy(((s: string) => s) as AnyStyle, { get: () => plain });

/** Whether to colour: not with --no-color, NO_COLOR, or when stdout is not a terminal. */
export function wantsColor(opts: GlobalOptions, env: NodeJS.ProcessEnv): boolean {
  return opts.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && isTerminal(1);
}

/** What every command gets: language, output mode, styling, the trace. */
export class Context {
  readonly lang: Lang;
  readonly json: boolean;
  /** The reader the card is in (`--reader`, or the one picked in the guided menu). */
  reader?: string;
  c: ChalkInstance = plain as unknown as ChalkInstance;
  readonly tracer?: ApduTracer;
  /** In the guided menu: messages name menu entries instead of commands, codes are for the help desk. */
  guided = false;
  private resultWritten = false;
  /** JSON documents on one line each (watch's stream of events, and its last error). */
  oneLine = false;

  constructor(
    readonly opts: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.lang = detectLang(env, opts.lang);
    this.json = !!opts.json;
    this.reader = opts.reader;
    if (opts.trace) this.tracer = new ApduTracer((line) => stderr(`${line}\n`));
  }

  /** Load chalk only when the output will actually be coloured. */
  static async create(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Context> {
    const ctx = new Context(opts, env);
    if (wantsColor(opts, env)) {
      const { Chalk } = await import('chalk');
      ctx.c = new Chalk({ level: 1 });
    }
    return ctx;
  }

  /** How the device layer should reach the card, from the global options. */
  get cardOptions(): OpenOptions {
    return { reader: this.reader, backend: this.opts.backend, module: this.opts.module, tracer: this.tracer, env: this.env };
  }

  /** An Italian calendar day (YYYY-MM-DD), or an instant, as people read dates in this language. */
  day(d: string | Date): string {
    return humanDay(this.lang, typeof d === 'string' ? d : romeDate(d));
  }

  t(key: MessageKey, params: Record<string, string | number | null | undefined> = {}): string {
    const guided = this.guided && VARIANT_KEYS.G.has(key) ? messageKey(`${key}_G`) : undefined;
    return message(this.lang, guided ?? key, params);
  }

  /** A line of the human-readable result (stdout, text mode only). */
  print(line = ''): void {
    if (!this.json) stdout(`${line}\n`);
  }

  /** Progress, warnings and tries shown around prompts: stderr, so stdout stays the result. */
  note(line: string): void {
    stderr(`${line}\n`);
  }

  /**
   * The one JSON document of a successful command. The rule of every document (issue 23 item 7):
   * `ok` is true exactly when the exit code is 0, `exitCode` is always there, and a document with
   * `ok: false` always has `error` (see failure).
   */
  result(doc: Record<string, unknown>): void {
    if (!this.json || this.resultWritten) return;
    this.resultWritten = true;
    stdout(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ok: true, exitCode: 0, ...doc }, null, 2)}\n`);
  }

  /**
   * Render a failure; returns the exit code. In JSON: `ok: false`, the exit code, what the command
   * found before its verdict (err.extra.result, top-level as on success) and `error`.
   * `text: false` writes the JSON document only: the command has already said it in its own lines.
   */
  failure(err: CliError, messageText: string, exit = EXIT_FOR[err.code], text = true): number {
    if (this.json) {
      if (!this.resultWritten) {
        const error: Record<string, unknown> = { code: err.code, message: messageText, exitCode: exit };
        if (err.extra.triesLeft !== undefined) error.triesLeft = err.extra.triesLeft;
        if (err.extra.hint) error.hint = err.extra.hint;
        if (err.extra.data) Object.assign(error, err.extra.data);
        const doc = { schemaVersion: SCHEMA_VERSION, ok: false, exitCode: exit, ...err.extra.result, error };
        stdout(`${JSON.stringify(doc, null, this.oneLine ? undefined : 2)}\n`);
        this.resultWritten = true;
      }
    } else if (text) {
      const code = this.guided ? ` (${this.t('supportCode', { code: err.code })})` : ` [${err.code}]`;
      stderr(`${this.c.red(this.guided ? messageText : `cns: ${messageText}`)}${this.c.dim(code)}\n`);
      if (err.extra.hint) stderr(`${err.extra.hint}\n`);
    }
    return exit;
  }
}
