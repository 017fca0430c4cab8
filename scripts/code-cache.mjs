// Makes dist/bundle/main.v8cache, V8's compiled code for the CLI bundle, so that a start does not
// parse and compile the CLI again (issue 15; numbers in the README's Performance section).
// It runs the commands users start most, in one child process, against the built-in virtual card
// in a throw-away home: first as `--reader sim` and with PC/SC pointed at a socket that does not
// exist, then through the PC/SC path itself, its library answered in process for one reader
// holding that virtual card (src/pcsc/simWinscard.ts; no real reader or card is touched), then
// saves the code of every function they compiled. The file is a tag, the
// bundle's length and the bundle itself (bin/cns.js uses the cache only for that very bundle),
// then V8's data; a cache from another Node/V8 is rejected by V8 and the CLI compiles as it would
// without one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { load, packCache, CACHE } = require('../bin/cns.js');

// The commands print through file descriptors 1 and 2 (src/cli/stdio.ts): the training runs in a
// child whose output goes nowhere; it reports through a file.
if (process.argv[2] !== '--train') {
  // bin/cns.js reads the bundle as latin1: that is exact only for pure ASCII
  const bundle = readFileSync(new URL('../dist/bundle/main.cjs', import.meta.url), 'latin1');
  const wide = /[\u0080-\uffff]/.exec(bundle);
  if (wide) throw new Error(`dist/bundle/main.cjs is not ASCII at offset ${wide.index}: bin/cns.js reads it as latin1`);
  const home = mkdtempSync(join(tmpdir(), 'cns-code-cache-'));
  try {
    const report = join(home, 'report.json');
    // bounded: a training that hangs (a system PC/SC library that never answers) leaves no cache, not a stuck build
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train', home, report], {
      stdio: 'ignore',
      timeout: 300_000,
      killSignal: 'SIGKILL',
    });
    if (r.status === 0) {
      const { kib, codes, unexpected } = JSON.parse(readFileSync(report, 'utf8'));
      console.log(`code cache: ${kib} KiB from ${codes.length} commands`);
      // a training command that failed leaves its code out of the cache: slower, not wrong
      if (unexpected.length) console.warn(`code cache: unexpected exit codes: ${unexpected.join('; ')}`);
    } else {
      // an install must not fail for want of a cache: cns works without one, only starts slower
      // (test/startup.test.ts fails in CI when the cache is missing)
      rmSync(CACHE, { force: true });
      console.warn(`code cache: not made (the training ended with exit ${r.status}, signal ${r.signal}); cns will start slower`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
} else {
  const [, , , home, report] = process.argv;
  const env = { HOME: home, XDG_STATE_HOME: join(home, 'state'), XDG_CONFIG_HOME: join(home, 'config'), NO_COLOR: '1' };
  Object.assign(process.env, env, { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.sock'), CNS_PIN: '12345' });
  for (const k of ['CNS_NEW_PIN', 'CNS_PUK', 'CNS_READER', 'CNS_DEBUG']) delete process.env[k];
  const { main, script, bundle, exports } = load();
  // each command with the exit code it ends with here: `readers` finds no PC/SC service (5), on
  // purpose; from 'pcsc' on, PC/SC is one reader holding the demo card the sim runs made
  const runs = [
    [['--help'], 0],
    [['readers'], 5],
    [['status', '--reader', 'sim'], 0],
    [['status', '--reader', 'sim', '--json'], 0],
    [['pin', 'verify', '--reader', 'sim', '--env'], 0],
    [['cert', 'check', '--reader', 'sim'], 0],
    [['--lang', 'it', 'status', '--reader', 'sim'], 0],
    'pcsc',
    [['readers'], 0],
    [['status', '--json'], 0],
    [['status'], 0],
    [['pin', 'verify', '--env'], 0],
    [['cert', 'check'], 0],
    [['--lang', 'it', 'status'], 0],
  ];
  const codes = [];
  const unexpected = [];
  for (const run of runs) {
    if (run === 'pcsc') {
      await exports.useVirtualReader(join(home, 'state', 'cns', 'demo-card.json'));
      continue;
    }
    const [args, expected] = run;
    const code = await main([process.execPath, 'cns', ...args]);
    codes.push(code);
    if (code !== expected) unexpected.push(`cns ${args.join(' ')}: ${code}, expected ${expected}`);
  }
  const data = script.createCachedData();
  // the bundle goes with its cache: bin/cns.js uses the cache only for that very bundle
  writeFileSync(CACHE, packCache(bundle, data));
  writeFileSync(report, JSON.stringify({ kib: Math.round(data.length / 1024), codes, unexpected }));
  process.exit(0);
}
