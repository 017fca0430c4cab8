#!/usr/bin/env node
// The executable: starts the CLI, nothing else.
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
process.exitCode = await main(process.argv);
