import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../src/cert/issue.js';
import { toPem } from '../src/cert/pem.js';
import { BIN, cns, tempDir } from './helpers.js';

let dir: string;
let n = 0;

async function newCard(...extra: string[]): Promise<string> {
  const path = join(dir, `card-${++n}.json`);
  const r = await cns(['sim', 'create', path, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return path;
}

async function tries(image: string): Promise<{ pin: number | null; puk: number | null }> {
  const r = await cns(['status', '--reader', `sim:${image}`, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { pin: r.json.pin.triesLeft, puk: r.json.puk.triesLeft };
}

const verify = (image: string, pin: string, ...extra: string[]) =>
  cns(['pin', 'verify', '--reader', `sim:${image}`, '--stdin', '--json', ...extra], { input: `${pin}\n` });

beforeAll(() => {
  dir = tempDir();
});

describe('cns status', () => {
  it('reports the JSON contract fields and spends no attempt', async () => {
    const img = await newCard(
      '--card-id',
      '5000000000000009',
      '--surname',
      'Bianchi',
      '--given-name',
      'Anna',
      '--codice-fiscale',
      'BNCNNA85M41F205Q',
    );
    const r = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(r.code).toBe(0);
    const j = r.json;
    expect(j).toMatchObject({ schemaVersion: 1, ok: true });
    expect(j.card).toMatchObject({ atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D', id: '5000000000000009', idValid: true });
    expect(j.card.model).toMatch(/TS-CNS/);
    expect(j.holder).toMatchObject({ surname: 'BIANCHI', givenName: 'ANNA', codiceFiscale: 'BNCNNA85M41F205Q' });
    expect(j.certificate.subject).toContain('CN=BNCNNA85M41F205Q/5000000000000009.');
    expect(j.certificate).toMatchObject({ codiceFiscale: 'BNCNNA85M41F205Q', cardId: '5000000000000009', state: 'valid' });
    expect(j.certificate.issuer).toContain('Test CA');
    expect(j.certificate.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(Date.parse(j.certificate.notBefore)).toBeLessThan(Date.now());
    expect(j.certificate.notAfter).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(j.certificate.daysLeft).toBeGreaterThan(365 * 5);
    expect(j.pin).toMatchObject({ triesLeft: 3, blocked: false });
    expect(j.puk).toMatchObject({ triesLeft: 10, blocked: false });
    expect(j.checks.map((c: { code: string }) => c.code)).toEqual(
      expect.arrayContaining(['CF_MATCH', 'CARD_ID_MATCH', 'DATI_PERSONALI_HASH', 'CARD_ID_LUHN', 'CF_CHECK_CHARACTER']),
    );
    expect(j.checks.every((c: { status: string }) => c.status === 'pass')).toBe(true);
    expect(await tries(img)).toEqual({ pin: 3, puk: 10 });
  });

  it('prints a readable summary in English and in Italian', async () => {
    const img = await newCard();
    const en = await cns(['status', '--reader', `sim:${img}`]);
    expect(en.stdout).toMatch(/Holder\s+ROSSI MARIO/);
    expect(en.stdout).toMatch(/PIN\s+3 tries left/);
    const it = await cns(['status', '--reader', `sim:${img}`], { env: { LANG: 'it_IT.UTF-8' } });
    expect(it.stdout).toMatch(/Titolare\s+ROSSI MARIO/);
    expect(it.stdout).toMatch(/PIN\s+3 tentativi rimasti/);
    // the 2023 extension: why not, in the user's language; a card expiring years after 30/12/2023
    // was never due for it, which is not said as a refusal
    expect(it.stdout).toMatch(/Proroga 2023\s+non necessaria: scade il \d{2}\/\d{2}\/\d{4}, dopo il 30\/12\/2023\n/);
    expect(en.stdout).toMatch(/Extension 2023\s+not needed: expires on \d+ \w+ \d{4}, later than 30 December 2023\n/);
    // a card that was due but cannot have it (expired since) is still told "not possible", and why
    const old = await newCard('--not-before', '2021-12-30', '--not-after', '2023-12-30');
    const due = await cns(['status', '--reader', `sim:${old}`], { env: { LANG: 'it_IT.UTF-8' } });
    expect(due.stdout).toMatch(/Proroga 2023\s+non possibile: scaduto il 30\/12\/2023, prima del \d{2}\/\d{2}\/\d{4}\n/);
    // a value outside an option's choices: which ones it takes, in the user's language
    const bad = await cns(['cert', 'export', join(tempDir(), 'c.pem'), '--reader', `sim:${img}`, '--format', 'txt'], {
      env: { LANG: 'it_IT.UTF-8' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cns: --format: "txt" non è un valore ammesso \(valori ammessi: pem, der\)/);
    // a command's words quoted into one argument: how to write them
    const quoted = await cns(['cert check', '--reader', `sim:${img}`], { env: { LANG: 'it_IT.UTF-8' } });
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toMatch(/^cns: comando sconosciuto "cert check": scrivi le parole separate, senza virgolette: cns cert check/);
    // what was typed is said back printable: no escape sequence (here OSC 52, the clipboard) nor line break
    for (const typed of ['status \x1b]52;c;SGk=\x07', 'cert\ncheck\x1b[2J', 'stauts\x1b[31m\r\nforged']) {
      const r = await cns([typed]);
      expect(r.code).toBe(2);
      const control = [...r.stderr].filter((c) => {
        const n = c.charCodeAt(0);
        return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f);
      });
      expect(control).toEqual([]);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    // commander's own mistakes in the user's language too: a group's command mistyped, an option
    // mistyped, an option without its value (named as the help names it, not "-r,")
    const it2 = { env: { LANG: 'it_IT.UTF-8' } };
    const sub = await cns(['cert', 'chek', '--reader', `sim:${img}`], it2);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/^cns: comando sconosciuto "chek" \(forse intendevi check\?\); vedi cns --help/);
    const verifica = await cns(['pin', 'verifica'], it2);
    expect(verifica.stderr).toMatch(/^cns: comando sconosciuto "verifica" \(forse intendevi verify\?\)/);
    const opt = await cns(['status', '--reder', 'sim'], it2);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^cns: opzione sconosciuta --reder \(forse intendevi --reader\?\); vedi cns --help/);
    const noValue = await cns(['status', '--reader'], it2);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toMatch(/^cns: l'opzione --reader richiede un valore/);
    for (const r of [sub, verifica, opt, noValue]) expect(r.stderr).not.toMatch(/unknown|Did you mean|argument missing/);
    // `cns help [command]`: the help of cns, or of that command
    const [help, helpStatus, helpCheck, statusHelp] = await Promise.all([
      cns(['help'], it2),
      cns(['help', 'status'], it2),
      cns(['--lang', 'it', 'help', 'cert', 'check']),
      cns(['status', '--help'], it2),
    ]);
    expect([help.code, helpStatus.code, helpCheck.code]).toEqual([0, 0, 0]);
    expect(help.stdout).toMatch(/^Uso: cns/);
    expect(helpStatus.stdout).toBe(statusHelp.stdout);
    expect(helpCheck.stdout).toMatch(/^Uso: cns cert check/);
    const helpUnknown = await cns(['help', 'stato'], it2);
    expect(helpUnknown.code).toBe(2);
    expect(helpUnknown.stderr).toMatch(/^cns: comando sconosciuto "stato"/);
    const forced = await cns(['status', '--reader', `sim:${img}`, '--lang', 'en'], { env: { LANG: 'it_IT.UTF-8' } });
    expect(forced.stdout).toMatch(/Holder/);
    expect(en.stdout.includes('\x1b[')).toBe(false); // no ANSI colour sequence
  });
});

describe('PIN lockout, gate and unblock', () => {
  it('counts 3, 2, 1, stops at the gate, then blocks and never sends a blocked PIN', async () => {
    const img = await newCard();
    let r = await verify(img, '11111');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
    r = await verify(img, '11111');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 1 });
    r = await verify(img, '12345');
    expect(r.code).toBe(9);
    expect(r.json.error.code).toBe('LAST_ATTEMPT_REFUSED');
    expect((await tries(img)).pin).toBe(1);
    r = await verify(img, '11111', '--last-attempt');
    expect(r.code).toBe(4);
    expect(r.json.error).toMatchObject({ code: 'PIN_BLOCKED', triesLeft: 0 });
    r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--trace', '--last-attempt'], { input: '12345\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cns pin unblock/);
    expect(r.stderr).not.toMatch(/00 20 00 90 \[8 bytes redacted\]/);
    expect((await tries(img)).pin).toBe(0);
  });

  it('unblocks: a wrong PUK costs a PUK try, the right one sets the new PIN', async () => {
    const img = await newCard('--pin-tries', '1');
    expect((await verify(img, '11111', '--last-attempt')).code).toBe(4);
    let r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '87654321\n24680\n' });
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'PUK_INCORRECT', triesLeft: 9 });
    r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345678\n24680\n' });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, puk: { triesLeft: 10 } });
    expect(await tries(img)).toEqual({ pin: 1, puk: 10 });
    expect((await verify(img, '24680', '--last-attempt')).code).toBe(0);
  });

  it('applies the gate to the PUK and reports a blocked PUK plainly', async () => {
    const img = await newCard('--puk-tries', '1');
    let r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '87654321\n24680\n' });
    expect(r.code).toBe(9);
    expect((await tries(img)).puk).toBe(1);
    r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json', '--last-attempt'], { input: '87654321\n24680\n' });
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('PUK_BLOCKED');
    r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--last-attempt'], {
      input: '12345678\n24680\n',
      env: { LANG: 'it_IT.UTF-8' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/nuova tessera/);
  });

  it('changes the PIN; the old one then fails', async () => {
    const img = await newCard();
    let r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--env', '--json'], { env: { CNS_PIN: '12345', CNS_NEW_PIN: '97531' } });
    expect(r.code, r.stdout).toBe(0);
    expect((await verify(img, '12345')).code).toBe(3);
    expect((await verify(img, '97531')).code).toBe(0);
    r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin'], { input: '11111\n24680\n' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Tries left: 2/);
  });
});

