// --stdin reads the codes from descriptor 0 itself, without Node's stdin stream (issue 27): a pipe
// written at once or slowly, a file, a non-blocking descriptor, every line ending, too few or too
// many lines, an endless line, and a terminal refused as before.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cns, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const tries = (img: string): number => (JSON.parse(readFileSync(img, 'utf8')) as { pin: { triesLeft: number } }).pin.triesLeft;

let img = '';
const env = (): NodeJS.ProcessEnv => ({ ...process.env, LANG: 'C.UTF-8', NO_COLOR: '1', XDG_STATE_HOME: tempDir() });
const verify = (input: string, extra: string[] = []) =>
  cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json', ...extra], { input });

beforeAll(async () => {
  img = join(tempDir(), 'card.json');
  expect((await cns(['sim', 'create', img])).code).toBe(0);
});

describe('--stdin', () => {
  it('takes the PIN from a pipe with any line ending, or none', async () => {
    for (const input of ['12345\n', '12345\r\n', '12345']) {
      const r = await verify(input);
      expect(r.code, `${JSON.stringify(input)}: ${r.stderr}`).toBe(0);
      expect(r.json.pin.verified).toBe(true);
    }
    expect(tries(img)).toBe(3);
  });

  it('counts the lines as before: none, too many, an empty one; a long line is no PIN, and nothing reaches the card', async () => {
    const cases: [string, RegExp][] = [
      ['', /expects 1 line: PIN; got 0/],
      ['\n', /INVALID_PIN_FORMAT|must be/],
      ['12345\n12345\n', /expects 1 line: PIN; got 2/],
      ['12345\n\n', /expects 1 line: PIN; got 2/],
      [`${'1\n'.repeat(100000)}`, /expects 1 line: PIN; got 100000/],
      [`12345${'6'.repeat(20)}\n`, /must be/],
      [`${'1'.repeat(1 << 20)}\n`, /must be/],
      ['1234\u00e9\n', /must be/],
    ];
    for (const [input, said] of cases) {
      const r = await verify(input);
      expect(r.code, input.slice(0, 40)).toBe(2);
      expect(r.json.error.message, input.slice(0, 40)).toMatch(said);
    }
    expect(tries(img)).toBe(3);
  });

  it('takes the codes of a change, one per line, in order', async () => {
    const r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--json', '--allow-weak'], { input: '12345\r\n54321\r\n' });
    expect(r.code, r.stderr).toBe(0);
    const back = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--json', '--allow-weak'], { input: '54321\n12345' });
    expect(back.code, back.stderr).toBe(0);
  });

  it('reads a file, and a pipe written slowly in pieces', async () => {
    const dir = tempDir();
    const file = join(dir, 'pin.txt');
    writeFileSync(file, '12345\n');
    const fd = openSync(file, 'r');
    try {
      const r = spawnSync(process.execPath, [BIN, 'pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], {
        stdio: [fd, 'pipe', 'pipe'],
        env: env(),
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    } finally {
      closeSync(fd);
    }
    const child = spawn(process.execPath, [BIN, 'pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (const piece of ['12', '3', '45', '\n']) {
      child.stdin.write(piece);
      await new Promise((r) => setTimeout(r, 150));
    }
    child.stdin.end();
    expect(await code, out).toBe(0);
    expect(JSON.parse(out).pin.verified).toBe(true);
  });

  it('waits on a descriptor set non-blocking (EAGAIN) until the PIN comes', async () => {
    // the shell's descriptor 0 is a FIFO opened read-write (so never at its end) and non-blocking
    // would need fcntl; a FIFO opened O_RDONLY|O_NONBLOCK by this process and handed down is it
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { constants } = await import('node:fs');
    const rd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const wr = openSync(fifo, 'w');
    const child = spawn(process.execPath, [BIN, 'pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], {
      stdio: [rd, 'pipe', 'pipe'],
      env: env(),
    });
    closeSync(rd);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (err += d));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 700));
    writeFileSync(wr, '12345\n');
    closeSync(wr);
    expect(await code, err).toBe(0);
    expect(JSON.parse(out).pin.verified).toBe(true);
  });

  it.skipIf(!haveTool('script'))('refuses a terminal, as before', () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} pin verify --reader sim:${img} --stdin`, '/dev/null'], {
      env: env(),
      encoding: 'utf8',
      input: '',
    });
    expect(r.stdout).toMatch(/--stdin expects the codes piped in/);
    expect(r.status).toBe(2);
  });
});
