import { Option } from 'commander';
import { CARD_COMMANDS, type CardCommand, type CommandDecl, GLOBAL_OPTIONS, type Loader, type OptionDecl } from './program.js';

/**
 * The quick path (issue 27): the card commands of CARD_COMMANDS, written in their plain form,
 * parsed without building commander's tree and running its parse (~2 ms of every such command).
 *
 * Plain form: the command's words first, then only options that command or the root declares,
 * each at most once: a flag alone, an option and its value as two words, or `--option=value`.
 * Anything else (help, version, an option before the command, an unknown or repeated option, a
 * value that begins with `-`, a value outside its choices, an operand, `--`) returns undefined,
 * and commander parses as before, with its errors and help. The options read are the very
 * declarations commander is given (program.ts), each read with commander's own Option class; the
 * result is what commander's optsWithGlobals() gives for the same words (test/quick.test.ts
 * compares the two).
 */
export function quickCommand(argv: readonly string[]): { path: string; load: Loader; opts: Record<string, unknown> } | undefined {
  const words = argv.slice(2);
  let path = words[0] ?? '';
  let decl: CommandDecl | undefined = commandDecl(path);
  let rest = 1;
  if (!decl) {
    path = `${words[0] ?? ''} ${words[1] ?? ''}`;
    decl = commandDecl(path);
    rest = 2;
  }
  if (!decl) return undefined;
  const byFlag = new Map<string, Option>();
  const opts: Record<string, unknown> = {};
  const declare = (list: readonly OptionDecl[]): void => {
    for (const d of list) {
      const o = new Option(d.flags);
      if (d.choices) o.choices(d.choices);
      if (d.def !== undefined) o.default(d.def);
      for (const f of [o.long, o.short]) if (f) byFlag.set(f, o);
      // commander's defaults: the declared one, and true for a `--no-` option
      if (o.defaultValue !== undefined) opts[o.attributeName()] = o.defaultValue;
      else if (o.negate) opts[o.attributeName()] = true;
    }
  };
  declare(GLOBAL_OPTIONS);
  declare(decl.options);
  const seen = new Set<Option>();
  for (let i = rest; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-') || w === '--') return undefined;
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const o = byFlag.get(eq > 0 ? w.slice(0, eq) : w);
    if (!o || seen.has(o) || o.optional || o.variadic) return undefined;
    seen.add(o);
    if (o.required) {
      const v = eq > 0 ? w.slice(eq + 1) : words[++i];
      if (v === undefined || v.startsWith('-') || (o.argChoices && !o.argChoices.includes(v))) return undefined;
      opts[o.attributeName()] = v;
    } else {
      if (eq > 0) return undefined;
      opts[o.attributeName()] = !o.negate;
    }
  }
  return { path, load: decl.load, opts };
}

function commandDecl(path: string): CommandDecl | undefined {
  return Object.hasOwn(CARD_COMMANDS, path) ? CARD_COMMANDS[path as CardCommand] : undefined;
}
