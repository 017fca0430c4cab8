import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../src/cert/issue.js';
import { parseCertificate } from '../src/cert/x509.js';
import { EXTENDED_NOT_AFTER } from '../src/extension/constants.js';
import { evaluateEligibility } from '../src/extension/rules.js';
import { defaultCa } from '../src/sim/create.js';
import { certFromImage, efFromImage, startService } from './extension-helpers.js';
import { cns, tempDir } from './helpers.js';

let dir: string;
let state: string;
let service: Awaited<ReturnType<typeof startService>>;
let n = 0;
const AT = '2023-11-15';

async function card(...extra: string[]): Promise<string> {
  const p = join(dir, `c${++n}.json`);
  const id = String(5000000000000000 + n * 10);
  const { luhnCheckDigit } = await import('../src/card/checks.js');
  const cardId = id.slice(0, 15) + luhnCheckDigit(id.slice(0, 15));
  const r = await cns(['sim', 'create', p, '--card-id', cardId, '--not-before', '2018-01-01', '--not-after', '2023-12-30', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return p;
}

const env = (): Record<string, string> => ({ XDG_STATE_HOME: state });
const extend = (img: string, input = '12345\n12345678\n', ...extra: string[]) =>
  cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--json', ...extra], {
    input,
    env: env(),
  });

beforeAll(async () => {
  dir = tempDir('cns-extend-');
  state = tempDir('cns-state-');
  service = await startService(['--now', AT]);
});
afterAll(async () => {
  await service?.stop();
});

describe('eligibility rules, at Italian midnights', () => {
  const base = { at: new Date('2023-11-15T12:00:00Z'), cardExpiry: null, revoked: null, pin: { blocked: false }, puk: { blocked: false } };
  const cert = (notAfter: string) => ({
    notBefore: new Date('2018-01-01T00:00:00Z'),
    notAfter: new Date(notAfter),
    extended: false,
    serialNumber: '01',
  });
  const rule = (e: ReturnType<typeof evaluateEligibility>, code: string) => e.reasons.find((r) => r.code === code)!;

  it('30/12/2023 23:59:59 in Rome is in, 31/12/2023 00:00 in Rome is out', () => {
    expect(evaluateEligibility({ ...base, certificate: cert('2023-12-30T22:59:59Z') }).eligible).toBe(true);
    const late = evaluateEligibility({ ...base, certificate: cert('2023-12-30T23:00:00Z') });
    expect(late.eligible).toBe(false);
    expect(rule(late, 'EXPIRY_BY_DEADLINE').ok).toBe(false);
  });

  it('validity at the reference date counts to the second', () => {
    const c = cert('2023-12-30T22:59:59Z');
    expect(evaluateEligibility({ ...base, at: new Date('2023-12-30T22:59:59Z'), certificate: c }).eligible).toBe(true);
    expect(rule(evaluateEligibility({ ...base, at: new Date('2023-12-30T23:00:00Z'), certificate: c }), 'CERT_VALID_AT_DATE').ok).toBe(
      false,
    );
  });

  it('a disagreement with EF_Dati_personali is reported but does not decide', () => {
    const e = evaluateEligibility({ ...base, cardExpiry: '2023-12-29', certificate: cert('2023-12-30T22:59:59Z') });
    expect(e.eligible).toBe(true);
    expect(rule(e, 'EXPIRY_MATCHES_CARD')).toMatchObject({ ok: false, advisory: true });
  });
});

