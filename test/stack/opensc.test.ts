import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GENERATIONS } from '../../src/sim/generations.js';
import { cns } from '../helpers.js';
import { imageCertificate, imageCounters, makeCard, OPENSC_MODULE, opensc, STACK_OK, stack } from './stack.js';

/**
 * The fidelity test: OpenSC is an independent implementation of the Italian CNS. If its own
 * tools cannot use the virtual card as a TS-CNS, the card is not faithful.
 */
describe.skipIf(!STACK_OK)('OpenSC treats the virtual card as an Italian CNS', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('opensc-tool names it and binds the Italian CNS driver', async () => {
    await stack.attach(await makeCard());
    expect(opensc('opensc-tool', ['--name']).out).toMatch(/CNS card/);
    expect(opensc('opensc-tool', ['--name', '-v']).out).toMatch(/Using card driver Italian CNS/);
    const serial = opensc('opensc-tool', ['--serial']);
    expect(serial.code).toBe(0);
  });

  it('pkcs15-tool lists the PIN, the PUK and the certificate, and reads the certificate exactly', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const pins = opensc('pkcs15-tool', ['--list-pins']);
    expect(pins.code).toBe(0);
    expect(pins.out).toMatch(/PIN \[PIN CNS0\][\s\S]*Reference\s*: 16 \(0x10\)/);
    expect(pins.out).toMatch(/PIN \[PUK CNS0\][\s\S]*Reference\s*: 17 \(0x11\)/);
    const certs = opensc('pkcs15-tool', ['--list-certificates']);
    expect(certs.out).toMatch(/X\.509 Certificate \[CNS0\][\s\S]*Path\s*: 3f0011001101/);
    const pem = opensc('pkcs15-tool', ['--read-certificate', '01']);
    expect(pem.code).toBe(0);
    expect(new X509Certificate(pem.out.slice(pem.out.indexOf('-----BEGIN'))).raw.equals(imageCertificate(img))).toBe(true);
  });

  it('pkcs11-tool --login --test passes: signatures made by the card key verify', async () => {
    await stack.attach(await makeCard());
    const r = opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']);
    expect(r.out).toMatch(/SHA256-RSA-PKCS: OK/);
    expect(r.out).toMatch(/No errors/);
    expect(r.code).toBe(0);
  });

  it('works on a 1024-bit CNS 1.0 (Athena) card too', async () => {
    await stack.attach(await makeCard('--atr', '3BDF18008131FE7D006B150C0181011101434E53103180E8'));
    const r = opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']);
    expect(r.out).toMatch(/No errors/);
    const s = await cns(['status', '--json']);
    expect(s.json.card).toMatchObject({ keyBits: 1024, extendedLength: false, maskManufacturer: 'Athena' });
  });

  it('change and unblock through pkcs15-tool; wrong PINs count the same for OpenSC and cns', async () => {
    const img = await makeCard();
    await stack.attach(img);
    expect(opensc('pkcs15-tool', ['--change-pin', '--pin', '12345', '--new-pin', '54321']).code).toBe(0);
    expect(imageCounters(img).pinValue).toBe('54321');
    expect(opensc('pkcs15-tool', ['--verify-pin', '--pin', '11111']).code).not.toBe(0);
    expect((await cns(['status', '--json'])).json.pin.triesLeft).toBe(2);
    // the reverse: cns spends the rest, OpenSC then finds the PIN blocked
    await cns(['pin', 'verify', '--stdin', '--json'], { input: '22222\n' });
    await cns(['pin', 'verify', '--stdin', '--json', '--last-attempt'], { input: '22222\n' });
    expect(imageCounters(img).pin).toBe(0);
    expect(opensc('pkcs15-tool', ['--verify-pin', '--pin', '54321']).out).toMatch(/blocked/i);
    const unblock = opensc('pkcs15-tool', ['--unblock-pin', '--puk', '12345678', '--new-pin', '12345']);
    expect(unblock.code).toBe(0);
    expect(imageCounters(img)).toMatchObject({ pin: 3, pinValue: '12345' });
    expect((await cns(['pin', 'verify', '--env', '--json'], { env: { CNS_PIN: '12345' } })).code).toBe(0);
  });

  it('a card with the signature keyset: OpenSC lists both keysets and verifies the signature PIN (1A) alone; cns agrees', async () => {
    const img = await makeCard('--signature-keyset');
    await stack.attach(img);
    const list = opensc('pkcs15-tool', ['--list-pins', '--list-certificates']);
    expect(list.out).toMatch(/X\.509 Certificate \[CNS1\][\s\S]*Path\s*: 3f0014009010/);
    expect(list.out).toMatch(/PIN \[PIN CNS1\][\s\S]*Reference\s*: 26 \(0x1A\)/);
    expect(list.out).toMatch(/PIN \[PUK CNS1\][\s\S]*Reference\s*: 27 \(0x1B\)/);
    expect(opensc('pkcs15-tool', ['--verify-pin', '--auth-id', '10', '--pin', '11223344']).code).not.toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8'));
    expect([j.signature.pin.triesLeft, j.pin.triesLeft]).toEqual([2, 3]);
    const s = await cns(['status', '--json']);
    expect(s.json.signature).toMatchObject({ pin: { triesLeft: 2 }, puk: { triesLeft: 10 } });
    expect(opensc('pkcs15-tool', ['--verify-pin', '--auth-id', '10', '--pin', '24681357']).code).toBe(0);
    expect(JSON.parse(readFileSync(img, 'utf8')).signature.pin.triesLeft).toBe(3);
  });

  it('the InfoCamere 1204 layout: OpenSC reads the same signature certificate (CNS01, from offset 5) as cns', async () => {
    const img = await makeCard('--signature-layout', 'infocamere');
    await stack.attach(img);
    const list = opensc('pkcs15-tool', ['--list-certificates']);
    expect(list.out).toMatch(/X\.509 Certificate \[CNS01\][\s\S]*Path\s*: 3f002fff8228/);
    const pem = opensc('pkcs15-tool', ['--read-certificate', '21']);
    expect(pem.code).toBe(0);
    const theirs = new X509Certificate(pem.out.slice(pem.out.indexOf('-----BEGIN'))).raw;
    const ours = await cns(['cert', 'export', '--signature', '--format', 'pem']);
    expect(new X509Certificate(ours.stdout).raw.equals(theirs)).toBe(true);
  });
});

