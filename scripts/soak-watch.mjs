#!/usr/bin/env node
// Soak of `cns watch` (issue 27 target 5): its memory over many insert/remove cycles of the virtual
// card in the real stack (pcscd + vpcd), and its CPU while idle. Not a test (no CI): numbers.
//
//   node scripts/soak-watch.mjs [--cycles N] [--every N] [--idle SECONDS] [--driver helpers|link]
//                               [--readers 1|2] [--gc] [--watch-env K=V]...
//
// The cycles are shared between the two virtual readers, each with its own card, in parallel
// (--readers 1: one): pcscd polls a vpcd reader every 400 ms, so a reader takes ~0.8 s per cycle
// however it is driven.
// --driver helpers (default): each cycle is scripts/test-stack.mjs's attach() then detach(), as
//   the stack tests do: a `cns sim attach` process started and stopped, pcscd asked between.
// --driver link: the card's own vpcd link (dist/sim/vpcd.js) opened and closed in a child of this
//   script inside the stack's network namespace: the same insert and removal for pcscd, ~20×
//   faster, for hunting a leak.
// --gc: the watch runs with --expose-gc and a preload that, on SIGUSR2, collects garbage and
//   writes process.memoryUsage() to a file: heap after a full collection beside each RSS sample.
// --idle: after the cycles, the watch is left alone that long and its CPU time (utime + stime
//   from /proc) is printed, with what that is for 24 hours. The watch waits in one
//   SCardGetStatusChange(INFINITE) on the PnP pseudo-reader (pcsc-lite): no timer of cns wakes it,
//   so the rate measured over minutes is the rate over a day, barring pcsc-lite's own wake-ups,
//   which the measure includes.
// --simulated-hours H: after all that, H hours of an idle watch compressed (in a child process of
//   its own, with the stack and no card): the watch's status-change loop (src/pcsc/client.ts
//   watch()) run as many times as it would wake up in H hours if something woke it every second
//   (a system without PnP notification polls so, POLL_MS), each wait given up at once instead of
//   after a second: 3600 × H rounds of list the readers + SCardGetStatusChange, once with the PnP
//   pseudo-reader (pcsc-lite's way) and once without. RSS, heap after GC and CPU time per round.
//
// Prints one line per sample: cycle, elapsed, RSS, (heap after GC), events seen. Needs root (the
// stack). Run under `flock /tmp/cns-stack.lock` where others share the machine's pcscd.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as stack from './test-stack.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'cns.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}

/** Lines from a stream, each handed to whoever waits for one that matches. */
function lineWaiter(stream) {
  let buf = '';
  const seen = [];
  const waiters = [];
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiters.findIndex((x) => x.test(line));
      if (w >= 0) waiters.splice(w, 1)[0].resolve(line);
      else seen.push(line);
    }
  });
  return {
    seen,
    next(test, ms = 20000, what = 'a line') {
      const i = seen.findIndex(test);
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
        waiters.push({
          test,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
  };
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
/** RSS as anonymous memory (heaps: V8's, malloc's) and file pages (code of Node and its libraries). */
function rssParts(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1]) / 1024;
  return `(anon ${kb('RssAnon').toFixed(1)}, file ${kb('RssFile').toFixed(1)})`;
}
/** utime + stime of a process, in seconds. */
function cpuS(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const after = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(after[11]) + Number(after[12])) / ticks;
}

