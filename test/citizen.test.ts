import { describe, expect, it } from 'vitest';
import { BIN, cns, tempDir } from './helpers.js';
import { haveTool, TmuxSession } from './tmux.js';

/** Issue 23: what a citizen, a help desk and a kiosk script trip on. */
describe('the demo card (item 6)', () => {
  it("readers advertises the demo's PIN only while it is still the default; after a change it says how to start over", async () => {
    const env = { XDG_STATE_HOME: tempDir('cns-demo-state-') };
    const fresh = await cns(['readers', '--json'], { env });
    const sim0 = fresh.json.sim;
    expect(sim0.note).toMatch(/PIN 12345/);
    expect((await cns(['pin', 'change', '--reader', 'sim', '--stdin'], { input: '12345\n48213\n', env })).code).toBe(0);
    const after = await cns(['readers', '--json'], { env });
    const sim = after.json.sim;
    expect(sim.note).not.toMatch(/12345/);
    expect(sim.note).toMatch(/cns sim create --force/);
    expect(sim.defaultSecrets).toBe(false);
  });
});

describe('a card pulled before anything was sent (item 4)', () => {
  it('the PIN command never reached the card: said as such (not "outcome unknown"), exit 6, tries untouched', async () => {
    const { join } = await import('node:path');
    const { readFileSync } = await import('node:fs');
    const img = join(tempDir('cns-pulled-'), 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    // the card answers the tries read, then leaves: the VERIFY never reaches it
    const r = await cns(['--lang', 'it', 'pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], {
      input: '12345\n',
      env: { CNS_SIM_LEAVE_AFTER: '1' },
    });
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');
    expect(r.json.error.message).toMatch(/prima che il PIN fosse inviato/);
    expect(r.json.error.message).not.toMatch(/sconosciuto/);
    expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
  });

  it('pin change and pin unblock too: the card gone before the PIN or PUK command is "removed before", not "outcome unknown"', async () => {
    const { join } = await import('node:path');
    const { readFileSync } = await import('node:fs');
    for (const [op, input, leave] of [
      ['change', '12345\n24680\n', '1'],
      ['unblock', '12345678\n24680\n', '2'],
      ['unblock', '12345678\n24680\n', '3'],
    ] as const) {
      const img = join(tempDir('cns-pulled-op-'), 'card.json');
      expect((await cns(['sim', 'create', img])).code).toBe(0);
      const r = await cns(['pin', op, '--reader', `sim:${img}`, '--stdin', '--json'], { input, env: { CNS_SIM_LEAVE_AFTER: leave } });
      expect(r.code, `${op} ${leave}`).toBe(6);
      expect(r.json.error.message, `${op} ${leave}`).toMatch(/removed before the (PIN|PUK) was sent/);
      const j = JSON.parse(readFileSync(img, 'utf8'));
      expect([j.pin.value, j.pin.triesLeft, j.puk.triesLeft]).toEqual(['12345', 3, 10]);
    }
  });
});

describe('yes/no in Italian (item 1)', () => {
  it.skipIf(!haveTool('tmux'))('extend --restore asks its own question "(s/N)", takes "sì" and shows "Sì"; "n" declines', async () => {
    const { join } = await import('node:path');
    const dir = tempDir('cns-yesno-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const der = join(dir, 'backup.der');
    expect((await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', der])).code).toBe(0);
    const env = { NO_COLOR: '1', LANG: 'C.UTF-8', XDG_STATE_HOME: join(dir, 'state') };
    const yes = new TmuxSession(`${process.execPath} ${BIN} --lang it extend --restore ${der} --reader sim:${img}`, env);
    try {
      await yes.waitFor(/Riscrivere ora sulla carta il certificato salvato\? \(s\/N\)/);
      yes.type('sì');
      const s = await yes.waitFor(/PUK/);
      expect(s).toMatch(/Riscrivere ora sulla carta il certificato salvato\? \(s\/N\) Sì/);
      expect(s).not.toMatch(/Yes|"No"/);
    } finally {
      yes.kill();
    }
    const no = new TmuxSession(`${process.execPath} ${BIN} --lang it extend --restore ${der} --reader sim:${img}`, env);
    try {
      await no.waitFor(/\(s\/N\)/);
      no.type('n');
      expect(await no.exitCode()).toBe(9);
    } finally {
      no.kill();
    }
  });

  it('without a terminal, the hint to add --yes is in Italian', async () => {
    const { join } = await import('node:path');
    const dir = tempDir('cns-yesno-tty-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const der = join(dir, 'backup.der');
    expect((await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', der])).code).toBe(0);
    const r = await cns(['--lang', 'it', 'extend', '--restore', der, '--reader', `sim:${img}`, '--stdin'], {
      input: '12345678\n',
      env: { XDG_STATE_HOME: join(dir, 'state') },
    });
    expect(r.stderr).toMatch(/nessun terminale su cui confermare: aggiungi --yes/);
  });
});

describe('a group without its subcommand (item 11)', () => {
  it('cns pin, cns cert, cns sim: their help on stderr and exit 2 (a usage error); --help stays exit 0', async () => {
    for (const g of ['pin', 'cert', 'sim']) {
      const r = await cns([g]);
      expect(r.code, g).toBe(2);
      expect(r.stderr, g).toMatch(new RegExp(`Usage: cns ${g}`));
    }
    expect((await cns(['pin', '--help'])).code).toBe(0);
  });
});

describe('a folder given where a file goes (item 9)', () => {
  it('cert export --out, sim create, extend --restore, doctor --report: "is a folder" at once, exit 2, with or without --force', async () => {
    const { join } = await import('node:path');
    const dir = tempDir('cns-folder-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const sim = ['--reader', `sim:${img}`];
    for (const args of [
      ['cert', 'export', ...sim, '--out', dir],
      ['cert', 'export', ...sim, '--out', dir, '--force'],
      ['sim', 'create', dir, '--force'],
      ['extend', '--restore', dir, ...sim, '--yes', '--stdin'],
      ['doctor', ...sim, '--report', dir],
    ]) {
      const r = await cns(['--json', ...args], { input: '12345678\n' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json.error.message, args.join(' ')).toMatch(/is a folder/);
      expect(r.json.error.message).not.toMatch(/EISDIR|--force/);
    }
    const it_ = await cns(['--lang', 'it', 'cert', 'export', ...sim, '--out', dir]);
    expect(it_.stderr).toMatch(/è una cartella/);
  });
});

describe("the help desk's ticket (item 12)", () => {
  it('keeps neither the sex the codice fiscale says nor the home folder of the user', async () => {
    const { join } = await import('node:path');
    const { readFileSync } = await import('node:fs');
    const home = tempDir('cns-ticket-home-');
    const env = { HOME: home, XDG_STATE_HOME: join(home, '.local', 'state') };
    const ticket = join(tempDir('cns-ticket-out-'), 'ticket.json');
    expect((await cns(['status', '--reader', 'sim', '--json'], { env })).code).toBe(0);
    const d = await cns(['doctor', '--reader', 'sim', '--report', ticket], { env });
    expect(d.code).toBe(0);
    const text = readFileSync(ticket, 'utf8');
    expect(text).not.toContain(home);
    expect(text).toContain('~/.local/state/cns/demo-card.json');
    const j = JSON.parse(text);
    const cf = (j.checks as { code: string; message: string }[]).find((c) => c.code === 'DATA_CF_DATA_MATCH');
    expect(cf?.message).toBe('[redacted]');
    expect(text).not.toMatch(/"M \[redacted\]|\bM 1980/);
  });

  it('the holder in any letter case, the home however written (trailing slash, a link), another user under /home (issue 23 trial)', async () => {
    const { redactTicket } = await import('../src/commands/doctor.js');
    const { symlinkSync, mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const base = tempDir('cns-redact-');
    const real = join(base, 'giuseppe.verdi');
    mkdirSync(real);
    const link = join(base, 'link');
    symlinkSync(real, link);
    const text = JSON.stringify({ a: `sim:${real}/Verdi-Giuseppe.json`, b: `sim:${real}/card.json`, c: 'sim:/home/mario.rossi/x.json' });
    for (const home of [link, `${real}/`]) {
      const out = redactTicket(text, ['VERDI', 'GIUSEPPE'], home);
      expect(out, home).not.toMatch(/verdi|giuseppe|mario\.rossi/i);
      expect(out, home).toContain('sim:~/[redacted]-[redacted].json');
      expect(out, home).toContain('sim:~/card.json');
      expect(out, home).toContain('/home/[user]/x.json');
    }
  });
});

describe('doctor --report never replaces a file unasked (issue 23 trial)', () => {
  it('an existing file: FILE_EXISTS, exit 2, untouched, before any check; --force replaces it', async () => {
    const { join } = await import('node:path');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const dir = tempDir('cns-report-exists-');
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'important\n');
    const r = await cns(['doctor', '--reader', 'sim', '--report', notes, '--json'], { env: { XDG_STATE_HOME: join(dir, 'state') } });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('FILE_EXISTS');
    expect(readFileSync(notes, 'utf8')).toBe('important\n');
    const f = await cns(['doctor', '--reader', 'sim', '--report', notes, '--force'], { env: { XDG_STATE_HOME: join(dir, 'state') } });
    expect(f.code).toBe(0);
    expect(JSON.parse(readFileSync(notes, 'utf8')).kind).toBe('cns-doctor-report');
  });
});

describe('browser remove with the browser open (item 8)', () => {
  it('says the database was left alone because the browser is open, never "nothing to remove", exit 9', async () => {
    const { join } = await import('node:path');
    const { mkdirSync, writeFileSync, symlinkSync, chmodSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    const dir = tempDir('cns-remove-open-');
    const ff = join(dir, '.mozilla', 'firefox');
    mkdirSync(join(ff, 'a'), { recursive: true });
    writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=a\n');
    writeFileSync(join(ff, 'a', 'cert9.db'), '');
    writeFileSync(
      join(ff, 'a', 'pkcs11.txt'),
      'library=\nname=NSS Internal PKCS #11 Module\n\nlibrary=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\nname=TS-CNS (cns)\n',
    );
    // Firefox holds the profile: its lock names this (live) process
    symlinkSync(`${hostname()}:+${process.pid}`, join(ff, 'a', 'lock'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const t of ['modutil', 'certutil', 'tstclnt']) {
      writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, t), 0o755);
    }
    const env = { HOME: dir, XDG_STATE_HOME: join(dir, 'state'), PATH: `${bin}:${process.env.PATH}` };
    const r = await cns(['browser', 'remove'], { env });
    expect(r.code).toBe(9);
    expect(r.stdout).not.toMatch(/Nothing to remove/);
    const it_ = await cns(['--lang', 'it', 'browser', 'remove'], { env });
    expect(it_.stdout).not.toMatch(/Nulla da togliere/);
  });
});

describe('ok agrees with the exit code, in every JSON document (item 7)', () => {
  it('ok is true exactly on exit 0; exitCode is always there; ok false always has error, beside what was found', async () => {
    const { join } = await import('node:path');
    const { mkdirSync, writeFileSync, symlinkSync, chmodSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    const { schemaErrors } = await import('./schema.js');
    const dir = tempDir('cns-ok-rule-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img, '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code).toBe(0);
    const sim = ['--reader', `sim:${img}`, '--json'];
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const agree = (r: { code: number; json: Record<string, any> }, schema: string, what: string): void => {
      expect(r.json.ok, what).toBe(r.code === 0);
      expect(r.json.exitCode, what).toBe(r.code);
      if (r.code !== 0) {
        expect(r.json.error?.exitCode, what).toBe(r.code);
        expect(schemaErrors('error', r.json), what).toEqual([]);
      } else expect(r.json.error, what).toBeUndefined();
      expect(schemaErrors(schema, r.json), what).toEqual([]);
    };
    agree(await cns(['status', ...sim], { env }), 'status', 'status');
    // a verdict that is not exit 0: the same document as on success, with ok false and error
    const check = await cns(['cert', 'check', ...sim]);
    expect(check.code).toBe(8);
    agree(check, 'cert-check', 'cert check');
    expect(check.json.certificate.notAfter).toBe('2023-12-30T22:59:59.000Z');
    expect(check.json.error.code).toBe('CERT_EXPIRED');
    const ext = await cns(['extend', '--check', ...sim], { env });
    expect(ext.code).toBe(10);
    agree(ext, 'extend-check', 'extend --check');
    expect(ext.json.extension.eligible).toBe(false);
    expect(ext.json.error.code).toBe('NOT_ELIGIBLE');
    const doctor = await cns(['doctor', ...sim], { env });
    expect(doctor.code).toBe(8);
    agree(doctor, 'doctor', 'doctor');
    expect(doctor.json.error.code).toBe('CHECKS_FAILED');
    expect(doctor.json.error.message).toMatch(/CERTIFICATE/);
    const wrong = await cns(['pin', 'verify', ...sim, '--stdin'], { input: '11111\n' });
    expect(wrong.code).toBe(3);
    agree(wrong, 'pin', 'pin verify');
    const usage = await cns(['status', '--bogus', '--json']);
    expect(usage.code).toBe(2);
    expect(usage.json).toMatchObject({ ok: false, exitCode: 2, error: { code: 'USAGE', exitCode: 2 } });
    // browser remove with Firefox open: exit 9, not "ok": true
    const ff = join(dir, '.mozilla', 'firefox');
    mkdirSync(join(ff, 'a'), { recursive: true });
    writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=a\n');
    writeFileSync(join(ff, 'a', 'cert9.db'), '');
    writeFileSync(
      join(ff, 'a', 'pkcs11.txt'),
      'library=\nname=NSS Internal PKCS #11 Module\n\nlibrary=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\nname=TS-CNS (cns)\n',
    );
    symlinkSync(`${hostname()}:+${process.pid}`, join(ff, 'a', 'lock'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const t of ['modutil', 'certutil', 'tstclnt']) {
      writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, t), 0o755);
    }
    const open = await cns(['browser', 'remove', '--json'], { env: { ...env, HOME: dir, PATH: `${bin}:${process.env.PATH}` } });
    expect(open.code).toBe(9);
    agree(open, 'browser-change', 'browser remove');
    expect(open.json.error.code).toBe('BROWSER_OPEN');
    expect(open.json.databases[0]).toMatchObject({ action: 'skip', why: 'running' });
  });
});

describe('one piece of advice per situation (item 3)', () => {
  it('a blocked PUK and starting the PC/SC service have one entry each, used by every message that gives them', async () => {
    const { catalogueEntries, message } = await import('../src/cli/i18n.js');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('./helpers.js');
    const entries = catalogueEntries();
    const keys = new Set(entries.map(([k]) => k));
    for (const [k, v] of entries) {
      for (const lang of ['en', 'it'] as const) {
        for (const m of v[lang].matchAll(/\{@(\w+)\}/g)) expect(keys.has(m[1] as never), `${k} refers to ${m[1]}`).toBe(true);
        // the command that starts the service is written once
        if (k !== 'cmdStartPcscd') expect(v[lang], k).not.toMatch(/systemctl (start|enable)/);
        // where a new card comes from is written once
        if (k !== 'adviceNewCard' && /PUK/.test(v[lang]))
          expect(v[lang], k).not.toMatch(/ASL|uffici regionali|regional offices|ente emittente/);
      }
    }
    const start = message('en', 'cmdStartPcscd');
    for (const lang of ['en', 'it'] as const) {
      const newCard = message(lang, 'adviceNewCard');
      for (const k of ['PUK_BLOCKED', 'PUK_BLOCKED_NOW', 'advPUK_BLOCKED', 'gPukBlocked'] as const)
        expect(message(lang, k), k).toContain(newCard);
      for (const k of ['pcscStart', 'gNoService'] as const) expect(message(lang, k), k).toContain(start);
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(start);
  });

  it('a blocked PUK: pin unblock and doctor say the same thing', async () => {
    const { join } = await import('node:path');
    const { message } = await import('../src/cli/i18n.js');
    const img = join(tempDir('cns-puk-blocked-'), 'card.json');
    expect((await cns(['sim', 'create', img, '--puk-tries', '10', '--puk-tries-left', '0', '--pin-tries-left', '0'])).code).toBe(0);
    for (const lang of ['it', 'en'] as const) {
      const newCard = message(lang, 'adviceNewCard');
      const unblock = await cns(['--lang', lang, 'pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], {
        input: '12345678\n12345\n',
      });
      expect(unblock.code).toBe(4);
      expect(unblock.json.error.message).toContain(newCard);
      // the PIN is blocked too: not "unblock it with the PUK"
      const verify = await cns(['--lang', lang, 'pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--json'], { input: '12345\n' });
      expect(verify.code).toBe(4);
      expect(verify.json.error.message).toContain(newCard);
      expect(verify.json.error.message).not.toMatch(/cns pin unblock/);
      const doctor = await cns(['--lang', lang, 'doctor', '--reader', `sim:${img}`, '--json']);
      const advice = doctor.json.checks.filter((c: { advice?: string }) => c.advice?.includes(newCard));
      expect(advice.length, JSON.stringify(doctor.json.checks)).toBeGreaterThan(0);
    }
  });
});

describe('the guided menu says what to do in the menu (item 2)', () => {
  it('every message that names a command or an option has a menu wording, unless it can only come from the command line', async () => {
    const { catalogueEntries } = await import('../src/cli/i18n.js');
    // said only by commands and options a menu user never runs: usage errors, --stdin/--env,
    // --signature, sim and extension writes, the reader list, completion
    const CLI_ONLY = new Set([
      'cP11NoSignature',
      'NO_SECRET_SOURCE',
      'PIN_BLOCKED_SIG',
      'PIN_BLOCKED_NOW_SIG',
      'cmdStartPcscd',
      'READER_AMBIGUOUS',
      'readerSimChanged',
      'FILE_EXISTS',
      'WRITE_VERIFY_FAILED',
      'uSimPkcs11',
      'uWarnDays',
      'uSimPath',
      'uTimeout',
      'uModes',
      'uSignTestSignature',
      'uWatchSim',
      'man_guided',
      'cmdNeeded',
      'uVpcd',
      'uPort',
      'uGarbage',
      'uDerTty',
      'uJsonOut',
      'uCaPair',
      'sa_start',
      'cr_atrGeneration',
      'cr_contactlessGeneration',
      'cr_certKey',
      'sigSharesPinNote',
      'advSigPin',
      'noSignatureKeyset',
      'extPartialNoCopy',
      'extInterrupted',
      'secStdinEnv',
      'secStdinTty',
      'secStdinLines',
      'secEnvMissing',
      'cmdUnknown',
      'cmdUnknownOption',
      'cmdTooMany',
      'imgAttached',
      'noTtyConfirm',
    ]);
    const entries = catalogueEntries();
    const keys = new Set<string>(entries.map(([k]) => k));
    const cli = /(^|[\s"(«])--[a-z]|\bcns (status|pin|cert|sim|extend|browser|doctor|readers|watch|completion)\b/;
    // KEY_win32 / KEY_darwin are KEY on that system: they go by KEY's name
    const base = (k: string) => k.replace(/_(win32|darwin)$/, '');
    const missing = entries
      .filter(([k, v]) => !k.startsWith('h_') && !base(k).endsWith('_G') && !CLI_ONLY.has(base(k)) && (cli.test(v.it) || cli.test(v.en)))
      .filter(([k]) => !keys.has(`${base(k)}_G`))
      .map(([k]) => k);
    expect(missing).toEqual([]);
    // and the menu wordings themselves name no command and no option
    const leaky = entries.filter(
      ([k, v]) => base(k).endsWith('_G') && (cli.test(v.it) || cli.test(v.en)) && !/riga di comando|command line/.test(v.en + v.it),
    );
    expect(leaky.map(([k]) => k)).toEqual([]);
  });
});

describe('what the issue 23 trial still found (words that contradict each other)', () => {
  it('a damaged certificate: one finding, "damaged", its advice; never "finish the interrupted write"', async () => {
    const { join } = await import('node:path');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const img = join(tempDir('cns-damaged-'), 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const j = JSON.parse(readFileSync(img, 'utf8'));
    const ef = j.files.find((f: { path: string }) => f.path === '3F00/1100/1101');
    const bytes = Buffer.from(ef.data, 'hex');
    // the last byte of the DER is the signature's: it still decodes, its issuer's signature no longer holds
    const end = 4 + bytes.readUInt16BE(2) - 1;
    bytes[end] = (bytes[end]! ^ 0xff) & 0xff;
    ef.data = bytes.toString('hex');
    writeFileSync(img, JSON.stringify(j));
    const d = await cns(['--lang', 'it', 'doctor', '--reader', `sim:${img}`, '--json']);
    const text = JSON.stringify(d.json.checks);
    expect(text).toMatch(/danneggiato/);
    expect(text).not.toMatch(/extend --resume|scrittura del certificato/);
    expect(d.json.checks.find((c: { code: string }) => c.code === 'CERTIFICATE').message).not.toMatch(/nessun certificato leggibile/);
  });

  it('PIN and PUK both blocked: no line says "unblock it with the PUK" (status, extend --check)', async () => {
    const { join } = await import('node:path');
    const img = join(tempDir('cns-both-blocked-'), 'card.json');
    expect(
      (
        await cns([
          'sim',
          'create',
          img,
          '--pin-tries-left',
          '0',
          '--puk-tries-left',
          '0',
          '--not-before',
          '2018-01-01',
          '--not-after',
          '2023-12-30',
        ])
      ).code,
    ).toBe(0);
    const s = await cns(['--lang', 'it', 'status', '--reader', `sim:${img}`]);
    const e = await cns(['--lang', 'it', 'extend', '--check', '--at', '2023-11-15', '--reader', `sim:${img}`]);
    for (const out of [s.stdout, e.stdout]) {
      expect(out).not.toMatch(/sbloccalo/i);
      expect(out).toMatch(/il PIN è bloccato, e anche il PUK/);
      expect(out).toMatch(/Agenzia delle Entrate/);
      expect(out).not.toMatch(/\{@/);
    }
  });

  it('days agree with their number, and a certificate not valid yet says to check the clock', async () => {
    const { join } = await import('node:path');
    const dir = tempDir('cns-days-');
    // an exact instant 36 hours away, so that the days left are 1 at any hour of the day
    const tomorrow = new Date(Date.now() + 36 * 3600 * 1000).toISOString();
    expect((await cns(['sim', 'create', join(dir, 't.json'), '--not-after', tomorrow])).code).toBe(0);
    const it_ = await cns(['--lang', 'it', 'status', '--reader', `sim:${join(dir, 't.json')}`]);
    expect(it_.stdout).toMatch(/manca 1 giorno\)/);
    const en = await cns(['--lang', 'en', 'cert', 'check', '--reader', `sim:${join(dir, 't.json')}`]);
    expect(en.stdout + en.stderr).toMatch(/1 day left/);
    expect((await cns(['sim', 'create', join(dir, 'f.json'), '--not-before', '2030-06-01', '--not-after', '2035-01-01'])).code).toBe(0);
    const f = await cns(['--lang', 'it', 'status', '--reader', `sim:${join(dir, 'f.json')}`]);
    expect(f.stdout).toMatch(/NON ANCORA VALIDO .*valido dal 01\/06\/2030: controlla data e ora del computer/);
    expect(f.stdout).not.toMatch(/mancano \d+ giorni/);
  });
});

describe('the JSON rule where the trial found it broken (item 7)', () => {
  it('a group alone, no command at all, a value-less --reader: each a JSON usage error, exit 2', async () => {
    for (const args of [['pin', '--json'], ['--json'], ['status', '--reader', '--json']]) {
      const r = await cns(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json, args.join(' ')).toMatchObject({ ok: false, exitCode: 2, error: { code: 'USAGE', exitCode: 2 } });
    }
  });

  it('status --json and extend --check --json in Italian: the texts are Italian, the codes the same', async () => {
    const { join } = await import('node:path');
    const img = join(tempDir('cns-json-it-'), 'card.json');
    expect(
      (await cns(['sim', 'create', img, '--pin-tries-left', '0', '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code,
    ).toBe(0);
    const s = await cns(['--lang', 'it', 'status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.problems.find((p: { code: string }) => p.code === 'PIN_BLOCKED').message).toBe('il PIN è bloccato: sbloccalo con il PUK');
    expect(s.json.extension.reasons.find((r: { code: string }) => r.code === 'NOT_EXTENDED').reason).toBe('non ancora esteso');
    const e = await cns(['--lang', 'it', 'extend', '--check', '--at', '2023-11-15', '--reader', `sim:${img}`, '--json']);
    expect(e.json.extension.reasons.find((r: { code: string }) => r.code === 'PIN_USABLE').reason).toMatch(/il PIN è bloccato/);
  });
});

describe('small things the issue 23 trial found', () => {
  it('completion hides __words and offers bash/zsh; --crl DIR is "a folder"; readers --json speaks the language; sim create DIR in Italian', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const comp = await cns(['completion', 'bash']);
    const out = spawnSync(
      'bash',
      [
        '-c',
        `${comp.stdout}\nCOMP_WORDS=(cns __); COMP_CWORD=1; _cns_complete; echo "[\${COMPREPLY[*]}]"\nCOMP_WORDS=(cns completion ""); COMP_CWORD=2; _cns_complete; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    ).stdout.split('\n');
    expect(out[0]).toBe('[]');
    expect(out[1]!.split(' ').slice(0, 2)).toEqual(['bash', 'zsh']);
    const dir = tempDir('cns-small-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img, '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code).toBe(0);
    const crl = await cns(['extend', '--check', '--at', '2023-11-15', '--reader', `sim:${img}`, '--crl', dir, '--json']);
    expect(crl.code).toBe(2);
    expect(crl.json.error.message).toMatch(/folder/);
    expect(crl.json.error.message).not.toMatch(/EISDIR/);
    const r = await cns(['--lang', 'it', 'readers', '--json'], {
      env: { XDG_STATE_HOME: join(dir, 'state'), PCSCLITE_CSOCK_NAME: join(dir, 'none') },
    });
    expect(r.json.sim.note).toMatch(/TS-CNS virtuale/);
    const s = await cns(['--lang', 'it', 'sim', 'create', dir, '--force']);
    expect(s.stderr).toMatch(/Valore non valido per <immagine>/);
    const b = await cns(['browser', '--browser', 'safari', '--json'], { env: { HOME: dir } });
    expect(b.code).toBe(2);
    expect(b.json.error.message).toMatch(/not one of the browsers/);
  });
});

describe('what the second trial of issue 23 found', () => {
  it('watch refuses the virtual card; extend --json on a card not eligible says so before asking any secret; a card pulled before anything was sent says so', async () => {
    const { join } = await import('node:path');
    const { readFileSync } = await import('node:fs');
    const dir = tempDir('cns-trial2-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    const w = await cns(['--reader', `sim:${img}`, 'watch', '--once', '--json'], { timeoutMs: 20_000 });
    expect(w.code).toBe(2);
    expect(w.json.error.message).toMatch(/virtual card/);
    // not eligible (valid until 2032): NOT_ELIGIBLE, exit 10, with no terminal and no --stdin
    const e = await cns(['extend', '--reader', `sim:${img}`, '--json'], { env: { XDG_STATE_HOME: join(dir, 'state') } });
    expect(e.code).toBe(10);
    expect(e.json.error.code).toBe('NOT_ELIGIBLE');
    const u = await cns(['pin', 'unblock', '--reader', `sim:${img}`, '--stdin', '--json'], {
      input: '12345678\n73915\n',
      env: { CNS_SIM_LEAVE_AFTER: '1' },
    });
    expect(u.code).toBe(6);
    expect(u.json.error.message).toMatch(/nothing was sent to it|before the PUK was sent/);
    expect(JSON.parse(readFileSync(img, 'utf8')).puk.triesLeft).toBe(10);
  });

  it('a certificate expiring today says "scade oggi", not "mancano 0 giorni"', async () => {
    const { join } = await import('node:path');
    const img = join(tempDir('cns-today-'), 'card.json');
    // the certificate ends at 23:59:59 Rome time of the day given: today's date in Rome
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
    expect((await cns(['sim', 'create', img, '--not-after', today])).code).toBe(0);
    const s = await cns(['--lang', 'it', 'status', '--reader', `sim:${img}`]);
    expect(s.stdout).toMatch(/\(scade oggi\)/);
    expect(s.stdout).not.toMatch(/0 giorni/);
  });
});

describe('left alone by the first pass, done after it', () => {
  it('readers without PC/SC still names sim on stdout; doctor --report says where the ticket went', async () => {
    const { join } = await import('node:path');
    const dir = tempDir('cns-left-');
    const env = { XDG_STATE_HOME: join(dir, 'state'), PCSCLITE_CSOCK_NAME: join(dir, 'none') };
    const r = await cns(['readers'], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^ - {2}sim +virtual TS-CNS/m);
    const d = await cns(['doctor', '--reader', 'sim', '--report', join(dir, 't.json')], { env });
    expect(d.stderr).toMatch(/Ticket written to .*t\.json/);
  });
});
