import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/cert/x509.js';
import { EXTENDED_NOT_AFTER } from '../../src/extension/constants.js';
import { certFromImage, efFromImage, startService } from '../extension-helpers.js';
import { cns, tempDir } from '../helpers.js';

const AT = '2023-11-15';
let dir: string;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  dir = tempDir('cns-interrupt-');
  service = await startService(['--now', AT]);
});
afterAll(async () => {
  await service?.stop();
});

let n = 0;
async function card(): Promise<string> {
  const p = join(dir, `c${++n}.json`);
  const r = await cns(['sim', 'create', p, '--card-id', '5000000000000009', '--not-before', '2018-01-01', '--not-after', '2023-12-30']);
  expect(r.code, r.stderr).toBe(0);
  return p;
}

/** The 0-based positions of the UPDATE BINARY commands of a whole extension, from a trace on a copy. */
async function updatePositions(img: string): Promise<number[]> {
  const copy = `${img}.copy.json`;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(copy, readFileSync(img));
  const t = await cns(['extend', '--reader', `sim:${copy}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--trace'], {
    input: '12345\n12345678\n',
    env: { XDG_STATE_HOME: tempDir() },
  });
  expect(t.code, t.stderr).toBe(0);
  const sent = t.stderr.split('\n').filter((l) => / > /.test(l));
  return sent.map((l, i) => (/ > 00 D6 /.test(l) ? i : -1)).filter((i) => i >= 0);
}

const extendWithLeave = (img: string, state: string, leaveAfter: number) =>
  cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--json'], {
    input: '12345\n12345678\n',
    env: { XDG_STATE_HOME: state, CNS_SIM_LEAVE_AFTER: String(leaveAfter) },
  });

describe('an interrupted certificate write, seen from the card alone (another machine, no journal)', () => {
  it('cut before the last step: says so at once; elsewhere status sees it, --resume finishes from the card', async () => {
    const img = await card();
    const updates = await updatePositions(img);
    const first = tempDir('cns-machine-a-');
    const r = await extendWithLeave(img, first, updates[updates.length - 1]!); // leaves on the header write
    expect(r.code).toBe(6);
    expect(r.stderr + r.json.error.hint).toMatch(/write was interrupted.*cns extend --resume/s);
    const other = tempDir('cns-machine-b-');
    const s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: { XDG_STATE_HOME: other } });
    expect(s.json.certificate).toBeNull();
    expect(s.json.problems).toContainEqual(
      expect.objectContaining({ code: 'CERT_WRITE_INCOMPLETE', message: expect.stringMatching(/--resume/) }),
    );
    expect((await cns(['cert', 'check', '--reader', `sim:${img}`], { env: { XDG_STATE_HOME: other } })).code).toBe(7);
    const done = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--stdin', '--json'], {
      input: '12345678\n',
      env: { XDG_STATE_HOME: other },
    });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(parseCertificate(certFromImage(img)).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
  });

  it('cut in the middle: nothing looks like a certificate; --resume elsewhere points to --restore, which brings the old one back', async () => {
    const img = await card();
    const before = certFromImage(img);
    const updates = await updatePositions(img);
    const first = tempDir('cns-machine-a-');
    const r = await extendWithLeave(img, first, updates[Math.floor(updates.length * 0.6)]!);
    expect(r.code).toBe(6);
    const ef = efFromImage(img);
    expect(ef.subarray(0, 4).every((b) => b === 0)).toBe(true); // no header: no reader can take it for a certificate
    const other = tempDir('cns-machine-b-');
    const s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: { XDG_STATE_HOME: other } });
    expect(s.json.problems).toContainEqual(
      expect.objectContaining({ code: 'CERT_WRITE_INCOMPLETE', message: expect.stringMatching(/--restore/) }),
    );
    const resume = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--stdin', '--json'], {
      input: '12345678\n',
      env: { XDG_STATE_HOME: other },
    });
    expect(resume.code).toBe(2);
    expect(resume.json.error.hint).toMatch(/--restore/);
    // the backup the first machine made, carried to the other one
    const journal = join(first, 'cns', 'extension', '5000000000000009');
    const backup = join(journal, readdirSync(journal).find((f) => f.startsWith('old-'))!);
    const restore = await cns(['extend', '--restore', backup, '--reader', `sim:${img}`, '--yes', '--stdin', '--json'], {
      input: '12345678\n',
      env: { XDG_STATE_HOME: other },
    });
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(certFromImage(img).equals(before)).toBe(true);
  });
});

describe('after the card confirmed a PIN command', () => {
  it('a failure of the follow-up read says the change succeeded, not "outcome unknown"', async () => {
    const img = await card();
    // change: tries (1 APDU), CHANGE REFERENCE DATA (2nd), then the card leaves on the read-back
    // --allow-weak: no birth-date read before the change, so the APDU count below stays exact
    const r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--json', '--allow-weak'], {
      input: '12345\n54321\n',
      env: { CNS_SIM_LEAVE_AFTER: '2' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ operation: 'pin.change', followUp: 'tries-unreadable' });
    expect(r.stderr).toMatch(/confirmed the operation/);
    expect((JSON.parse(readFileSync(img, 'utf8')) as { pin: { value: string } }).pin.value).toBe('54321');
  });
});