async function soak() {
  const cycles = Number(arg('cycles', 2000));
  const every = Number(arg('every', 100));
  const idleS = Number(arg('idle', 120));
  const driver = arg('driver', 'helpers');
  const gc = arg('gc', false) === true;
  const reason = stack.unavailableReason();
  if (reason) {
    console.error(`soak-watch: the real stack is needed: ${reason}`);
    process.exit(1);
  }
  if (!existsSync(join(ROOT, 'dist', 'bundle', 'main.cjs'))) throw new Error('run npm run build first');
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cns-soak-'));
  const ports = Object.keys(stack.PORTS)
    .map(Number)
    .slice(0, Number(arg('readers', 2)));
  const images = Object.fromEntries(ports.map((p) => [p, join(dir, `card-${p}.json`)]));
  const memFile = join(dir, 'mem.json');
  const hook = join(dir, 'gc-hook.cjs');
  writeFileSync(
    hook,
    `process.on('SIGUSR2', () => { global.gc(); require('fs').writeFileSync(${JSON.stringify(memFile)}, JSON.stringify(process.memoryUsage())); });\n`,
  );
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_EXTRA_CA_CERTS;
  // --watch-env K=V: for the watch only (e.g. MALLOC_ARENA_MAX=1, to tell fragmentation from a leak)
  const watchEnv = { ...env };
  for (let i = 0; i < process.argv.length; i++)
    if (process.argv[i] === '--watch-env') {
      const [k, ...v] = process.argv[i + 1].split('=');
      watchEnv[k] = v.join('=');
    }
  let watch;
  let link;
  await stack.start();
  try {
    for (const port of ports) {
      const made = spawnSync(process.execPath, [BIN, 'sim', 'create', images[port]], { encoding: 'utf8', env });
      if (made.status !== 0) throw new Error(made.stderr);
    }
    watch = spawn(process.execPath, [...(gc ? ['--expose-gc', '-r', hook] : []), BIN, 'watch'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: watchEnv,
    });
    const events = lineWaiter(watch.stdout);
    const seen = (event, port) => (l) => l.includes(`"${event}"`) && l.includes(`"${stack.PORTS[port]}"`);
    for (const port of ports) await events.next(seen('reader-added', port), 20000, 'reader-added');
    let counted = 0;
    const heapAfterGc = async () => {
      if (!gc) return '';
      rmSync(memFile, { force: true });
      process.kill(watch.pid, 'SIGUSR2');
      for (let i = 0; i < 200 && !existsSync(memFile); i++) await sleep(10);
      await sleep(20);
      const m = JSON.parse(readFileSync(memFile, 'utf8'));
      return `  heap after gc ${(m.heapUsed / 1048576).toFixed(1)} of ${(m.heapTotal / 1048576).toFixed(1)} MB, external ${(m.external / 1048576).toFixed(1)} MB, arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(2)} MB`;
    };
    if (driver === 'link') {
      const ns = stack.status().netns ? ['ip', 'netns', 'exec', stack.NETNS] : [];
      const argv = [...ns, process.execPath, fileURLToPath(import.meta.url), '--link-child'];
      link = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'], env });
      link.lines = lineWaiter(link.stdout);
    }
    const insert = async (port) => {
      if (link) {
        link.stdin.write(`in ${port} ${images[port]}\n`);
        await link.lines.next((l) => l === `in ${port} ok`, 10000, 'link in');
      } else await stack.attach(images[port], port);
    };
    const remove = async (port) => {
      if (link) {
        link.stdin.write(`out ${port}\n`);
        await link.lines.next((l) => l === `out ${port} ok`, 10000, 'link out');
      } else await stack.detach(port);
    };
    const t0 = Date.now();
    const startRss = rssKb(watch.pid);
    console.log(
      `cns watch soak: ${cycles} insert/remove cycles of virtual cards in ${ports.map((p) => `"${stack.PORTS[p]}"`).join(' and ')} (driver: ${driver}), node ${process.version}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    console.log(`cycle     0  t      0 s  RSS ${(startRss / 1024).toFixed(1)} MB ${rssParts(watch.pid)}${await heapAfterGc()}`);
    const samples = [];
    let done = 0;
    let nextSample = every;
    // each reader its own card and its own loop: pcscd polls a vpcd reader every 400 ms, so one
    // reader gives ~1.2 cycles a second whatever drives it; readers in parallel give more
    const loop = async (port, n) => {
      for (let c = 1; c <= n; c++) {
        await insert(port);
        await events.next(seen('card-inserted', port), 20000, `card-inserted (${stack.PORTS[port]}, cycle ${c})`);
        counted++;
        await remove(port);
        await events.next(seen('card-removed', port), 20000, `card-removed (${stack.PORTS[port]}, cycle ${c})`);
        counted++;
        done++;
        if (done >= nextSample || done === cycles) {
          nextSample += every;
          const rss = rssKb(watch.pid);
          samples.push({ c: done, rss });
          console.log(
            `cycle ${String(done).padStart(5)}  t ${String(Math.round((Date.now() - t0) / 1000)).padStart(6)} s  RSS ${(rss / 1024).toFixed(1)} MB ${rssParts(watch.pid)}${await heapAfterGc()}  (${counted} events)`,
          );
        }
      }
    };
    await Promise.all(ports.map((port, k) => loop(port, Math.floor(cycles / ports.length) + (k < cycles % ports.length ? 1 : 0))));
    const peak = Math.max(startRss, ...samples.map((s) => s.rss));
    const half = samples.filter((s) => s.c > cycles / 2).map((s) => s.rss);
    console.log(
      `RSS: start ${(startRss / 1024).toFixed(1)} MB, peak ${(peak / 1024).toFixed(1)} MB, second half ${(Math.min(...half) / 1024).toFixed(1)}-${(Math.max(...half) / 1024).toFixed(1)} MB; ${((Date.now() - t0) / cycles).toFixed(0)} ms per cycle`,
    );
    if (idleS > 0) {
      // one card in the reader while idle, as at a kiosk's desk
      await insert(ports[0]);
      await events.next(seen('card-inserted', ports[0]), 20000, 'card-inserted (idle)');
      await sleep(1000);
      const cpu0 = cpuS(watch.pid);
      const rss0 = rssKb(watch.pid);
      const i0 = Date.now();
      const seen0 = events.seen.length;
      await sleep(idleS * 1000);
      const spent = cpuS(watch.pid) - cpu0;
      const secs = (Date.now() - i0) / 1000;
      console.log(
        `idle ${secs.toFixed(0)} s (a card in the reader): CPU ${spent.toFixed(2)} s (${((spent / secs) * 86400).toFixed(1)} s per 24 h at that rate), RSS ${(rss0 / 1024).toFixed(1)} -> ${(rssKb(watch.pid) / 1024).toFixed(1)} MB, events while idle: ${events.seen.length - seen0}`,
      );
      await remove(ports[0]);
    }
    const hours = Number(arg('simulated-hours', 0));
    if (hours > 0) {
      for (const pnp of ['pnp', 'poll']) {
        const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--idle-child', String(hours), pnp], {
          stdio: 'inherit',
          env,
        });
        if (r.status !== 0) throw new Error(`the simulated idle hours (${pnp}) failed (${r.status})`);
      }
    }
  } finally {
    if (link) {
      link.stdin.write('quit\n');
      await new Promise((r) => (link.exitCode !== null ? r() : link.on('exit', r)));
    }
    if (watch && watch.exitCode === null) {
      watch.kill('SIGTERM');
      await new Promise((r) => watch.on('exit', r));
    }
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// the link driver's child: in the namespace, opens and closes the cards' vpcd links on command
// ("in PORT IMAGE", "out PORT", "quit"), answering each with "<command> ok"
if (process.argv[2] === '--link-child') {
  const { VpcdLink } = await import(pathToFileURL(join(ROOT, 'dist', 'sim', 'vpcd.js')).href);
  const links = new Map();
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', async (d) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const [cmd, port, image] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      if (cmd === 'in') links.set(port, new VpcdLink(image, { host: '127.0.0.1', port: Number(port) }));
      else if (cmd === 'out') {
        const link = links.get(port);
        links.delete(port);
        link.stop();
        await link.done;
      } else if (cmd === 'quit') process.exit(0);
      process.stdout.write(`${cmd} ${port} ok\n`);
    }
  });
} else if (process.argv[2] === '--idle-child') {
  await idleChild(Number(process.argv[3]), process.argv[4] === 'pnp');
} else {
  await soak();
}

/**
 * `hours` of an idle watch, compressed: the PcscClient's own status-change loop (the one cns watch
 * runs), each wait given up at once (timeout 0) instead of lasting until something changes or a
 * second passes, 3600 rounds per hour; with or without the PnP pseudo-reader.
 */
async function idleChild(hours, pnp) {
  const { PcscClient } = await import(pathToFileURL(join(ROOT, 'dist', 'pcsc', 'client.js')).href);
  const { loadWinscard } = await import(pathToFileURL(join(ROOT, 'dist', 'pcsc', 'winscard.js')).href);
  const real = loadWinscard();
  const rounds = Math.round(hours * 3600);
  let n = 0;
  let finished;
  const done = new Promise((r) => (finished = r));
  const api = {
    ...real,
    platform: { ...real.platform, pnp },
    async getStatusChange(ctx, _timeoutMs, states) {
      const rv = await real.getStatusChange(ctx, 0, states);
      if (++n >= rounds) finished();
      return rv;
    },
  };
  const mem = () => {
    global.gc();
    const m = process.memoryUsage();
    return `RSS ${(m.rss / 1048576).toFixed(1)} MB ${rssParts(process.pid)}, heap after gc ${(m.heapUsed / 1048576).toFixed(1)} MB`;
  };
  const client = await PcscClient.open(api);
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  console.log(`simulated idle (${pnp ? 'PnP pseudo-reader, as pcsc-lite' : 'polling, no PnP'}): round 0 of ${rounds}  ${mem()}`);
  const step = Math.max(1, Math.round(rounds / 8));
  let next = step;
  const sampler = setInterval(() => {
    if (n < next) return;
    next += step;
    console.log(`  round ${String(n).padStart(6)}  (${((n / 3600) | 0).toString().padStart(2)} h)  ${mem()}`);
  }, 50);
  client.onEvent(() => events++);
  await done;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  client.close();
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(
    `  end: ${n} rounds (${hours} h) in ${((Date.now() - t0) / 1000).toFixed(1)} s, CPU ${cpuS.toFixed(2)} s (${((cpuS / n) * 1000).toFixed(3)} ms per round), ${events} events (the readers' first states), ${mem()}`,
  );
  process.exit(0);
}
