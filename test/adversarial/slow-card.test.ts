import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';

/**
 * Issue 22 item 11: a card that answers every APDU slowly, just inside the per-APDU limit, and
 * announces huge files, is bounded as a whole: files are read only as far as their kind can hold,
 * and a command has an overall deadline that never cuts a PIN command in flight.
 */
async function slowCard(): Promise<string> {
  const img = join(tempDir('cns-slow-'), 'card.json');
  expect((await cns(['sim', 'create', img])).code).toBe(0);
  const j = JSON.parse(readFileSync(img, 'utf8'));
  // EF_ID_Carta announced as 32 KB: its 16 digits, then 32 KB more
  const id = j.files.find((f: { path: string }) => f.path === '3F00/1000/1003');
  id.data = id.data.padEnd(2 * 0x8000, '3');
  writeFileSync(img, JSON.stringify(j));
  return img;
}

const commands = (trace: string): string[] =>
  trace
    .split('\n')
    .map((l) => /> (.*)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);

describe('a slow card with huge files', () => {
  it('EF_ID_Carta announced as 32 KB is read as the 16 bytes it can hold: one READ BINARY', async () => {
    const img = await slowCard();
    const r = await cns(['status', '--reader', `sim:${img}`, '--json', '--trace'], { env: { CNS_SIM_APDU_DELAY_MS: '20' } });
    expect(r.code, r.stderr).toBe(0);
    const sent = commands(r.stderr);
    const sel = sent.indexOf('00 A4 08 00 04 10 00 10 03 00');
    expect(sent[sel + 1]).toBe('00 B0 00 00 10');
    expect(sent[sel + 2]?.startsWith('00 B0')).toBe(false);
    expect(r.json.card.id).toMatch(/^\d{16}$/);
  });

  it('status as a whole stops at its deadline: exit 7, said in words, in bounded time', async () => {
    const img = await slowCard();
    const t0 = Date.now();
    const r = await cns(['status', '--reader', `sim:${img}`, '--json'], {
      env: { CNS_SIM_APDU_DELAY_MS: '300', CNS_COMMAND_TIMEOUT_MS: '2000' },
    });
    const took = Date.now() - t0;
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('CARD_NOT_ANSWERING');
    expect(r.json.error.message).toMatch(/too slowly.*2 s in all/);
    expect(took).toBeLessThan(6000);
  });

  it('a PIN command is never cut once sent, and one stopped before it left says so: tries untouched, nothing "unknown"', async () => {
    const img = await slowCard();
    const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], {
      input: '99999\n',
      env: { CNS_SIM_APDU_DELAY_MS: '400', CNS_COMMAND_TIMEOUT_MS: '300' },
    });
    expect(r.json.error.code).toBe('CARD_NOT_ANSWERING');
    expect(r.json.error.message).not.toMatch(/unknown|sconosciuto/i);
    expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
  });
});

describe('the virtual card keeps the per-APDU deadline too (found by the issue 23 trial)', () => {
  it('an answer later than the deadline is "the card does not answer" (exit 7), in about the deadline, nothing after it', async () => {
    const img = join(tempDir('cns-slow-apdu-'), 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const t0 = Date.now();
    const r = await cns(['status', '--reader', `sim:${img}`, '--json'], {
      env: { CNS_SIM_APDU_DELAY_MS: '5000', CNS_APDU_TIMEOUT_MS: '300' },
    });
    expect(r.code, r.stdout).toBe(7);
    expect(r.json.error.code).toBe('CARD_NOT_ANSWERING');
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('a folder, a FIFO, a text file or a missing file named as an image: refused, and no lock file made beside it', async () => {
    const { existsSync, mkdirSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const d = tempDir('cns-not-image-');
    const folder = join(d, 'folder');
    mkdirSync(folder);
    const fifo = join(d, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const notes = join(d, 'notes.txt');
    writeFileSync(notes, 'not a card\n');
    for (const p of [folder, fifo, notes, join(d, 'missing.json')]) {
      const r = await cns(['status', '--reader', `sim:${p}`, '--json'], { timeoutMs: 20_000 });
      expect([6, 7], p).toContain(r.code);
      expect(['IMAGE_INVALID', 'NO_CARD'], p).toContain(r.json.error.code);
      expect(existsSync(`${p}.lock`), `${p}.lock`).toBe(false);
    }
  });
});
