import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';
import { imageCertificate, imageCounters, makeCard, OPENSC_MODULE, STACK_OK, stack } from './stack.js';

const P11 = ['--backend', 'pkcs11'];
const verify = (pin: string, ...extra: string[]) => cns(['pin', 'verify', ...P11, '--stdin', '--json', ...extra], { input: `${pin}\n` });

describe.skipIf(!STACK_OK)("through OpenSC's PKCS#11 module, on the virtual card behind pcscd", () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('status shows what the module knows, and agrees with the PC/SC path', async () => {
    const img = await makeCard('--card-id', '5000000000000009');
    await stack.attach(img);
    const p11 = await cns(['status', ...P11, '--json']);
    expect(p11.code, p11.stderr).toBe(0);
    const pcsc = await cns(['status', '--backend', 'pcsc', '--json']);
    expect(p11.json.card).toMatchObject({ id: '5000000000000009', backend: 'pkcs11', atr: null, module: { path: OPENSC_MODULE } });
    expect(p11.json.certificate).toEqual(pcsc.json.certificate);
    expect(p11.json.holder).toEqual({ surname: 'ROSSI', givenName: 'MARIO', codiceFiscale: 'RSSMRA80A01H501U', source: 'certificate' });
    // OpenSC's CNS emulation flags every PIN as locked without asking the card: not believed
    expect(p11.json.pin).toEqual({ triesLeft: null, blocked: null, verified: false, exact: false });
    expect(p11.json.problems.map((p: { code: string }) => p.code)).toContain('PKCS11_FLAGS_UNRELIABLE');
    expect(pcsc.json.pin.triesLeft).toBe(3);
    const viaModule = await cns(['status', '--module', OPENSC_MODULE, '--json']);
    expect(viaModule.json.card.backend).toBe('pkcs11');
  });

  it('exports the same certificate bytes as the PC/SC backend, and signs with the card key', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const dir = tempDir();
    expect((await cns(['cert', 'export', ...P11, '--format', 'der', '--out', join(dir, 'p11.der')])).code).toBe(0);
    expect((await cns(['cert', 'export', '--backend', 'pcsc', '--format', 'der', '--out', join(dir, 'pcsc.der')])).code).toBe(0);
    expect(readFileSync(join(dir, 'p11.der')).equals(readFileSync(join(dir, 'pcsc.der')))).toBe(true);
    expect(readFileSync(join(dir, 'p11.der')).equals(imageCertificate(img))).toBe(true);
    const r = await verify('12345', '--sign-test');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.signature).toMatchObject({ verified: true, keyBits: 2048 });
  });

  it('the lockout as the card counts it: wrong PINs through C_Login, then CKR_PIN_LOCKED', async () => {
    const img = await makeCard();
    await stack.attach(img);
    for (const left of [2, 1, 0]) {
      const r = await verify('11111');
      expect(r.code).toBe(3);
      expect(r.json.error.code).toBe('PIN_INCORRECT');
      expect(imageCounters(img).pin).toBe(left);
    }
    const r = await verify('12345');
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('PIN_BLOCKED');
    expect((await cns(['status', '--backend', 'pcsc', '--json'])).json.pin).toMatchObject({ triesLeft: 0, blocked: true });
  });

  it('change through C_SetPIN; unblock: refused by default OpenSC (said plainly, PUK untouched), done with the SO-session setting', async () => {
    const img = await makeCard('--pin-tries', '1');
    await stack.attach(img);
    let r = await cns(['pin', 'change', ...P11, '--env', '--json'], { env: { CNS_PIN: '12345', CNS_NEW_PIN: '86420' } });
    expect(r.code, r.stdout).toBe(0);
    expect(imageCounters(img).pinValue).toBe('86420');
    expect((await verify('11111')).code).toBe(3);
    r = await cns(['pin', 'unblock', ...P11, '--stdin', '--json', '--last-attempt'], { input: '12345678\n24680\n' });
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('PKCS11_NOT_SUPPORTED');
    expect(r.json.error.message).toMatch(/--backend pcsc/);
    expect(imageCounters(img)).toMatchObject({ pin: 0, puk: 10 });
    expect(r.json.error.message).toMatch(/user_pin_unblock_style/);
    // with OpenSC told to map SO login + C_InitPIN to an unblock, the PUK does it through PKCS#11
    const conf = join(__dirname, '..', '..', 'fixtures', 'opensc-unblock.conf');
    r = await cns(['pin', 'unblock', ...P11, '--stdin', '--json', '--last-attempt'], {
      input: '12345678\n24680\n',
      env: { OPENSC_CONF: conf },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(imageCounters(img)).toMatchObject({ pin: 1, puk: 10, pinValue: '24680' });
    // and a wrong PUK through PKCS#11 costs exactly one PUK try
    r = await cns(['pin', 'unblock', ...P11, '--stdin', '--json', '--last-attempt'], {
      input: '87654321\n24680\n',
      env: { OPENSC_CONF: conf },
    });
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('PUK_INCORRECT');
    expect(imageCounters(img).puk).toBe(9);
  });

  it('the PUK counter is unknown through PKCS#11, so the PUK is gated like a last try', async () => {
    await stack.attach(await makeCard());
    const r = await cns(['pin', 'unblock', ...P11, '--stdin', '--json'], { input: '12345678\n24680\n' });
    expect(r.code).toBe(9);
    expect(r.json.error.code).toBe('LAST_ATTEMPT_REFUSED');
    expect(r.stderr).toMatch(/counter cannot be read here/);
  });
});