describe('secrets are checked before the card sees them', () => {
  it('rejects malformed PINs and PUKs with exit 2 and leaves the counters untouched', async () => {
    const img = await newCard();
    for (const bad of ['1234', '123456789', '12345 ', ' 12345', '12a45', '12 345', '١٢٣٤٥', '']) {
      const r = await verify(img, bad);
      expect(r.code, JSON.stringify(bad)).toBe(2);
      expect(r.json.error.code).toBe('INVALID_PIN_FORMAT');
    }
    let r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345\n67890\n' });
    expect(r.code).toBe(2);
    r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--env', '--json'], { env: { CNS_PIN: '12345\n' } });
    expect(r.code).toBe(2);
    r = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '1234567\n24680\n' });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('INVALID_PUK_FORMAT');
    r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345\n12345\n' });
    expect(r.code).toBe(2);
    r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345\n1234\n' });
    expect(r.code).toBe(2);
    expect(await tries(img)).toEqual({ pin: 3, puk: 10 });
  });

  it('exits 2 at once with no terminal and no --stdin/--env, and refuses a PIN argument', async () => {
    const img = await newCard();
    const t0 = Date.now();
    let r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('NO_SECRET_SOURCE');
    expect(Date.now() - t0).toBeLessThan(5000);
    r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--pin', '12345']);
    expect(r.code).toBe(2);
    expect(await tries(img)).toEqual({ pin: 3, puk: 10 });
  });

  it('never prints a PIN in the trace', async () => {
    const img = await newCard();
    const r = await cns(['pin', 'change', '--reader', `sim:${img}`, '--stdin', '--trace'], { input: '12345\n86420\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/00 24 00 90 \[16 bytes redacted\]/);
    expect(r.stderr).not.toMatch(/31 32 33 34 35|38 36 34 32 30/);
    expect(r.stderr + r.stdout).not.toMatch(/12345|86420/);
  });
});