/** OpenSC's minor version (0.23 -> 23), for behaviours that changed between its releases. */
function openscMinor(): number {
  const v = /OpenSC (\d+)\.(\d+)/.exec(opensc('opensc-tool', ['--info']).out);
  return v ? Number(v[1]) * 100 + Number(v[2]) : 0;
}

/** The DER certificate of an image at a path (the EF up to the DER length). */
function certAt(image: string, path: string): Buffer {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { files: { path: string; data?: string }[] };
  const ef = Buffer.from(j.files.find((f) => f.path === path)!.data!, 'hex');
  return ef.subarray(0, 4 + ef.readUInt16BE(2));
}

/**
 * Newer generations against OpenSC, each as OpenSC's own code (and its issue threads) says it
 * treats the real card: the virtual twin must not be kinder than the card.
 */
describe.skipIf(!STACK_OK)('OpenSC on the virtual twins of newer generations, as on the real cards', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('IDEMIA 2021: OpenSC >= 0.24 finds the certificate in 1400/9001/2002 and signs with key 02; 0.23 does not know the layout (issue 2763); cns reads it either way', async () => {
    const img = await makeCard('--generation', 'idemia2021');
    await stack.attach(img);
    const mine = certAt(img, '3F00/1400/9001/2002');
    const list = opensc('pkcs15-tool', ['--list-certificates']);
    if (openscMinor() >= 24) {
      expect(list.out).toMatch(/X\.509 Certificate \[CNS1\][\s\S]*Path\s*: 3f00140090012002/);
      // EF 1101 holds no certificate: no CNS0 (OpenSC 5115785ac)
      expect(list.out).not.toMatch(/3f0011001101/);
      const pem = opensc('pkcs15-tool', ['--read-certificate', '02']);
      expect(new X509Certificate(pem.out.slice(pem.out.indexOf('-----BEGIN'))).raw.equals(mine)).toBe(true);
      const t = opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']);
      expect(t.out).toMatch(/No errors/);
    } else {
      // 0.23 tries EF 1101 only: the object is listed, its content is no certificate, no PIN object
      expect(list.out).toMatch(/X\.509 Certificate \[CNS0\][\s\S]*Path\s*: 3f0011001101/);
      expect(opensc('pkcs15-tool', ['--read-certificate', '01']).out).toMatch(/Invalid ASN\.1 object/);
      expect(opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']).out).toMatch(
        /CKR_USER_PIN_NOT_INITIALIZED/,
      );
    }
    const s = await cns(['status', '--json']);
    expect(s.json.card).toMatchObject({ layout: 'idemia2021', kind: 'ts-cns' });
    const ours = await cns(['cert', 'export', '--format', 'pem']);
    expect(new X509Certificate(ours.stdout).raw.equals(mine)).toBe(true);
    const v = await cns(['pin', 'verify', '--stdin', '--sign-test', '--json'], { input: '12345\n' });
    expect(v.json.signature).toMatchObject({ keyBits: 2048, verified: true });
  });

  it('ACe 2025: OpenSC names the token after the holder but finds no certificate and no PIN (issue 3804: CKR_USER_PIN_NOT_INITIALIZED); cns reads and signs', async () => {
    const img = await makeCard('--generation', 'ace2025');
    await stack.attach(img);
    expect(opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--list-token-slots']).out).toMatch(/token label\s*: MARIO ROSSI/);
    expect(opensc('pkcs15-tool', ['--list-certificates']).out).not.toMatch(/X\.509 Certificate/);
    expect(opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']).out).toMatch(
      /CKR_USER_PIN_NOT_INITIALIZED/,
    );
    const s = await cns(['status', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json.card).toMatchObject({ layout: 'ace2025', keyBits: 2048, extendedLength: false });
    const ours = await cns(['cert', 'export', '--format', 'pem']);
    expect(new X509Certificate(ours.stdout).raw.equals(certAt(img, '3F00/DA01/C001'))).toBe(true);
    const v = await cns(['pin', 'verify', '--stdin', '--sign-test', '--json'], { input: '12345\n' });
    expect(v.json.signature).toMatchObject({ keyBits: 2048, verified: true });
    expect(imageCounters(img).pin).toBe(3);
  });

  it('a 2048-bit key behind a CNS 1.0 ATR (J-SIGN 2048): OpenSC reads the certificate but registers RSA-1024 only and refuses to sign; cns signs by chaining', async () => {
    const img = await makeCard('--generation', 'jsign2048');
    await stack.attach(img);
    const pem = opensc('pkcs15-tool', ['--read-certificate', '01']);
    expect(new X509Certificate(pem.out.slice(pem.out.indexOf('-----BEGIN'))).raw.equals(imageCertificate(img))).toBe(true);
    expect(opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']).out).toMatch(
      /CKR_FUNCTION_NOT_SUPPORTED|not support/i,
    );
    const v = await cns(['pin', 'verify', '--stdin', '--sign-test', '--json', '--trace'], { input: '12345\n' });
    expect(v.json.signature).toMatchObject({ keyBits: 2048, verified: true });
    expect(v.stderr).toMatch(/> 10 2A 9E 9A FF/);
    const d = await cns(['doctor', '--json']);
    const atr = (d.json.checks as { code: string; message: string }[]).find((c) => c.code === 'ATR');
    expect(atr?.message).toMatch(/signature device/);
  });

  it('a card that gives no file size: OpenSC and cns read the same certificate, and both sign', async () => {
    const img = await makeCard('--generation', 'nosize');
    await stack.attach(img);
    const pem = opensc('pkcs15-tool', ['--read-certificate', '01']);
    expect(new X509Certificate(pem.out.slice(pem.out.indexOf('-----BEGIN'))).raw.equals(imageCertificate(img))).toBe(true);
    expect(opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']).out).toMatch(/No errors/);
    const ours = await cns(['cert', 'export', '--format', 'pem']);
    expect(new X509Certificate(ours.stdout).raw.equals(imageCertificate(img))).toBe(true);
  });
});

/**
 * Every generation's twin before OpenSC, each with what OpenSC's code does with the real card of
 * that generation: bind its CNS driver or not, list and read the authentication certificate or
 * not, sign or not. `cns status` and a signature with cns work on all of them.
 */
describe.skipIf(!STACK_OK)('OpenSC and cns on every generation, through pcscd', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  type Verdict = 'signs' | 'no-pin' | 'no-2048' | 'unbound';
  const verdict = (g: (typeof GENERATIONS)[number], minor: number): Verdict => {
    if (g.name === 'nfc' || g.name === 'hpc') return 'unbound'; // the ATR does not say CNS: OpenSC does not bind itacns
    if (g.name === 'idemia-nfc') return minor >= 24 ? 'signs' : 'unbound';
    if (g.layout === 'ace2025') return 'no-pin';
    if (g.layout === 'idemia2021') return minor >= 24 ? 'signs' : 'no-pin';
    if (g.keyBits === 2048 && !g.extendedLength) return 'no-2048';
    return 'signs';
  };

  for (const g of GENERATIONS) {
    it(`${g.name}`, async () => {
      const img = await makeCard('--generation', g.name);
      await stack.attach(img);
      const t = opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--pin', '12345', '--test']);
      const v = verdict(g, openscMinor());
      if (v === 'signs') expect(t.out, g.name).toMatch(/No errors/);
      else if (v === 'no-pin') expect(t.out, g.name).toMatch(/CKR_USER_PIN_NOT_INITIALIZED/);
      else if (v === 'no-2048') expect(t.out, g.name).toMatch(/CKR_FUNCTION_NOT_SUPPORTED/);
      else expect(t.out, g.name).not.toMatch(/No errors/);
      const s = await cns(['status', '--json']);
      expect(s.code, `${g.name}: ${s.stderr}`).toBe(0);
      expect(s.json.card.keyBits).toBe(g.keyBits);
      expect(s.json.problems).toEqual([]);
      const signed = await cns(['pin', 'verify', '--stdin', '--sign-test', '--json'], { input: '12345\n' });
      expect(signed.json.signature, g.name).toMatchObject({ keyBits: g.keyBits, verified: true });
    });
  }
});
