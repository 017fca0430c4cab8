// Bundles the compiled CLI (dist/) for a fast start (issue 15; numbers in the README):
// - dist/bundle/main.cjs: the CLI and every module a command may need, one minified CommonJS file.
//   Each module still runs only when first used (esbuild's lazy module wrappers); one file means one
//   read and no ES-module resolution at start (measured: ~50 files cost ~20 ms to resolve and link).
//   A module's namespace (what import() of it gives) is filled when the module first runs too
//   (scripts/lazy-namespaces.mjs).
// - dist/bundle/vendor-*.cjs: the heavy libraries only some commands use (pkijs + asn1js for the
//   extension and certificate issuing, the prompts for guided mode), loaded when first imported.
// - dist/bundle/pkcs11-worker.cjs: the PKCS#11 worker process, self-contained.
// - dist/bundle/main.v8cache: V8's compiled code for main.cjs (see scripts/code-cache.mjs).
// - dist/bundle/help.json: `cns --help` as the CLI prints it, per language, which bin/cns.js
//   prints without loading the CLI (issue 27: --help ~12 ms over `node -e 0` with the bundle).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { lazyNamespaces } from './lazy-namespaces.mjs';

const outdir = 'dist/bundle';
// a cache made for the previous bundle is of no use to the new one (bin/cns.js would ignore it)
rmSync(`${outdir}/main.v8cache`, { force: true });
// nor is a help rendered by the previous one
rmSync(`${outdir}/help.json`, { force: true });

/** Bare imports of the heavy libraries become require()s of their own bundles, beside the file. */
const VENDOR = { asn1js: 'vendor-asn1js.cjs', pkijs: 'vendor-pkijs.cjs', '@inquirer/prompts': 'vendor-prompts.cjs' };
const vendorPlugin = (except) => ({
  name: 'vendor',
  setup(b) {
    const filter = new RegExp(
      `^(${Object.keys(VENDOR)
        .map((k) => k.replace(/[/@]/g, '\\$&'))
        .join('|')})$`,
    );
    b.onResolve({ filter }, (a) => (a.path === except ? undefined : { path: `./${VENDOR[a.path]}`, external: true }));
  },
});

/**
 * commander requires child_process at load for a feature cns does not use (executable
 * subcommands); Node then compiles child_process and net on every start (~4 ms). The same module,
 * loaded on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.importer.includes('node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const cjs = {
  ...common,
  format: 'cjs',
  // import() becomes require(): bin/cns.js compiles the bundle with vm.Script, which has no
  // dynamic-import callback (and a require of a bundled file is all an import() did here)
  supported: { 'dynamic-import': false },
  // the code asks import.meta.url where it lives (the worker, the test CA, createRequire): the bundle's own URL
  define: { 'import.meta.url': '__cnsMeta.url' },
  // computed on first use: URL parsing at every start cost ~0.3 ms for the few commands that ask
  banner: { js: "const __cnsMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
};

await Promise.all([
  build({
    ...cjs,
    // minified: ~1 MB less memory per command (measured: status 50.8 -> 49.7 MB peak RSS). Names
    // are not kept: keeping them set each function's name as it was made, ~100 KB of allocation
    // and ~1 ms of every command (issue 27); the code names its error classes itself. A
    // CNS_DEBUG stack trace with the source's names and lines: build with CNS_NO_MINIFY=1.
    minify: process.env.CNS_NO_MINIFY !== '1',
    keepNames: process.env.CNS_NO_MINIFY === '1',
    entryPoints: ['dist/main/main.js'],
    outfile: `${outdir}/main.cjs`,
    external: ['koffi'],
    plugins: [vendorPlugin(), lazyChildProcess],
  }),
  ...Object.entries(VENDOR).map(([pkg, file]) =>
    build({
      ...cjs,
      stdin: { contents: `export * from '${pkg}';`, resolveDir: '.', loader: 'js' },
      outfile: `${outdir}/${file}`,
      plugins: [vendorPlugin(pkg)],
    }),
  ),
  // CommonJS like the rest: the single executable runs it from memory (scripts/sea-entry.cjs)
  build({
    ...cjs,
    entryPoints: ['dist/pkcs11/worker.js'],
    outfile: `${outdir}/pkcs11-worker.cjs`,
    external: ['koffi'],
  }),
]);

// each lazily-initialised module's namespace filled when the module first runs, not at every start
// (scripts/lazy-namespaces.mjs; issue 27)
{
  const file = `${outdir}/main.cjs`;
  const r = lazyNamespaces(readFileSync(file, 'latin1'));
  if (r.reason) console.warn(`bundle: namespaces left as esbuild wrote them: ${r.reason}`);
  writeFileSync(file, r.text, 'latin1');
  console.log(`bundle: ${r.moved} namespaces filled on first use, ${r.kept} at start`);
}

/**
 * The root help from the new bundle's own renderHelp() (the command tree and commander's
 * outputHelp, as `cns --help` runs them), per language: at 80 columns (commander's width off a
 * terminal: a pipe, a file) and at a width where nothing wraps, with the narrowest terminal that
 * text is right for (`wideFrom`: its longest line). On any other terminal width bin/cns.js loads
 * the CLI as before.
 */
async function helpTexts() {
  const { renderHelp } = createRequire(import.meta.url)(resolve(`${outdir}/main.cjs`));
  const texts = {};
  for (const lang of ['en', 'it']) {
    const wide = await renderHelp(lang, 100000);
    const wideFrom = Math.max(...wide.split('\n').map((l) => l.length));
    texts[lang] = { 80: await renderHelp(lang, 80), wide, wideFrom };
  }
  return texts;
}
writeFileSync(`${outdir}/help.json`, `${JSON.stringify(await helpTexts())}\n`);
