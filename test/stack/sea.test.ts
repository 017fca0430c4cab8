import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seaExecutable, tempDir } from '../helpers.js';
import { imageCertificate, imageCounters, makeCard, OPENSC_MODULE, READER0, STACK_OK, stack } from './stack.js';

/**
 * Issue 24 item 2: the single executable through the real stack (pcscd + vpcd + the virtual card,
 * OpenSC's module for PKCS#11), with no node on the PATH: readers, status, a PIN verified and a
 * test signature through PC/SC, the certificate read and the PIN verified through the middleware.
 */
describe.skipIf(!STACK_OK)('the single executable through pcscd', () => {
  let exe: string;
  let home: string;
  beforeAll(() => {
    exe = seaExecutable();
    home = tempDir('cns-sea-stack-');
  }, 150_000);
  afterEach(async () => {
    await stack.detach(35963);
  });
  const run = (args: string[], input = '') =>
    spawnSync(exe, args, {
      encoding: 'utf8',
      input,
      env: {
        PATH: join(home, 'empty-bin'),
        HOME: home,
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_STATE_HOME: join(home, 'state'),
        NO_COLOR: '1',
      },
      timeout: 60_000,
    });

  it('readers, status, pin verify --sign-test (PC/SC) and the OpenSC module (PKCS#11)', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const readers = run(['readers', '--json']);
    expect(readers.status, readers.stderr).toBe(0);
    expect(JSON.parse(readers.stdout).readers[0]).toMatchObject({ name: READER0, present: true, isCns: true });
    const status = run(['status', '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).certificate.sha256).toBe(
      createHash('sha256').update(imageCertificate(img)).digest('hex').toUpperCase(),
    );
    const verify = run(['pin', 'verify', '--stdin', '--sign-test', '--json'], '12345\n');
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout).signature).toMatchObject({ verified: true });
    const p11 = run(
      ['pin', 'verify', '--backend', 'pkcs11', '--module', OPENSC_MODULE, '--reader', READER0, '--stdin', '--json'],
      '12345\n',
    );
    expect(p11.status, p11.stdout + p11.stderr).toBe(0);
    const wrong = run(['pin', 'verify', '--stdin', '--json'], '99999\n');
    expect(wrong.status).toBe(3);
    expect(imageCounters(img).pin).toBe(2);
  });
});
