#!/usr/bin/env node
// The executable: starts the CLI, nothing else. CommonJS (bin/package.json) so that Node starts
// no ES-module loader for it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join(__dirname, '..', 'dist', 'bundle', 'main.cjs');
const CACHE = path.join(__dirname, '..', 'dist', 'bundle', 'main.v8cache');
const HELP = path.join(__dirname, '..', 'dist', 'bundle', 'help.json');

/** What scripts/code-cache.mjs writes: this tag, the bundle's length (u32 LE), the bundle, V8's data. */
const CACHE_TAG = 'cns-v8c1';

/**
 * V8's data for exactly this bundle, or undefined. V8 itself checks only the source's length
 * (and its own version and flags), so a bundle rebuilt or edited to the same length would run
 * with the old compiled code: the cache carries the bundle it was made for, compared byte for
 * byte (a memcmp, microseconds).
 */
function cacheFor(bundle) {
  let buf;
  try {
    buf = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  const head = CACHE_TAG.length + 4;
  if (buf.length <= head || buf.toString('latin1', 0, CACHE_TAG.length) !== CACHE_TAG) return undefined;
  const len = buf.readUInt32LE(CACHE_TAG.length);
  if (len !== bundle.length || buf.length <= head + len || !bundle.equals(buf.subarray(head, head + len))) return undefined;
  return buf.subarray(head + len);
}

/** The cache file for `bundle` from V8's `data` (scripts/code-cache.mjs writes it, cacheFor() reads it). */
function packCache(bundle, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(bundle.length);
  return Buffer.concat([Buffer.from(CACHE_TAG, 'latin1'), len, bundle, data]);
}

/**
 * Compiles the bundle with the V8 code cache made at build time (scripts/code-cache.mjs), so the
 * CLI's code is not parsed again at every start. A cache from another Node or V8 is rejected by V8
 * itself, one for another bundle by cacheFor(): the code then compiles as usual (slower, same
 * behaviour).
 */
function load() {
  const vm = require('node:vm');
  const Module = require('node:module');
  const bundle = fs.readFileSync(BUNDLE);
  // esbuild writes the bundle in ASCII (non-ASCII text as \u escapes; the build checks it), so
  // latin1 is exact and spares the UTF-8 decoding of the whole file.
  const source = bundle.toString('latin1');
  const cachedData = cacheFor(bundle);
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const mod = { exports: {}, filename: BUNDLE, id: BUNDLE, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  mod.loaded = true;
  return {
    main: mod.exports.main,
    exitAtOnce: mod.exports.exitAtOnce,
    exports: mod.exports,
    script,
    bundle,
    cacheRejected: cachedData ? script.cachedDataRejected === true : null,
  };
}

/** An error's first line, printable and short: it may come from a damaged file. */
function firstLine(e) {
  return String(e?.message ?? e)
    .split('\n')[0]
    .replace(/[^\x20-\x7e\u00a0-\u024f]/g, '?')
    .slice(0, 200);
}

/** The language of the user's locale, as the CLI's detectLang() (src/cli/i18n.ts) reads it. */
function localeLang() {
  const e = process.env;
  return /^it([_.@-]|$)/i.test(e.LC_ALL || e.LC_MESSAGES || e.LANG || '') ? 'it' : 'en';
}

/** Whether standard output is a terminal, without building process.stdout (src/cli/stdio.ts's isTerminal). */
function onTerminal() {
  try {
    return fs.fstatSync(1).isCharacterDevice() && require('node:tty').isatty(1);
  } catch {
    return false;
  }
}

/**
 * `cns --help` (or -h), alone or with --lang it|en: the help the build rendered through the CLI
 * itself (scripts/bundle.mjs, dist/bundle/help.json), printed without loading the CLI: 'done', or
 * 'pending' while a full pipe takes the rest. False when it does not apply (other arguments, no
 * such file, a terminal of a width it was not rendered for): the CLI then prints it as always.
 */
function preRenderedHelp(args) {
  let lang;
  let help = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') help++;
    else if (lang === undefined && a === '--lang' && (args[i + 1] === 'it' || args[i + 1] === 'en')) lang = args[++i];
    else if (lang === undefined && (a === '--lang=it' || a === '--lang=en')) lang = a.slice(7);
    else return false;
  }
  if (help !== 1) return false;
  let texts;
  try {
    texts = JSON.parse(fs.readFileSync(HELP, 'utf8'))[lang ?? localeLang()];
  } catch {
    return false;
  }
  let text = texts?.[80];
  // commander's width: 80 off a terminal, the terminal's own on one (asked only there: building
  // process.stdout costs ~2 ms)
  if (onTerminal()) {
    const columns = process.stdout.columns;
    if (columns >= texts?.wideFrom) text = texts.wide;
    else if (columns !== 80) return false;
  }
  if (typeof text !== 'string') return false;
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      // a closed pipe (`cns --help | head -1`): the reader's choice, as the CLI's own output
      if (e?.code === 'EPIPE') process.exit(0);
      if (e?.code !== 'EAGAIN') throw e;
      // a full non-blocking pipe: the rest through Node's stream, which waits (src/cli/stdio.ts)
      process.stdout.write(buf.subarray(off), () => process.exit(0));
      return 'pending';
    }
  }
  return 'done';
}

/** The two sentences said before the CLI (and its message catalogue) is loaded. */
function early(what, detail) {
  const a = process.argv;
  const lang =
    a.includes('--lang=it') || a[a.indexOf('--lang') + 1] === 'it'
      ? 'it'
      : a.includes('--lang=en') || a[a.indexOf('--lang') + 1] === 'en'
        ? 'en'
        : localeLang();
  const text = {
    build: {
      en: 'cns: not built yet. Run "npm ci" (or "npm run build") in the project folder first.',
      it: 'cns: non ancora compilato. Esegui prima "npm ci" (oppure "npm run build") nella cartella del progetto.',
    },
    start: {
      en: `cns: cannot start (${detail}). Reinstall cns, or run "npm run build" in the project folder. [INTERNAL]`,
      it: `cns: impossibile avviarsi (${detail}). Reinstalla cns, oppure esegui "npm run build" nella cartella del progetto. [INTERNAL]`,
    },
  };
  fs.writeSync(2, `${text[what][lang]}\n`);
  process.exit(1);
}

async function run() {
  const argv = process.argv;
  // `cns --version` alone answers from package.json without loading the CLI (start-up cost).
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    fs.writeSync(1, `${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
    process.exit(0);
  }
  if (argv.length <= 5) {
    const help = preRenderedHelp(argv.slice(2));
    if (help === 'done') process.exit(0);
    if (help === 'pending') return;
  }
  let main;
  let exitAtOnce;
  try {
    ({ main, exitAtOnce } = load());
  } catch (e) {
    early(e?.code === 'ENOENT' && e.path === BUNDLE ? 'build' : 'start', firstLine(e));
  }
  const code = await main(argv);
  // Exit explicitly: a native PC/SC handle left open by the binding must not keep a finished
  // command alive (stdout and stderr are synchronous on Linux for files and pipes). The last
  // 'exit' listener leaves at once, after the others ran, where the CLI can (issue 27).
  if (typeof exitAtOnce === 'function') process.once('exit', exitAtOnce);
  process.exit(code);
}

// main() answers every failure itself; this is only for a fault in that (never a stack trace)
if (require.main === module) run().catch((e) => early('start', firstLine(e)));
else module.exports = { load, packCache, cacheFor, BUNDLE, CACHE };
