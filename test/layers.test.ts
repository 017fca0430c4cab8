import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileEdges } from '../scripts/import-graph.mjs';
import { ROOT } from './helpers.js';

const folder = (p: string): string => p.split('/')[0] ?? '';
const LIBRARY = ['api', 'apdu', 'browser', 'card', 'cert', 'device', 'extension', 'pcsc', 'pkcs11', 'report', 'sim', 'util'];
const edges = fileEdges();

describe('layers (README: how the code is laid out)', () => {
  it('sees the imports it judges', () => {
    expect(edges.some((e) => e.from === 'commands/status.ts' && e.to === 'report/report.ts')).toBe(true);
    expect(edges.some((e) => e.from === 'main/cardCommands.ts' && e.to === 'commands/status.ts')).toBe(true);
  });

  it('a folder imports only the folders below it (the order drawn in the README)', () => {
    // the program's entry (main/: program, main, the guided menu) above the commands, the
    // commands above the helpers they share (cli/), then the library, top to bottom: every
    // arrow points down (issue 26 item 3)
    const order = [
      'main',
      'commands',
      'cli',
      'api',
      'report',
      'browser',
      'device',
      'extension',
      'pkcs11',
      'pcsc',
      'sim',
      'card',
      'cert',
      'apdu',
      'util',
    ];
    const rank = (f: string): number => order.indexOf(f);
    const across = edges.filter((e) => rank(folder(e.from)) !== rank(folder(e.to)));
    expect(across.length).toBeGreaterThan(20);
    expect(across.filter((e) => rank(folder(e.from)) < 0 || rank(folder(e.from)) > rank(folder(e.to)))).toEqual([]);
  });

  it('a command never imports another command (the guided menu, a dispatcher, is in main/)', () => {
    const bad = edges.filter((e) => folder(e.from) === 'commands' && folder(e.to) === 'commands');
    expect(bad).toEqual([]);
  });

  it('the library never imports the CLI', () => {
    const bad = edges.filter((e) => LIBRARY.includes(folder(e.from)) && ['main', 'cli', 'commands'].includes(folder(e.to)));
    expect(bad).toEqual([]);
  });

  it('the APDU layer knows no card family, and the card application no reader', () => {
    expect(edges.filter((e) => folder(e.from) === 'apdu' && folder(e.to) !== 'apdu')).toEqual([]);
    expect(edges.filter((e) => folder(e.from) === 'card' && !['card', 'apdu', 'util'].includes(folder(e.to)))).toEqual([]);
  });

  it('no module imports itself back through others', () => {
    const graph = new Map<string, string[]>();
    for (const e of edges) if (!e.typeOnly) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (n: string): void => {
      const at = path.indexOf(n);
      if (at >= 0) return void cycles.push([...path.slice(at), n].join(' -> '));
      if (done.has(n)) return;
      path.push(n);
      for (const m of graph.get(n) ?? []) visit(m);
      path.pop();
      done.add(n);
    };
    for (const n of graph.keys()) visit(n);
    expect(cycles).toEqual([]);
  });

  it('commands and the CLI reach the card through the Card interface, never by backend class', () => {
    const dirs = ['main', 'commands', 'cli'].map((d) => join(ROOT, 'src', d));
    const offenders = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => /instanceof\s+(CnsSession|Pkcs11Card)\b|new CnsSession\(/.test(readFileSync(join(d, f), 'utf8')))
        .map((f) => join(d, f)),
    );
    expect(offenders).toEqual([]);
  });
});
