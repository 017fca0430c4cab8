#!/usr/bin/env node
// `node scripts/api-report.mjs [--check]`: the public API of `import ... from 'cns'`, as
// etc/cns.api.md lists it: every name src/api/index.ts exports, with its type as the compiler
// sees it (comments left out). The file is committed; a test fails when the API and it differ,
// so that a public name never disappears or changes its type unnoticed (semver: README).
// --check: say whether the file is up to date, exit 1 if not.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPORT = join(root, 'etc', 'cns.api.md');
/** Each entry point of the package, and what its names are called in the report. */
const ENTRIES = [
  { file: join(root, 'src', 'api', 'index.ts'), prefix: '' },
  { file: join(root, 'src', 'api', 'testing.ts'), prefix: 'cns/testing:' },
];

export function apiReport() {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(
    ENTRIES.map((e) => e.file),
    { ...parsed.options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType;
  // a type named through its module (import("/abs/path/src/...", { with: ... }).Name): the name alone,
  // so that the report does not depend on where the checkout is
  const clean = (text) => text.replace(/import\("[^"]*"(?:, \{ with: \{ "resolution-mode": "\w+" \} \})?\)\./g, '');
  const entries = [];
  for (const { file: entry, prefix } of ENTRIES)
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)))) {
      const name = exported.getName();
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const lines = [];
      for (const d of symbol.declarations ?? []) {
        const file = d.getSourceFile();
        if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) {
          lines.push(printer.printNode(ts.EmitHint.Unspecified, d, file).replace(/^export /, ''));
        } else if (ts.isFunctionDeclaration(d)) {
          const sig = checker.getSignatureFromDeclaration(d);
          lines.push(`function ${name}${clean(checker.signatureToString(sig, undefined, flags))};`);
        } else if (ts.isClassDeclaration(d)) {
          const type = checker.getTypeOfSymbolAtLocation(symbol, d);
          const ctors = type.getConstructSignatures().map((s) => `  constructor${clean(checker.signatureToString(s, undefined, flags))};`);
          const instance = checker.getDeclaredTypeOfSymbol(symbol);
          const members = checker
            .getPropertiesOfType(instance)
            .filter((p) => !(ts.getDeclarationModifierFlagsFromSymbol(p) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
            .filter((p) => p.valueDeclaration && p.valueDeclaration.getSourceFile() === file)
            .map((p) => `  ${p.getName()}: ${clean(checker.typeToString(checker.getTypeOfSymbolAtLocation(p, d), undefined, flags))};`);
          const base = d.heritageClauses?.map((h) => ` ${h.getText(file)}`).join('') ?? '';
          lines.push(`class ${name}${base} {\n${[...ctors, ...members].join('\n')}\n}`);
        } else if (ts.isVariableDeclaration(d)) {
          lines.push(`const ${name}: ${clean(checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, d), undefined, flags))};`);
        }
      }
      entries.push({ name: `${prefix}${name}`, text: lines.join('\n') });
    }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    '# The public API of cns',
    '',
    "`import { ... } from 'cns'` (and, for tests, `from 'cns/testing'`: the names marked so): every exported",
    'name and its type, made by `node scripts/api-report.mjs` from src/api/index.ts and src/api/testing.ts.',
    'Changed only on purpose: a name removed or a type changed is a major',
    'version, a name added a minor one (README, "The library").',
    '',
    ...entries.flatMap((e) => [`## ${e.name}`, '', '```ts', e.text, '```', '']),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = apiReport();
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(REPORT, 'utf8');
    } catch {}
    if (old !== text) {
      console.error('etc/cns.api.md differs from the API: run node scripts/api-report.mjs and review the change');
      process.exit(1);
    }
    console.log('etc/cns.api.md is up to date');
  } else {
    writeFileSync(REPORT, text);
    console.log(`wrote ${REPORT}`);
  }
}
