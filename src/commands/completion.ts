import type { Command } from 'commander';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { out } from '../cli/stdio.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[], out: Node[], globals: string[]): void {
  const options = cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x));
  const inherited = path.length === 0 ? [] : globals.filter((g) => g !== '--version' && g !== '-V');
  // hidden commands (__words) are not offered; an argument with known values is (completion: bash zsh)
  const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden && c.name() !== 'help');
  const values = path.join(' ') === 'completion' ? ['bash', 'zsh'] : [];
  out.push({
    path,
    subcommands: [...visible.map((c) => c.name()), ...values],
    options: [...new Set([...options, ...inherited, '--help'])],
  });
  for (const c of visible) walk(c, [...path, c.name()], out, globals);
}

/** `cns completion bash|zsh`: shell completion generated from the command tree itself. */
export async function completionCommand(_ctx: Context, shell: string, program: Command): Promise<number> {
  if (shell !== 'bash' && shell !== 'zsh') throw new CliError('USAGE', { detailKey: 'uShell', value: shell });
  const globals = program.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x));
  // options that take a value: their value is completed from their choices (or as a file name)
  const valued = new Map<string, string[] | null>();
  const collect = (c: Command): void => {
    for (const o of c.options) if (o.required || o.optional) for (const f of [o.long, o.short]) if (f) valued.set(f, o.argChoices ?? null);
    c.commands.forEach(collect);
  };
  collect(program);
  // values that are not choices of the option but are known: browsers, virtual card generations
  const { GENERATIONS } = await import('../sim/generations.js');
  for (const [f, words] of [
    ['--browser', ['firefox', 'thunderbird', 'chrome']],
    ['--generation', GENERATIONS.map((g) => g.name)],
  ] as const)
    if (valued.has(f)) valued.set(f, [...words]);
  const withChoices = [...valued]
    .filter(([, c]) => c)
    .map(([f, c]) => `    ${f}) COMPREPLY=($(compgen -W "${c!.join(' ')}" -- "$cur")); return ;;`);
  // --reader: sim, and the readers present now (asked of cns itself, at most ~1.5 s)
  const readerFlags = ['--reader', '-r'].filter((f) => valued.has(f));
  const fileValued = [...valued].filter(([f, c]) => !c && !readerFlags.includes(f)).map(([f]) => f);
  const nodes: Node[] = [];
  walk(program, [], nodes, globals);
  const cases = nodes.map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.options].join(' ')}" ;;`).join('\n');
  const body = `# cns completion (${shell}); load with: source <(cns completion ${shell})
_cns_complete() {
  local cur prev cmdpath="" w i words candidate
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --reader sim:FILE: bash splits the word at ':', the file name comes after it
  if [ "$prev" = ":" ] && [ "\${COMP_WORDS[COMP_CWORD-2]}" = "sim" ]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
  case "$prev" in
    ${readerFlags.join('|')})
      case "$cur" in sim:*) COMPREPLY=($(compgen -f -- "\${cur#sim:}")); COMPREPLY=("\${COMPREPLY[@]/#/sim:}"); return ;; esac
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$(CNS_PCSC_SERVICE_TIMEOUT_MS=1500 "\${COMP_WORDS[0]}" __words reader 2>/dev/null)" -- "$cur"))
      COMPREPLY=("\${COMPREPLY[@]// /\\\\ }")
      return ;;
${withChoices.join('\n')}
    ${fileValued.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${[...valued.keys()].join('|')}) i=$((i + 1)); continue ;;
      -*) continue ;;
    esac
    if [ -z "$cmdpath" ]; then candidate="$w"; else candidate="$cmdpath $w"; fi
    case "$candidate" in
${nodes
  .map((n) => `      "${n.path.join(' ')}") cmdpath="$candidate" ;;`)
  .filter((l) => !l.includes('"" )') && !l.includes('"")'))
  .join('\n')}
    esac
  done
  case "$cmdpath" in
${cases}
  esac
  case "$cur" in sim:*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
`;
  if (shell === 'bash') out(`${body}complete -o default -F _cns_complete cns\n`);
  else out(`autoload -U +X bashcompinit && bashcompinit\n${body}complete -o default -F _cns_complete cns\n`);
  return 0;
}

/**
 * `cns __words reader` (hidden, for the shell completion): sim, then the name of each reader
 * present now, one per line. Nothing at all goes wrong here: without the PC/SC service, only sim.
 */
export async function wordsCommand(_ctx: Context, what: string): Promise<number> {
  if (what !== 'reader') return 0;
  const words = ['sim'];
  try {
    const { readerStates } = await import('../device/open.js');
    const { printable } = await import('../util/text.js');
    for (const r of await readerStates()) words.push(printable(r.name));
  } catch {
    // no service, no readers: sim is still a reader
  }
  out(`${words.join('\n')}\n`);
  return 0;
}