describe('cns extend, on the virtual card in-process', () => {
  it('extends a card expiring 30/12/2023, at 15/11/2023: backup, journal, read-back, new expiry', async () => {
    const img = await card();
    const old = certFromImage(img);
    const r = await extend(img);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, operation: 'extend', new: { notAfter: '2023-12-31T22:59:59.000Z' } });
    const now = certFromImage(img);
    const p = parseCertificate(now);
    expect(p.notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    expect(p.spki.equals(parseCertificate(old).spki)).toBe(true);
    expect(p.subjectDer.equals(parseCertificate(old).subjectDer)).toBe(true);
    expect(new X509Certificate(now).verify(new X509Certificate(defaultCa().cert).publicKey)).toBe(true);
    expect(readFileSync(r.json.backup).equals(old)).toBe(true);
    expect(JSON.parse(readFileSync(join(r.json.journal, 'journal.json'), 'utf8')).state).toBe('done');
    const s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: env() });
    expect(s.json.certificate).toMatchObject({ extended: true, notAfter: '2023-12-31T22:59:59.000Z' });
    const again = await cns(['extend', '--check', '--reader', `sim:${img}`, '--at', '2023-12-15', '--json'], { env: env() });
    expect(again.code).toBe(10);
    expect(again.json.extension.reasons.find((x: { code: string }) => x.code === 'NOT_EXTENDED').ok).toBe(false);
    expect(r.stderr + r.stdout).not.toMatch(/12345678/);
  });

  it('reports each ineligibility with its code, exit 10, card untouched', async () => {
    const cases: [string[], string, string][] = [
      [['--not-after', '2023-12-30'], '2024-01-10', 'CERT_VALID_AT_DATE'],
      [['--not-after', '2023-12-31'], AT, 'EXPIRY_BY_DEADLINE'],
      [['--not-before', '2023-12-01', '--not-after', '2023-12-30'], AT, 'CERT_VALID_AT_DATE'],
    ];
    for (const [opts, at, code] of cases) {
      const img = await card(...opts);
      const before = certFromImage(img);
      const r = await cns(['extend', '--check', '--reader', `sim:${img}`, '--at', at, '--json'], { env: env() });
      expect(r.code, code).toBe(10);
      expect(r.json.extension.eligible).toBe(false);
      expect(r.json.extension.reasons.find((x: { code: string }) => x.code === code).ok).toBe(false);
      const run = await extend(img, '12345\n12345678\n', '--at', at);
      expect(run.code).toBe(10);
      expect(run.json.error.code).toBe('NOT_ELIGIBLE');
      expect(certFromImage(img).equals(before)).toBe(true);
    }
  });

  it('a blocked PIN or PUK makes the card ineligible', async () => {
    const pinBlocked = await card('--pin-tries', '1');
    await cns(['pin', 'verify', '--reader', `sim:${pinBlocked}`, '--env', '--last-attempt'], { env: { CNS_PIN: '99999' } });
    let r = await cns(['extend', '--check', '--reader', `sim:${pinBlocked}`, '--at', AT, '--json'], { env: env() });
    expect(r.code).toBe(10);
    expect(r.json.extension.reasons.find((x: { code: string }) => x.code === 'PIN_USABLE').ok).toBe(false);
    const pukBlocked = await card('--puk-tries', '1');
    await cns(['pin', 'unblock', '--reader', `sim:${pukBlocked}`, '--stdin', '--last-attempt'], { input: '87654321\n24680\n' });
    r = await cns(['extend', '--check', '--reader', `sim:${pukBlocked}`, '--at', AT, '--json'], { env: env() });
    expect(r.code).toBe(10);
    expect(r.json.extension.reasons.find((x: { code: string }) => x.code === 'PUK_USABLE').ok).toBe(false);
  });

  it('revoked: by a local CRL (client side) and by the service (server side)', async () => {
    const img = await card();
    const serial = parseCertificate(certFromImage(img)).serialNumber;
    // a CRL by the test CA listing the card's certificate
    const pkijs = await import('pkijs');
    const asn1js = await import('asn1js');
    const { webcrypto } = await import('node:crypto');
    pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
    const { fromPem } = await import('../src/cert/pem.js');
    const ca = pkijs.Certificate.fromBER(new Uint8Array(fromPem(defaultCa().cert)).buffer);
    const crl = new pkijs.CertificateRevocationList();
    crl.version = 1;
    crl.issuer = ca.subject;
    crl.thisUpdate = new pkijs.Time({ type: 0, value: new Date('2023-01-01T00:00:00Z') });
    crl.revokedCertificates = [
      new pkijs.RevokedCertificate({
        userCertificate: new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(serial, 'hex')).buffer }),
        revocationDate: new pkijs.Time({ type: 0, value: new Date('2023-06-01T00:00:00Z') }),
      }),
    ];
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      createPrivateKey(defaultCa().key).export({ type: 'pkcs8', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    await crl.sign(key as unknown as CryptoKey, 'SHA-256');
    const crlPath = join(dir, 'test.crl');
    writeFileSync(crlPath, Buffer.from(crl.toSchema(true).toBER(false)));
    let r = await cns(['extend', '--check', '--reader', `sim:${img}`, '--at', AT, '--crl', crlPath, '--json'], { env: env() });
    expect(r.code).toBe(10);
    expect(r.json.extension.reasons.find((x: { code: string }) => x.code === 'NOT_REVOKED').ok).toBe(false);
    const revokedFile = join(dir, 'revoked.txt');
    writeFileSync(revokedFile, `# revoked\n${serial}\n`);
    const strict = await startService(['--now', AT, '--revoked', revokedFile]);
    try {
      const before = certFromImage(img);
      r = await cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', strict.url, '--yes', '--stdin', '--json'], {
        input: '12345\n12345678\n',
        env: env(),
      });
      expect(r.code).toBe(10);
      expect(r.json.error.message).toMatch(/certificate is revoked/);
      expect(certFromImage(img).equals(before)).toBe(true);
    } finally {
      await strict.stop();
    }
  });

  it('the service applies the rules with its own clock: a client cannot talk it into an ineligible card', async () => {
    const img = await card();
    const late = await startService(['--now', '2024-01-05']);
    try {
      const before = certFromImage(img);
      const r = await cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', late.url, '--yes', '--stdin', '--json'], {
        input: '12345\n12345678\n',
        env: env(),
      });
      expect(r.code).toBe(10);
      expect(r.json.error.message).toMatch(/not eligible.*according to the extension service, expired on/);
      expect(certFromImage(img).equals(before)).toBe(true);
    } finally {
      await late.stop();
    }
  });

  it('a service that is down: bounded retries, exit 11, card unchanged, no PUK spent', async () => {
    const img = await card();
    const before = certFromImage(img);
    const t0 = Date.now();
    const r = await cns(
      [
        'extend',
        '--reader',
        `sim:${img}`,
        '--at',
        AT,
        '--service',
        'http://127.0.0.1:9',
        '--retries',
        '2',
        '--timeout',
        '2',
        '--yes',
        '--stdin',
        '--json',
      ],
      { input: '12345\n12345678\n', env: env() },
    );
    expect(r.code).toBe(11);
    expect(r.json.error.code).toBe('SERVICE_ERROR');
    expect(r.json.error.message).toMatch(/3 attempts/);
    expect(Date.now() - t0).toBeLessThan(20000);
    expect(certFromImage(img).equals(before)).toBe(true);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.puk.triesLeft).toBe(10);
  });

  it('a service that answers a certificate for another key: refused, card unchanged', async () => {
    const img = await card();
    const before = certFromImage(img);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ca = defaultCa();
    const { fromPem } = await import('../src/cert/pem.js');
    const old = parseCertificate(before);
    const pkijs = await import('pkijs');
    const forged = await issueCertificate({
      subject: pkijs.RelativeDistinguishedNames.fromBER(new Uint8Array(old.subjectDer).buffer),
      subjectPublicKey: other.publicKey,
      notBefore: new Date('2023-11-15T00:00:00Z'),
      notAfter: EXTENDED_NOT_AFTER,
      issuerCert: fromPem(ca.cert),
      issuerKey: createPrivateKey(ca.key),
    });
    const evil = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ certificate: forged.toString('base64'), caCertificate: fromPem(ca.cert).toString('base64') }));
      });
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    const port = (evil.address() as { port: number }).port;
    try {
      const r = await cns(
        ['extend', '--reader', `sim:${img}`, '--at', AT, '--service', `http://127.0.0.1:${port}`, '--yes', '--stdin', '--json'],
        { input: '12345\n12345678\n', env: env() },
      );
      expect(r.code).toBe(11);
      expect(r.json.error.message).toMatch(/another key/);
      expect(certFromImage(img).equals(before)).toBe(true);
    } finally {
      evil.close();
    }
  });

  /** APDUs a full run sends up to and including the PUK VERIFY (from a traced dry run on a copy). */
  async function apdusThroughPuk(img: string): Promise<number> {
    const copy = `${img}.copy.json`;
    writeFileSync(copy, readFileSync(img));
    const traced = await cns(['extend', '--reader', `sim:${copy}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--trace'], {
      input: '12345\n12345678\n',
      env: { XDG_STATE_HOME: tempDir() },
    });
    const sent = traced.stderr.split('\n').filter((l) => / > /.test(l));
    return sent.findIndex((l) => / > 00 20 00 91 \[8 bytes redacted\]/.test(l)) + 1;
  }

  it('card pulled between the PUK and the write: unchanged, status explains, --resume completes', async () => {
    const img = await card();
    const before = certFromImage(img);
    const n = await apdusThroughPuk(img);
    expect(n).toBeGreaterThan(5);
    let r = await cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--json'], {
      input: '12345\n12345678\n',
      env: { ...env(), CNS_SIM_LEAVE_AFTER: String(n) },
    });
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');
    expect(certFromImage(img).equals(before)).toBe(true);
    let s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: env() });
    expect(s.json.problems.map((p: { code: string }) => p.code)).toContain('CERT_WRITE_PENDING');
    r = await extend(img);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('EXTENSION_PENDING');
    r = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345678\n', env: env() });
    expect(r.code, r.stdout).toBe(0);
    expect(parseCertificate(certFromImage(img)).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: env() });
    // no write left pending; only the state of an extended certificate seen today: ended 31/12/2023
    expect(s.json.problems.map((p: { code: string }) => p.code)).toEqual(['CERT_EXPIRED']);
  });

  it('card pulled after half the chunks: status says half-written, --resume completes it', async () => {
    const img = await card();
    const n = await apdusThroughPuk(img);
    let r = await cns(['extend', '--reader', `sim:${img}`, '--at', AT, '--service', service.url, '--yes', '--stdin', '--json'], {
      input: '12345\n12345678\n',
      env: { ...env(), CNS_SIM_LEAVE_AFTER: String(n + 3) },
    });
    expect(r.code).toBe(6);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json'], { env: env() });
    expect(s.json.problems.map((p: { code: string }) => p.code)).toContain('CERT_HALF_WRITTEN');
    const t = await cns(['status', '--reader', `sim:${img}`], { env: { ...env(), LANG: 'it_IT.UTF-8' } });
    expect(t.stdout).toMatch(/cns extend --resume/);
    r = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--env', '--json'], { env: { ...env(), CNS_PUK: '12345678' } });
    expect(r.code, r.stdout).toBe(0);
    const ef = efFromImage(img);
    const der = certFromImage(img);
    expect(parseCertificate(der).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    expect(ef.subarray(der.length).every((b) => b === 0)).toBe(true);
    r = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--env', '--json'], { env: { ...env(), CNS_PUK: '12345678' } });
    expect(r.json.error.code).toBe('NOTHING_TO_RESUME');
  });

  it('a wrong PUK: counted, card unchanged; --resume with the right PUK finishes', async () => {
    const img = await card();
    const before = certFromImage(img);
    let r = await extend(img, '12345\n87654321\n');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'PUK_INCORRECT', triesLeft: 9 });
    expect(certFromImage(img).equals(before)).toBe(true);
    r = await cns(['extend', '--resume', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345678\n', env: env() });
    expect(r.code).toBe(0);
  });

  it('--restore writes a backup back with the PUK', async () => {
    const img = await card();
    const old = certFromImage(img);
    const r1 = await extend(img);
    expect(r1.code).toBe(0);
    expect(existsSync(r1.json.backup)).toBe(true);
    const r = await cns(['extend', '--restore', r1.json.backup, '--reader', `sim:${img}`, '--yes', '--stdin', '--json'], {
      input: '12345678\n',
      env: env(),
    });
    expect(r.code, r.stdout).toBe(0);
    expect(certFromImage(img).equals(old)).toBe(true);
    expect(
      efFromImage(img)
        .subarray(old.length)
        .every((b) => b === 0),
    ).toBe(true);
  });
});
