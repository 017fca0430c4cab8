#!/usr/bin/env node
// The executable: starts the CLI, nothing else.
// `cns --version` alone answers from package.json without loading the CLI (start-up cost).
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
let main;
try {
  ({ main } = await import('../dist/bundle/main.js'));
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bundle/main.js')) {
    process.stderr.write('cns: not built yet. Run "npm ci" (or "npm run build") in the project folder first.\n');
    process.exit(1);
  }
  throw e;
}
const code = await main(process.argv);
// Exit explicitly: a native PC/SC handle left open by the binding must not keep a finished
// command alive (stdout and stderr are synchronous on Linux for files and pipes).
process.exit(code);
