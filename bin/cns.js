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
const code = await main(process.argv);
// Exit explicitly: a native PC/SC handle left open by the binding must not keep a finished
// command alive (stdout and stderr are synchronous on Linux for files and pipes).
process.exit(code);
