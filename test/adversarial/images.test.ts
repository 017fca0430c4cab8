import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

const tries = (img: string): number => (JSON.parse(readFileSync(img, 'utf8')) as { pin: { triesLeft: number } }).pin.triesLeft;
const wrongPin = (img: string) => cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '99999\n' });

async function made(dir: string): Promise<string> {
  const img = join(dir, 'card.json');
  expect((await cns(['sim', 'create', img])).code).toBe(0);
  return img;
}

describe('card images on disk', () => {
  it('through a symbolic link the card it points to counts the try, and the link stays a link', async () => {
    const dir = tempDir('cns-img-');
    const img = await made(dir);
    const link = join(dir, 'link.json');
    symlinkSync(img, link);
    expect((await wrongPin(link)).code).toBe(3);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(tries(img)).toBe(2);
  });

  it('a FIFO as the image path is refused at once, not waited on', async () => {
    const dir = tempDir('cns-img-');
    const fifo = join(dir, 'fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await cns(['status', '--reader', `sim:${fifo}`, '--json']);
    expect(r.code).toBe(7);
    expect(r.json.error.message).toMatch(/not a regular file/);
  });

  it('a read-only image is not rewritten: nothing is counted, and it says why', async () => {
    const dir = tempDir('cns-img-');
    const img = await made(dir);
    chmodSync(img, 0o444);
    const before = readFileSync(img);
    const r = await wrongPin(img);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(3);
    expect(r.json.error.message).toMatch(/read-only/);
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(statSync(img).mode & 0o777).toBe(0o444);
  });

  it('temp copies left by a killed process (PIN and key inside) are removed at the next write', async () => {
    const dir = tempDir('cns-img-');
    const img = await made(dir);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(`${img}.${dead}.tmp`, readFileSync(img));
    expect((await wrongPin(img)).code).toBe(3);
    expect(existsSync(`${img}.${dead}.tmp`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
