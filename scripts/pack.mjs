#!/usr/bin/env node
// `node scripts/pack.mjs [DEST]`: the npm package of the current build, without the scripts that
// only a checkout needs (prepare = build, test, bench...): installing it runs no build, and npm
// does not ask to allow a script of cns. The files are those of package.json's "files".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dest = resolve(process.argv[2] ?? root);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!existsSync(join(root, 'dist', 'bundle', 'main.cjs'))) {
  console.error('pack: build first (npm run build)');
  process.exit(1);
}
const stage = mkdtempSync(join(tmpdir(), 'cns-pack-'));
try {
  for (const f of manifest.files) cpSync(join(root, f), join(stage, f), { recursive: true });
  const { scripts: _scripts, devDependencies: _dev, allowScripts: _allow, ...shipped } = manifest;
  // npm 11 packs npm-shrinkwrap.json only when "files" names it
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify({ ...shipped, files: [...shipped.files, 'npm-shrinkwrap.json'] }, null, 2)}\n`,
  );
  // the versions this build was tested with, pinned for every install (npm-shrinkwrap.json is the
  // lockfile a published package carries): the same dependency tree everywhere, and an install
  // that needs no registry metadata, only the tarballs (from npm's cache when offline)
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const packages = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') {
      const { devDependencies: _d, ...rootEntry } = entry;
      packages[path] = rootEntry;
    } else if (!entry.dev) packages[path] = entry;
  }
  writeFileSync(join(stage, 'npm-shrinkwrap.json'), `${JSON.stringify({ ...lock, packages }, null, 2)}\n`);
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: stage, encoding: 'utf8' });
  process.stdout.write(out);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
