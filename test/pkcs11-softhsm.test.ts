import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cns, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const MODULE =
  ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p)) ??
  '/usr/lib/softhsm/libsofthsm2.so';
const ready = haveTool('softhsm2-util') && haveTool('pkcs11-tool');

let env: Record<string, string>;
let certDer: Buffer;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** SoftHSM2: a second, independent PKCS#11 module; tokens in a temp dir. It never locks PINs. */
describe.skipIf(!ready)('through SoftHSM2 (a token holding a CNS certificate and key)', () => {
  const p11 = (...args: string[]): string[] => [...args, '--module', MODULE, '--reader', 'cns-test', '--json'];

  beforeAll(async () => {
    const dir = tempDir('cns-softhsm-');
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    env = { SOFTHSM2_CONF: join(dir, 'softhsm2.conf') };
    sh('softhsm2-util', ['--init-token', '--free', '--label', 'cns-test', '--pin', '12345', '--so-pin', '12345678']);
    const image = join(dir, 'card.json');
    expect((await cns(['sim', 'create', image, '--card-id', '5000000000000009'])).code).toBe(0);
    const j = JSON.parse(readFileSync(image, 'utf8')) as { authKey: string; files: { path: string; data?: string }[] };
    const ef = Buffer.from(j.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
    certDer = ef.subarray(0, 4 + ef.readUInt16BE(2));
    const { createPrivateKey } = await import('node:crypto');
    writeFileSync(join(dir, 'cert.der'), certDer);
    writeFileSync(join(dir, 'key.der'), createPrivateKey(j.authKey).export({ type: 'pkcs8', format: 'der' }));
    for (const [file, type] of [
      ['cert.der', 'cert'],
      ['key.der', 'privkey'],
    ]) {
      sh('pkcs11-tool', [
        '--module',
        MODULE,
        '--token-label',
        'cns-test',
        '--login',
        '--pin',
        '12345',
        '--write-object',
        join(dir, file!),
        '--type',
        type!,
        '--id',
        '01',
        '--label',
        'CNS0',
      ]);
    }
  });

  it('status: the certificate object, holder data from it, tries not invented', async () => {
    const r = await cns(p11('status'), { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.card).toMatchObject({ backend: 'pkcs11', atr: null, token: { label: 'cns-test' } });
    expect(r.json.certificate).toMatchObject({ codiceFiscale: 'RSSMRA80A01H501U', cardId: '5000000000000009', state: 'valid' });
    expect(r.json.holder.source).toBe('certificate');
    expect(r.json.pin).toMatchObject({ triesLeft: null, exact: false });
    const exp = await cns(['cert', 'export', '--module', MODULE, '--reader', 'cns-test', '--format', 'pem'], { env });
    expect(Buffer.from(exp.stdout.replace(/-----[^-]+-----|\s/g, ''), 'base64').equals(certDer)).toBe(true);
  });

  it('verify with a signature by the token key; change; SO unblock with C_InitPIN', async () => {
    let r = await cns(p11('pin', 'verify', '--stdin', '--sign-test'), { input: '12345\n', env });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.signature).toMatchObject({ verified: true });
    r = await cns(p11('pin', 'change', '--stdin'), { input: '12345\n58213\n', env });
    expect(r.code, r.stdout).toBe(0);
    expect((await cns(p11('pin', 'verify', '--stdin'), { input: '12345\n', env })).code).toBe(3);
    r = await cns(p11('pin', 'unblock', '--stdin', '--last-attempt'), { input: '12345678\n13579\n', env });
    expect(r.code, r.stdout).toBe(0);
    expect((await cns(p11('pin', 'verify', '--stdin'), { input: '13579\n', env })).code).toBe(0);
    r = await cns(p11('pin', 'unblock', '--stdin', '--last-attempt'), { input: '87654321\n13579\n', env });
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('PUK_INCORRECT');
  });

  it('SoftHSM2 never locks a PIN: wrong PINs stay "wrong", never "blocked"', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await cns(p11('pin', 'verify', '--stdin'), { input: '99999\n', env });
      expect(r.code).toBe(3);
      expect(r.json.error.code).toBe('PIN_INCORRECT');
    }
    const s = await cns(p11('status'), { env });
    expect(s.json.pin.blocked).not.toBe(true);
  });
});
