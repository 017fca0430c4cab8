#!/usr/bin/env node
// `node scripts/man.mjs [DIR]`: the manual pages, generated from the command tree of the build
// (dist/), so that they never disagree with --help: DIR/cns.1 (English) and DIR/it/cns.1
// (Italian). Every word comes from the help texts and the message catalogue. The date is
// SOURCE_DATE_EPOCH's, else the last commit's, else today's: the same tree gives the same page.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dest = resolve(process.argv[2] ?? join(root, 'dist', 'man'));
const { buildProgram } = await import(join(root, 'dist', 'main', 'program.js'));
const { message } = await import(join(root, 'dist', 'cli', 'i18n.js'));
const { VERSION } = await import(join(root, 'dist', 'cli', 'version.js'));

function pageDate() {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  if (epoch > 0) return new Date(epoch * 1000).toISOString().slice(0, 10);
  try {
    return execFileSync('git', ['log', '-1', '--format=%cs'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** Text for roff: backslashes and hyphens escaped, no line starting with a control character. */
function esc(text) {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** An option or argument term, bold words and italic placeholders: "-r, --reader <reader>". */
function term(text) {
  return text
    .split(/(<[^>]+>|\[[^\]]+\])/)
    .map((part) => {
      if (!part) return '';
      if (/^[<[]/.test(part)) return `\\fI${esc(part)}\\fR`;
      return part
        .split(/(,\s*)/)
        .map((p) => (/^,/.test(p) ? p : p.trim() ? `\\fB${esc(p.trim())}\\fR` : p))
        .join('');
    })
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A help block ("Readers:\n  ...") without its title line, as preformatted text. */
function block(text) {
  const body = text.split('\n').slice(1).join('\n');
  return `.nf\n${esc(body)}\n.fi`;
}

function page(lang) {
  const t = (k, p) => message(lang, k, p);
  const program = buildProgram(async () => {}, lang);
  const help = program.createHelp();
  const out = [];
  out.push(`.TH CNS 1 "${pageDate()}" "cns ${VERSION}" "${esc(t('man_section'))}"`);
  out.push(`.SH ${t('man_name')}`, `cns \\- ${esc(t('h_program'))}`);
  out.push(
    `.SH ${t('man_synopsis')}`,
    `.B cns\n[\\fI${esc(t('man_usage'))}\\fR] [\\fI${esc(t('man_command'))}\\fR] [\\fI${esc(t('man_usage'))}\\fR]`,
  );
  out.push(`.SH ${t('man_description')}`, esc(t('h_program')), '.PP', esc(t('man_guided')));
  out.push(`.SH ${t('man_options')}`);
  for (const o of help.visibleOptions(program)) out.push('.TP', term(help.optionTerm(o)), esc(help.optionDescription(o)));
  out.push(`.SH ${t('man_commands')}`);
  const walk = (cmd, path) => {
    for (const c of help.visibleCommands(cmd)) {
      if (c.name() === 'help') continue;
      const words = [...path, c.name()];
      const args = c.registeredArguments.map((a) => help.argumentTerm(a)).map((a) => `<${a}>`);
      out.push(`.SS "${esc(['cns', ...words, ...args].join(' '))}"`, esc(help.commandDescription(c)));
      for (const a of c.registeredArguments) out.push('.TP', `\\fI${esc(help.argumentTerm(a))}\\fR`, esc(help.argumentDescription(a)));
      for (const o of help.visibleOptions(c)) {
        if (o.long === '--help') continue;
        out.push('.TP', term(help.optionTerm(o)), esc(help.optionDescription(o)));
      }
      walk(c, words);
    }
  };
  walk(program, []);
  out.push(`.SH ${t('man_readers')}`, block(t('h_readersBlock')));
  out.push(`.SH ${t('man_secrets')}`, block(`\n${t('h_secretsBlock')}`));
  out.push(`.SH ${t('man_exit')}`, block(t('h_exitBlock')));
  out.push(`.SH ${t('man_files')}`, '.TP', '\\fI~/.local/state/cns\\fR', esc(t('man_state')));
  out.push(`.SH ${t('man_seeAlso')}`, '.BR pcscd (8),', '.BR pkcs11\\-tool (1),', '.BR certutil (1)');
  return `${out.join('\n')}\n`;
}

for (const [lang, dir] of [
  ['en', dest],
  ['it', join(dest, 'it')],
]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cns.1'), page(lang));
}
process.stdout.write(`man: ${join(dest, 'cns.1')}, ${join(dest, 'it', 'cns.1')}\n`);
