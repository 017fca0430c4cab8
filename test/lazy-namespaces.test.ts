import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyNamespaces } from '../scripts/lazy-namespaces.mjs';

/** Runs a CommonJS text and gives its exports. */
function load(text: string): Record<string, (...a: unknown[]) => unknown> {
  const module = { exports: {} as Record<string, (...a: unknown[]) => unknown> };
  runInNewContext(text, { module, exports: module.exports, require: createRequire(import.meta.url), Promise, Object });
  return module.exports;
}

/**
 * esbuild's helpers as it writes them minified, with Object.defineProperty counted: a namespace
 * filled at start defines its getters when the bundle loads, one filled on first use when its
 * module first runs.
 */
const SHAPE = `var defined = 0;
var defP = (...a) => (defined++, Object.defineProperty(...a));
var w = (t, e) => () => (t && (e = t(t = 0)), e);
var y = (t, e) => { for (var n in e) defP(t, n, { get: e[n], enumerable: !0 }); };
var A = {}; y(A, { x: () => ax, z: () => az }); function az() { return 'z'; } var ax, initA = w(() => { "use strict"; ax = 1; });
var B = {}; y(B, { x: () => bx }); var bx, initB = w(() => { bx = 2; });
var C = {}; y(C, { x: () => cx }); var cx, initC = w(() => { cx = 3; });
var P = {}; y(P, { x: () => px }); var px, initP = w(() => { px = { P: 4 }.P; });
module.exports = {
  defined: () => defined,
  a: () => { const ns = (initA(), A); return [ns.x, ns.z()]; },
  b: () => (initB(), B).x,
  c: () => (initC(), C).x,
  p: () => (initP(), P).x + ({ P: 1 }).P,
  peekC: () => Object.keys(C),
};`;

describe('namespaces filled on first use (scripts/lazy-namespaces.mjs)', () => {
  it("fills a namespace in its module's init, and only one that is always read right after that init", () => {
    const r = lazyNamespaces(SHAPE);
    // C is also read without its init (peekC): left filled at start
    // P's name is also a property's: that is no use of it
    expect([r.moved, r.kept]).toEqual([3, 1]);
    const before = load(SHAPE);
    const after = load(r.text);
    expect(before.defined!()).toBe(5);
    expect(after.defined!()).toBe(1); // C's one getter
    expect(after.a!()).toEqual([1, 'z']);
    expect(after.defined!()).toBe(3);
    expect(after.a!()).toEqual([1, 'z']); // a second import fills nothing again
    expect(after.defined!()).toBe(3);
    expect(after.b!()).toBe(2);
    expect(after.c!()).toBe(3);
    expect(after.peekC!()).toEqual(['x']);
    expect(after.p!()).toBe(5);
    expect(after.defined!()).toBe(5); // C's, A's two, B's, P's
  });

  it('leaves a text without esbuild helpers as it is', () => {
    const text = 'module.exports = { a: 1 };';
    expect(lazyNamespaces(text)).toEqual({ text, moved: 0, kept: 0, reason: 'esbuild helpers not found' });
  });

  const dir = mkdtempSync(join(tmpdir(), 'cns-lazyns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])("on esbuild's own output (minified: %s), imports give the same values", async (minify) => {
    writeFileSync(join(dir, 'a.ts'), "export const x = 'ax'; export function f(n: number) { return n + 1; }\n");
    writeFileSync(join(dir, 'b.ts'), "export const y = 'by';\n");
    writeFileSync(join(dir, 'c.ts'), "export const z = 'cz';\n");
    writeFileSync(
      join(dir, 'main.ts'),
      "import * as b from './b.js';\nexport const sync = () => b.y;\nexport async function lazy() { const a = await import('./a.js'); const c = await import('./c.js'); return [a.x, a.f(1), c.z]; }\n",
    );
    const out = await build({
      entryPoints: [join(dir, 'main.ts')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      minify,
      supported: { 'dynamic-import': false },
    });
    const text = out.outputFiles[0]!.text;
    const r = lazyNamespaces(text);
    expect(r.reason).toBeUndefined();
    // a and c, imported dynamically; the entry's namespace (its exports) stays
    expect(r.moved).toBe(2);
    expect(r.kept).toBe(1);
    const before = load(text);
    const after = load(r.text);
    expect(await after.lazy!()).toEqual(['ax', 2, 'cz']);
    expect(await after.lazy!()).toEqual(await before.lazy!());
    expect(after.sync!()).toBe('by');
  });
});