describe('certificates', () => {
  it('imports a certificate and key, shows it and exports it byte for byte', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = await issueCertificate({
      subject: [
        { type: 'C', value: 'IT' },
        { type: 'CN', value: 'RSSMRA80A01H501U/5000000000000009.AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      ],
      subjectPublicKey: publicKey,
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2099-01-01T00:00:00Z'),
      issuerKey: ca.privateKey,
      serialNumber: Buffer.from('0123456789', 'hex'),
    });
    const certPath = join(dir, 'import.pem');
    const keyPath = join(dir, 'import.key');
    writeFileSync(certPath, toPem(der));
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const img = await newCard('--cert', certPath, '--key', keyPath, '--card-id', '5000000000000009');
    const show = await cns(['cert', 'show', '--reader', `sim:${img}`, '--json']);
    expect(show.code).toBe(0);
    expect(show.json.certificate).toMatchObject({
      serialNumber: '0123456789',
      codiceFiscale: 'RSSMRA80A01H501U',
      notBefore: '2024-01-01T00:00:00.000Z',
    });
    const out = join(dir, 'exported.der');
    expect((await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', out])).code).toBe(0);
    expect(readFileSync(out).equals(der)).toBe(true);
    const pem = await cns(['cert', 'export', '--reader', `sim:${img}`]);
    expect(pem.stdout).toBe(toPem(der));
    const again = await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', out, '--json']);
    expect(again.code).toBe(2);
    expect(again.json.error.code).toBe('FILE_EXISTS');
    const sign = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test', '--json'], { input: '12345\n' });
    expect(sign.json.signature).toMatchObject({ verified: true, keyBits: 2048 });
    const missingKey = await cns(['sim', 'create', join(dir, 'bad.json'), '--cert', certPath, '--key', join(dir, 'nope.key')]);
    expect(missingKey.code).toBe(2);
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const wrongKey = await cns(['sim', 'create', join(dir, 'bad.json'), '--cert', certPath, '--key', otherKey, '--json']);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.json.error.message).toMatch(/does not match/);
  });

  it('cert check: exit 8 for expired, not yet valid and expiring; 0 when valid', async () => {
    const expired = await newCard('--not-before', '2018-01-01', '--not-after', '2023-12-30');
    let r = await cns(['cert', 'check', '--reader', `sim:${expired}`, '--json']);
    expect(r.code).toBe(8);
    expect(r.json.error.code).toBe('CERT_EXPIRED');
    expect(r.json.certificate.notAfter).toBe('2023-12-30T22:59:59.000Z');
    const future = await newCard('--not-before', '2040-01-01', '--not-after', '2046-01-01');
    r = await cns(['cert', 'check', '--reader', `sim:${future}`, '--json']);
    expect(r.code).toBe(8);
    expect(r.json.error.code).toBe('CERT_NOT_YET_VALID');
    const soon = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
    const expiring = await newCard('--not-after', soon);
    r = await cns(['cert', 'check', '--reader', `sim:${expiring}`, '--json']);
    expect(r.code).toBe(8);
    expect(r.json.error.code).toBe('CERT_EXPIRING');
    r = await cns(['cert', 'check', '--reader', `sim:${expiring}`, '--warn-days', '5', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.certificate.state).toBe('valid');
    r = await cns(['cert', 'check', '--reader', `sim:${expiring}`], { env: { LANG: 'it_IT.UTF-8' } });
    expect(r.stderr).toMatch(/Il certificato scade il/);
    r = await cns(['status', '--reader', `sim:${expired}`, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.certificate.state).toBe('expired');
  });
});

describe('errors a user can cause', () => {
  it('a missing card image, a corrupt one, a bad option: documented codes, no stack trace', async () => {
    let r = await cns(['status', '--reader', `sim:${join(dir, 'nothing.json')}`, '--json']);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('NO_CARD');
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format":"cns-virtual-card","version":1,"atr":"zz"}');
    r = await cns(['status', '--reader', `sim:${corrupt}`]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/IMAGE_INVALID/); // an image problem, said as one (not "ATR to quote: -")
    expect(r.stderr).toMatch(/its part atr is damaged/);
    r = await cns(['status', '--bogus', '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('USAGE');
    // a word too many names the whole command to ask help of
    r = await cns(['pin', 'verify', 'extra', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/see cns pin verify --help/);
    r = await cns(['status', 'extra', '--lang', 'en']);
    expect(r.stderr).toMatch(/see cns status --help/);
    r = await cns(['status', '--reader', `sim:${corrupt}`, '--warn-days', 'x']);
    expect(r.code).toBe(2);
    r = await cns(['sim', 'create', join(dir, 'x.json'), '--codice-fiscale', 'RSSMRA80A01H501X', '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/check character U expected/);
    for (const out of [r.stderr, r.stdout]) expect(out).not.toMatch(/\n\s+at /);
  });

  it('two processes on the same card never lose an update', async () => {
    const img = await newCard('--pin-tries', '5');
    const [a, b] = await Promise.all([verify(img, '11111'), verify(img, '22222')]);
    expect([a.code, b.code]).toEqual([3, 3]);
    expect([a.json.error.triesLeft, b.json.error.triesLeft].sort()).toEqual([3, 4]);
    expect((await tries(img)).pin).toBe(3);
  });

  it('the demo card is created on first use in the state directory', async () => {
    const state = tempDir();
    const r = await cns(['status', '--reader', 'sim', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(0);
    expect(r.json.reader).toBe(`sim:${join(state, 'cns', 'demo-card.json')}`);
    expect((await cns(['pin', 'verify', '--reader', 'sim', '--env'], { env: { XDG_STATE_HOME: state, CNS_PIN: '12345' } })).code).toBe(0);
  });

  it('--help lists the exit codes and answers without loading the card stack', async () => {
    const r = await cns(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*9 {2}refused/);
    expect((await cns(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('cns doctor on the virtual card', () => {
  it('passes on a healthy card and never asks for a PIN', async () => {
    const d = tempDir();
    const img = join(d, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const r = await cns(['doctor', '--reader', `sim:${img}`, '--json'], { env: { XDG_STATE_HOME: d } });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.ok).toBe(true);
    const codes = (r.json.checks as { code: string; status: string }[]).map((c) => c.code);
    expect(codes).toEqual(expect.arrayContaining(['ATR', 'CARD_ID', 'PIN', 'PUK', 'CERTIFICATE', 'EXTENSION']));
    expect((await cns(['status', '--reader', `sim:${img}`, '--json'])).json.pin.triesLeft).toBe(3);
  });
});

describe('shell completion', () => {
  it('bash completion knows the commands and their options', async () => {
    const r = await cns(['completion', 'bash']);
    expect(r.code).toBe(0);
    const { spawnSync } = await import('node:child_process');
    const script = `${r.stdout}\nCOMP_WORDS=(cns pin ""); COMP_CWORD=2; _cns_complete; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(cns --json cert export --f); COMP_CWORD=4; _cns_complete; echo "\${COMPREPLY[*]}"`;
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.split('\n');
    expect(out[0]!.split(' ')).toEqual(expect.arrayContaining(['verify', 'change', 'unblock']));
    expect(out[1]!.split(' ')).toEqual(expect.arrayContaining(['--format', '--force']));
    expect((await cns(['completion', 'fish'])).code).toBe(2);
  });

  it('completes option values from their choices, skips option values, leaves no variable behind', async () => {
    const r = await cns(['completion', 'bash']);
    const { spawnSync } = await import('node:child_process');
    const script = `${r.stdout}
COMP_WORDS=(cns --lang ""); COMP_CWORD=2; _cns_complete; echo "\${COMPREPLY[*]}"
COMP_WORDS=(cns --reader sim st); COMP_CWORD=3; _cns_complete; echo "\${COMPREPLY[*]}"
echo "[\${candidate-unset}][\${cmdpath-unset}]"`;
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.split('\n');
    expect(out[0]).toBe('it en');
    expect(out[1]).toBe('status');
    expect(out[2]).toBe('[unset][unset]');
  });

  it('--reader offers sim (and sim:FILE completes a file), --browser the browsers, --generation the generations (issue 23 item 11)', async () => {
    const r = await cns(['completion', 'bash']);
    const { spawnSync } = await import('node:child_process');
    const { writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const d = tempDir('cns-compl-');
    writeFileSync(join(d, 'card-one.json'), '{}');
    const exe = join(d, 'cns');
    writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(exe, 0o755);
    // the completion asks the executable that is being completed for the readers present now
    const script = `${r.stdout}
COMP_WORDS=(${exe} --reader ""); COMP_CWORD=2; _cns_complete; echo "\${COMPREPLY[*]}"
COMP_WORDS=(cns --reader sim : ${join(d, 'card-')}); COMP_CWORD=4; _cns_complete; echo "\${COMPREPLY[*]}"
COMP_WORDS=(cns browser setup --browser ""); COMP_CWORD=4; _cns_complete; echo "\${COMPREPLY[*]}"
COMP_WORDS=(cns sim create x --generation id); COMP_CWORD=5; _cns_complete; echo "\${COMPREPLY[*]}"`;
    // no PC/SC service here: only sim (a path nobody serves)
    const env = { ...process.env, PCSCLITE_CSOCK_NAME: join(d, 'none.comm') };
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8', env, timeout: 30_000 }).stdout.split('\n');
    expect(out[0]).toBe('sim');
    expect(out[1]).toBe(join(d, 'card-one.json'));
    expect(out[2]).toBe('firefox thunderbird chrome');
    expect(out[3]).toBe('idemia2021 idemia-nfc');
  });
});
