// The entry of the single executable (scripts/sea.mjs builds it with Node's single-executable
// application support). It carries the CLI bundle, its V8 code cache, the PKCS#11 worker, the
// test CA and koffi's native module as assets. The JavaScript runs from memory; what must be a
// file (the native module, the worker a fork starts, the fixtures) is written to a per-user cache
// folder the first time, and checked against its SHA-256 before every use.
'use strict';
const sea = require('node:sea');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const vm = require('node:vm');
const Module = require('node:module');

const manifest = JSON.parse(sea.getAsset('manifest.json', 'utf8'));

/** The asset's bytes (a copy: the executable's own memory is read-only). */
function asset(name) {
  return Buffer.from(sea.getRawAsset(name));
}

function sha256(buf) {
  return require('node:crypto').createHash('sha256').update(buf).digest('hex');
}

/** The user's cache folder: $XDG_CACHE_HOME or ~/.cache, %LOCALAPPDATA% on Windows. */
function cacheRoot() {
  if (process.platform === 'win32') return process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');
  const x = process.env.XDG_CACHE_HOME;
  return x && path.isAbsolute(x) ? x : path.join(os.homedir(), '.cache');
}

let dir;
/** This executable's folder in the cache: made private, and refused when it is not the user's own. */
function cacheDir() {
  if (dir) return dir;
  const d = path.join(cacheRoot(), 'cns', `sea-${manifest.id}`);
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(d);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) throw new Error(`${d} is not a folder of this user: refused`);
  dir = d;
  return dir;
}

/**
 * The asset as a file in the cache, written when missing or different, then read back and
 * checked against the hash the executable carries: only a file that matches is used.
 */
function onDisk(name) {
  const want = manifest.files[name];
  if (!want) throw new Error(`${name} is not in this executable`);
  const file = path.join(cacheDir(), ...name.split('/'));
  const matches = () => {
    try {
      const st = fs.lstatSync(file);
      return st.isFile() && sha256(fs.readFileSync(file)) === want;
    } catch {
      return false;
    }
  };
  if (matches()) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, asset(name), { flag: 'wx', mode: 0o700 });
  fs.renameSync(tmp, file);
  if (!matches()) throw new Error(`${file} does not match this executable's copy`);
  return file;
}

// the hooks the CLI asks first (src/util/koffi.ts, src/pkcs11/client.ts, src/cert/issuers.ts)
let koffi;
globalThis.__cnsSeaKoffi = () => {
  if (koffi) return koffi;
  const m = { exports: {} };
  process.dlopen(m, onDisk('koffi.node'));
  koffi = m.exports;
  return koffi;
};
globalThis.__cnsSeaFile = onDisk;

/** A CommonJS asset run from memory, as if it were the file `filename`; its vendor chunks likewise. */
function run(name, filename, cachedData) {
  const source = asset(name).toString('latin1');
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  const base = Module.createRequire(filename);
  const chunks = new Map();
  const req = (id) => {
    if (id.startsWith('./vendor-')) {
      const chunk = `dist/bundle/${id.slice(2)}`;
      if (!chunks.has(chunk)) chunks.set(chunk, run(chunk, path.join(path.dirname(filename), id.slice(2))).exports);
      return chunks.get(chunk);
    }
    return base(id);
  };
  req.resolve = base.resolve;
  const mod = { exports: {}, filename, id: filename, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  mod.loaded = true;
  return { exports: mod.exports, script };
}

/** V8's data for the bundle, from the code cache asset made for exactly this bundle (bin/cns.js's format). */
function codeCache() {
  if (!manifest.files['dist/bundle/main.v8cache']) return undefined;
  const buf = asset('dist/bundle/main.v8cache');
  const tag = 'cns-v8c1';
  const head = tag.length + 4;
  if (buf.length <= head || buf.toString('latin1', 0, tag.length) !== tag) return undefined;
  const len = buf.readUInt32LE(tag.length);
  return buf.subarray(head + len);
}

function fail(e) {
  const detail = String(e?.message ?? e)
    .split('\n')[0]
    .replace(/[^\x20-\x7e\u00a0-\u024f]/g, '?')
    .slice(0, 200);
  const it =
    /^it([_.@-]|$)/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '') || process.argv.includes('--lang=it');
  fs.writeSync(2, it ? `cns: impossibile avviarsi (${detail}). [INTERNAL]\n` : `cns: cannot start (${detail}). [INTERNAL]\n`);
  process.exit(1);
}

async function main() {
  const argv = process.argv;
  // a fork of this executable for the PKCS#11 worker (src/pkcs11/client.ts): argv[2] is the
  // worker's file in the cache; its code runs from the executable's own copy
  if (process.send && argv[2] && path.basename(argv[2]) === 'pkcs11-worker.cjs') {
    run('dist/bundle/pkcs11-worker.cjs', argv[2]);
    return;
  }
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    fs.writeSync(1, `${manifest.version}\n`);
    process.exit(0);
  }
  // the bundle believes it is the file it would be in an installation: its neighbours (the worker,
  // the fixtures) are asked of the hooks above
  const filename = path.join(path.dirname(process.execPath), 'dist', 'bundle', 'main.cjs');
  const { exports } = run('dist/bundle/main.cjs', filename, codeCache());
  const code = await exports.main(argv);
  // the last 'exit' listener leaves at once, as bin/cns.js does (issue 27)
  process.once('exit', exports.exitAtOnce);
  process.exit(code);
}

main().catch(fail);
