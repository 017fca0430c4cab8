import { CARD_COMMANDS, type CardCommand, type CommandDecl, GLOBAL_OPTIONS, type Loader, type OptionDecl } from './cardCommands.js';

/**
 * The quick path (issue 27): the card commands of CARD_COMMANDS, written in their plain form,
 * parsed without building commander's tree and running its parse (~2 ms of every such command).
 *
 * Plain form: the command's words first, then only options that command or the root declares,
 * each at most once: a flag alone, an option and its value as two words, or `--option=value`.
 * Anything else (help, version, an option before the command, an unknown or repeated option, a
 * value that begins with `-`, a value outside its choices, an operand, `--`) returns undefined,
 * and commander parses as before, with its errors and help. The options read are the very
 * declarations commander is given (cardCommands.ts, program.ts); the result is what commander's
 * optsWithGlobals() gives for the same words (test/quick.test.ts compares the two, for every
 * option declared).
 */
export function quickCommand(argv: readonly string[]): { load: Loader; opts: Record<string, unknown> } | undefined {
  const words = argv.slice(2);
  // a command's words are separate arguments: "pin verify" as one is no command (commander says so)
  if (words[0] === undefined || words[0].includes(' ')) return undefined;
  let decl = commandDecl(words[0]);
  let rest = 1;
  if (!decl && words[1] !== undefined) {
    decl = commandDecl(`${words[0]} ${words[1]}`);
    rest = 2;
  }
  if (!decl) return undefined;
  const byFlag = new Map<string, QuickOption>();
  const opts: Record<string, unknown> = {};
  for (const d of [...GLOBAL_OPTIONS, ...decl.options]) {
    const o = quickOption(d);
    if (!o) return undefined;
    for (const f of o.flags) byFlag.set(f, o);
    // commander's defaults: the declared one, and true for a `--no-` option
    if (d.def !== undefined) opts[o.name] = d.def;
    else if (o.negate) opts[o.name] = true;
  }
  const seen = new Set<QuickOption>();
  for (let i = rest; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-') || w === '--') return undefined;
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const o = byFlag.get(eq > 0 ? w.slice(0, eq) : w);
    if (!o || seen.has(o)) return undefined;
    seen.add(o);
    if (o.valued) {
      const v = eq > 0 ? w.slice(eq + 1) : words[++i];
      if (v === undefined || v.startsWith('-') || (o.choices && !o.choices.includes(v))) return undefined;
      opts[o.name] = v;
    } else {
      if (eq > 0) return undefined;
      opts[o.name] = !o.negate;
    }
  }
  return { load: decl.load, opts };
}

interface QuickOption {
  flags: string[];
  /** The key in the options object (commander's attributeName()). */
  name: string;
  valued: boolean;
  negate: boolean;
  choices?: readonly string[];
}

/**
 * A declaration's flags as commander reads them, for the forms declared here: `-x, --long`,
 * `--long <value>`, `--no-long`. Any other form (an optional or variadic value) is left to
 * commander (undefined). Commander's own Option class did this at ~0.4 ms a command, cold.
 */
function quickOption(d: OptionDecl): QuickOption | undefined {
  const parts = d.flags.split(' ');
  let short: string | undefined;
  if (parts[0]?.length === 3 && parts[0].endsWith(',') && parts[0][0] === '-') short = parts.shift()!.slice(0, 2);
  const long = parts[0];
  const value = parts[1];
  if (
    !long?.startsWith('--') ||
    parts.length > 2 ||
    (value !== undefined && !(value.startsWith('<') && value.endsWith('>') && !value.includes('...')))
  )
    return undefined;
  const negate = long.startsWith('--no-');
  if (negate && value !== undefined) return undefined;
  const name = camelCase(long.slice(negate ? 5 : 2));
  return { flags: short ? [long, short] : [long], name, valued: value !== undefined, negate, ...(d.choices ? { choices: d.choices } : {}) };
}

/** commander's name of an option: --warn-days is warnDays (written out, not a regular expression: util/text.ts says why). */
function camelCase(flag: string): string {
  let out = '';
  for (let i = 0; i < flag.length; i++) {
    const next = flag[i + 1];
    if (flag[i] === '-' && next !== undefined && next >= 'a' && next <= 'z') {
      out += next.toUpperCase();
      i++;
    } else out += flag[i];
  }
  return out;
}

function commandDecl(path: string): CommandDecl | undefined {
  return Object.hasOwn(CARD_COMMANDS, path) ? CARD_COMMANDS[path as CardCommand] : undefined;
}
