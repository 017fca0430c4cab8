// Namespace objects made when first needed (issue 27), for scripts/bundle.mjs.
//
// esbuild gives every module that is imported dynamically (cns's lazy loading) a namespace
// object, and fills it at the bundle's start with a getter per export: one __export(ns, {...})
// call per module, ~200 closures and property definitions in all, ~55 KB of young generation and
// the same work at every command, for namespaces most commands never open. Such a module's own
// code already runs only when first used (esbuild's __esm wrapper, "init"); this moves the filling
// of its namespace to the start of that init, where it is done once, before anything can read it.
//
// Only where that is certain: every other use of the namespace must be "(init(), ns)", the form
// esbuild writes for import(). A namespace used any other way (a require of an ES module, the
// entry's own exports) is left as esbuild wrote it. The helpers are recognised by their shape, not
// their names (minified or not); a bundle where they are not found is returned unchanged.
import ts from 'typescript';

/** The name of the variable a top-level declaration binds, if `test` accepts its initialiser. */
function helperName(sf, test) {
  for (const s of sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer && test(d.initializer)) return d.name.text;
  }
  return undefined;
}

/** esbuild's __export: (target, all) => { for (var name in all) defineProperty(target, name, { get: all[name], ... }) }. */
function isExportHelper(e) {
  if (!ts.isArrowFunction(e) || e.parameters.length !== 2 || !ts.isBlock(e.body) || e.body.statements.length !== 1) return false;
  const loop = e.body.statements[0];
  if (!ts.isForInStatement(loop)) return false;
  let call = loop.statement;
  if (ts.isBlock(call) && call.statements.length === 1) call = call.statements[0];
  if (!ts.isExpressionStatement(call) || !ts.isCallExpression(call.expression)) return false;
  const desc = call.expression.arguments[2];
  return (
    call.expression.arguments.length === 3 &&
    !!desc &&
    ts.isObjectLiteralExpression(desc) &&
    desc.properties.some((p) => p.name?.getText() === 'get')
  );
}

/**
 * esbuild's __esm: (fn, res) => () => (fn && (res = fn(fn = 0)), res), or its unminified function
 * form; what the init returns is `res` itself (__commonJS, the same shape otherwise, returns
 * `mod.exports`).
 */
function isEsmHelper(e) {
  if (!ts.isArrowFunction(e) || e.parameters.length !== 2 || !ts.isIdentifier(e.parameters[1].name)) return false;
  const res = e.parameters[1].name.text;
  const inner = e.body;
  if (!(ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) || inner.parameters.length !== 0) return false;
  let value = inner.body;
  if (ts.isBlock(value)) {
    const last = value.statements[value.statements.length - 1];
    value = last && ts.isReturnStatement(last) ? last.expression : undefined;
  }
  while (value && ts.isParenthesizedExpression(value)) value = value.expression;
  return (
    !!value &&
    ts.isBinaryExpression(value) &&
    value.operatorToken.kind === ts.SyntaxKind.CommaToken &&
    ts.isIdentifier(value.right) &&
    value.right.text === res
  );
}

/** The statements of a module's init body: __esm's argument, an arrow or an object with one method. */
function initBody(arg) {
  if (ts.isArrowFunction(arg) && ts.isBlock(arg.body)) return arg.body;
  if (ts.isObjectLiteralExpression(arg) && arg.properties.length === 1) {
    const m = arg.properties[0];
    if (ts.isMethodDeclaration(m) && m.body) return m.body;
  }
  return undefined;
}

/**
 * The bundle's text with each lazily-initialised module's namespace filled in its init; `moved`
 * and `kept` count the namespaces. The text is parsed as JavaScript, in latin1 like the bundle.
 */
export function lazyNamespaces(text) {
  const sf = ts.createSourceFile('bundle.js', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const EXPORT = helperName(sf, isExportHelper);
  const ESM = helperName(sf, isEsmHelper);
  if (!EXPORT || !ESM) return { text, moved: 0, kept: 0, reason: 'esbuild helpers not found' };
  const uses = new Map();
  // a property's name is not a use of the variable of that name ({ ef: 1 }, x.ef, { ef: y } = z)
  const propertyName = (n) => {
    const p = n.parent;
    return (
      ((ts.isPropertyAssignment(p) ||
        ts.isPropertyAccessExpression(p) ||
        ts.isMethodDeclaration(p) ||
        ts.isPropertyDeclaration(p) ||
        ts.isGetAccessor(p) ||
        ts.isSetAccessor(p)) &&
        p.name === n) ||
      (ts.isBindingElement(p) && p.propertyName === n)
    );
  };
  const visit = (n) => {
    if (ts.isIdentifier(n) && !propertyName(n)) {
      const list = uses.get(n.text);
      if (list) list.push(n);
      else uses.set(n.text, [n]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const st = sf.statements;
  const edits = [];
  let moved = 0;
  let kept = 0;
  for (let i = 0; i < st.length; i++) {
    const s = st[i];
    if (!ts.isExpressionStatement(s) || !ts.isCallExpression(s.expression)) continue;
    const call = s.expression;
    if (!ts.isIdentifier(call.expression) || call.expression.text !== EXPORT || !ts.isIdentifier(call.arguments[0])) continue;
    const ns = call.arguments[0].text;
    // the module's init: the next declaration made with __esm, after the module's hoisted functions
    // and (unminified) the declarations of its variables
    const skipped = (x) =>
      ts.isFunctionDeclaration(x) || (ts.isVariableStatement(x) && x.declarationList.declarations.every((d) => !d.initializer));
    let j = i + 1;
    while (j < st.length && skipped(st[j])) j++;
    const next = st[j];
    const decl =
      next && ts.isVariableStatement(next)
        ? next.declarationList.declarations.find(
            (d) =>
              d.initializer &&
              ts.isCallExpression(d.initializer) &&
              ts.isIdentifier(d.initializer.expression) &&
              d.initializer.expression.text === ESM,
          )
        : undefined;
    const body = decl && ts.isIdentifier(decl.name) ? initBody(decl.initializer.arguments[0]) : undefined;
    if (!decl || !body) {
      kept++;
      continue;
    }
    const init = decl.name.text;
    const onlyAfterInit = uses.get(ns).every((n) => {
      const p = n.parent;
      // var ns = {}
      if (ts.isVariableDeclaration(p) && p.name === n)
        return !!p.initializer && ts.isObjectLiteralExpression(p.initializer) && p.initializer.properties.length === 0;
      // __export(ns, {...}) itself
      if (p === call) return true;
      // (init(), ns)
      return (
        ts.isBinaryExpression(p) &&
        p.operatorToken.kind === ts.SyntaxKind.CommaToken &&
        p.right === n &&
        ts.isCallExpression(p.left) &&
        ts.isIdentifier(p.left.expression) &&
        p.left.expression.text === init &&
        p.left.arguments.length === 0
      );
    });
    if (!onlyAfterInit) {
      kept++;
      continue;
    }
    // first in the init, after its directives ("use strict")
    let at = body.getStart(sf) + 1;
    for (const b of body.statements) {
      if (ts.isExpressionStatement(b) && ts.isStringLiteral(b.expression)) at = b.end;
      else break;
    }
    edits.push({ from: s.getStart(sf), to: s.end, text: '' }, { from: at, to: at, text: `;${call.getText(sf)};` });
    moved++;
  }
  edits.sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return { text: out, moved, kept };
}
