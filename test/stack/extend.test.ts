import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/cert/x509.js';
import { EXTENDED_NOT_AFTER } from '../../src/extension/constants.js';
import { certFromImage, startService } from '../extension-helpers.js';
import { cns, tempDir } from '../helpers.js';
import { makeCard, STACK_OK, stack } from './stack.js';

const AT = '2023-11-15';
let service: Awaited<ReturnType<typeof startService>>;
let state: string;

describe.skipIf(!STACK_OK)('the 2023 extension through pcscd and a vpcd reader', () => {
  beforeAll(async () => {
    service = await startService(['--now', AT]);
    state = tempDir('cns-state-');
  });
  afterAll(async () => {
    await service?.stop();
  });
  afterEach(async () => {
    await stack.detach(35963);
  });

  const run = (args: string[], input: string, extraEnv: Record<string, string> = {}) =>
    cns(args, { input, env: { XDG_STATE_HOME: state, ...extraEnv } });

  it('extends a card in a real reader', async () => {
    const img = await makeCard('--not-before', '2018-01-01', '--not-after', '2023-12-30');
    await stack.attach(img);
    const check = await run(['extend', '--check', '--at', AT, '--json'], '');
    expect(check.code).toBe(0);
    const r = await run(['extend', '--at', AT, '--service', service.url, '--yes', '--stdin', '--json'], '12345\n12345678\n');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseCertificate(certFromImage(img)).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    const s = await run(['status', '--json'], '');
    expect(s.json.certificate.extended).toBe(true);
  });

  it('a card pulled out of the reader halfway through the write: --resume finishes once it is back', async () => {
    const img = await makeCard('--not-before', '2018-01-01', '--not-after', '2023-12-30');
    // count the APDUs up to the PUK on a copy, in-process
    const copy = `${img}.copy.json`;
    writeFileSync(copy, readFileSync(img));
    const traced = await cns(['extend', '--reader', `sim:${copy}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--trace'], {
      input: '12345\n12345678\n',
      env: { XDG_STATE_HOME: tempDir() },
    });
    const sent = traced.stderr.split('\n').filter((l) => / > /.test(l));
    const n = sent.findIndex((l) => / > 00 20 00 91 \[8 bytes redacted\]/.test(l)) + 1;
    expect(n).toBeGreaterThan(5);
    await stack.attach(img, 35963, ['--leave-after', String(n + 2)]);
    let r = await run(['extend', '--at', AT, '--service', service.url, '--yes', '--stdin', '--json'], '12345\n12345678\n');
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');
    await stack.attach(img);
    const s = await run(['status', '--json'], '');
    expect(s.json.problems.map((p: { code: string }) => p.code)).toContain('CERT_HALF_WRITTEN');
    r = await run(['extend', '--resume', '--stdin', '--json'], '12345678\n');
    expect(r.code, r.stdout).toBe(0);
    expect(parseCertificate(certFromImage(img)).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    // no write left pending; only the state of an extended certificate seen today: ended 31/12/2023
    expect((await run(['status', '--json'], '')).json.problems.map((p: { code: string }) => p.code)).toEqual(['CERT_EXPIRED']);
  });
});
