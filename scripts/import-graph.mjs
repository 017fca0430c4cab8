#!/usr/bin/env node
// Which source folder imports which (static and dynamic imports), from src/**/*.ts.
// `node scripts/import-graph.mjs` prints "from -> to (files)" per folder pair;
// `--files` prints file-level edges; `--json` prints both, for tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export function fileEdges() {
  const edges = [];
  for (const file of walk(root)) {
    const text = readFileSync(file, 'utf8');
    const re = /(?:^|[^.\w])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?\(?\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
    for (const m of text.matchAll(re)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts');
      const typeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0].trimStart()) || /^[^\w]?import\s+type\s/.test(m[0]);
      edges.push({ from: relative(root, file), to: relative(root, target), typeOnly });
    }
  }
  return edges;
}

const folder = (p) => (p.includes('/') ? p.split('/')[0] : '.');

export function folderEdges(edges = fileEdges()) {
  const map = new Map();
  for (const e of edges) {
    const a = folder(e.from);
    const b = folder(e.to);
    if (a === b) continue;
    const k = `${a} -> ${b}`;
    map.set(k, (map.get(k) ?? 0) + 1);
  }
  return [...map.entries()].sort().map(([k, n]) => ({ edge: k, count: n }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const edges = fileEdges();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ files: edges, folders: folderEdges(edges) }, null, 2)}\n`);
  else if (process.argv.includes('--files')) for (const e of edges) console.log(`${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
  else for (const { edge, count } of folderEdges(edges)) console.log(`${edge.padEnd(28)} ${count}`);
}
