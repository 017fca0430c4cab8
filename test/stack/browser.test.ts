import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cns, ROOT, tempDir } from '../helpers.js';
import { schemaErrors } from '../schema.js';
import { imageCounters, makeCard, STACK_OK, stack } from './stack.js';

/**
 * The card in the browser, proved with NSS itself: the virtual card in pcscd (vpcd), OpenSC's
 * module registered by `cns browser setup` in a Firefox-style profile and a Chrome-style
 * database made by certutil, NSS's own tools listing the card's certificate, and a real TLS
 * login through NSS's client.
 */
function nss(tool: string, args: string[]): { code: number; out: string } {
  // no terminal: NSS cannot ask for a PIN (and so never logs in)
  const r = spawnSync('setsid', ['--wait', tool, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** A fake home: a Firefox profile and Chrome's database, both fresh NSS databases. */
function fakeHome(): { home: string; firefox: string; chrome: string; env: Record<string, string> } {
  const home = tempDir('cns-browser-home-');
  const ffRoot = join(home, '.mozilla', 'firefox');
  const firefox = join(ffRoot, 'test.default-release');
  const chrome = join(home, '.pki', 'nssdb');
  mkdirSync(firefox, { recursive: true });
  mkdirSync(chrome, { recursive: true });
  writeFileSync(join(ffRoot, 'profiles.ini'), '[Profile0]\nName=default-release\nIsRelative=1\nPath=test.default-release\nDefault=1\n');
  for (const db of [firefox, chrome]) expect(nss('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']).code).toBe(0);
  return { home, firefox, chrome, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, 'state') } };
}

const modules = (db: string): string => nss('modutil', ['-dbdir', `sql:${db}`, '-list']).out.replace(/status: .*/g, '');

describe.skipIf(!STACK_OK)('cns browser on the real stack (NSS, OpenSC, the virtual card in pcscd)', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('setup registers OpenSC in Firefox and its one-PIN module in Chrome; NSS then lists the card certificate; twice changes nothing; remove restores', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const h = fakeHome();
    const before = { firefox: modules(h.firefox), chrome: modules(h.chrome) };
    expect(nss('certutil', ['-L', '-d', `sql:${h.firefox}`, '-h', 'all']).out).not.toMatch(/CNS0/);

    const status0 = await cns(['browser', '--json'], { env: h.env });
    expect(status0.code).toBe(0);
    expect(schemaErrors('browser-status', status0.json)).toEqual([]);
    expect(status0.json.databases.map((d: { registration: string }) => d.registration)).toEqual(['missing', 'missing']);

    const setup = await cns(['browser', 'setup', '--json'], { env: h.env });
    expect(setup.code, setup.stderr).toBe(0);
    expect(schemaErrors('browser-change', setup.json)).toEqual([]);
    expect(readFileSync(join(h.firefox, 'pkcs11.txt'), 'utf8')).toMatch(/library=.*\/opensc-pkcs11\.so/);
    expect(readFileSync(join(h.chrome, 'pkcs11.txt'), 'utf8')).toMatch(/library=.*\/onepin-opensc-pkcs11\.so/);
    // NSS itself, through each database, sees the card's certificate
    for (const db of [h.firefox, h.chrome])
      expect(nss('certutil', ['-L', '-d', `sql:${db}`, '-h', 'all']).out).toMatch(/\(PIN CNS0\):CNS0/);
    const status = await cns(['browser', '--json'], { env: h.env });
    expect(status.json.databases.map((d: { registration: string; seesCard: boolean }) => [d.registration, d.seesCard])).toEqual([
      ['registered', true],
      ['registered', true],
    ]);
    // idempotent
    const files = [h.firefox, h.chrome].map((d) => readFileSync(join(d, 'pkcs11.txt'), 'utf8'));
    expect((await cns(['browser', 'setup'], { env: h.env })).code).toBe(0);
    expect([h.firefox, h.chrome].map((d) => readFileSync(join(d, 'pkcs11.txt'), 'utf8'))).toEqual(files);
    // no PIN was spent by any of this
    expect(imageCounters(img).pin).toBe(3);

    const removed = await cns(['browser', 'remove', '--json'], { env: h.env });
    expect(removed.code).toBe(0);
    expect({ firefox: modules(h.firefox), chrome: modules(h.chrome) }).toEqual(before);
  });

  it('browser test: TLS 1.2 and TLS 1.3 logins through NSS pass; a wrong PIN costs exactly one try; a blocked PIN stops before any handshake', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const h = fakeHome();
    expect((await cns(['browser', 'setup'], { env: h.env })).code).toBe(0);

    const ok = await cns(['browser', 'test', '--db', h.firefox, '--stdin', '--json'], { env: h.env, input: '12345\n' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(schemaErrors('browser-test', ok.json)).toEqual([]);
    expect(
      ok.json.handshakes.map((x: { version: string; passed: boolean; protocol: string }) => [x.version, x.passed, x.protocol]),
    ).toEqual([
      ['tls1.2', true, 'TLSv1.2'],
      ['tls1.3', true, 'TLSv1.3'],
    ]);
    // the tries after the login, read after the card was reset (NSS's module leaves it logged in)
    expect(ok.json.pin).toMatchObject({ triesLeft: 3, verified: false });
    const chrome = await cns(['browser', 'test', '--db', h.chrome, '--env'], { env: { ...h.env, CNS_PIN: '12345' } });
    expect(chrome.code, chrome.stderr).toBe(0);
    expect(imageCounters(img).pin).toBe(3);
    // the PIN reached NSS through a file that is gone
    expect(ok.stderr + ok.stdout).not.toMatch(/12345(?!\d)/);

    const wrong = await cns(['browser', 'test', '--db', h.firefox, '--stdin', '--json'], { env: h.env, input: '99999\n' });
    expect(wrong.code).toBe(3);
    expect(wrong.json.error.code).toBe('PIN_INCORRECT');
    expect(imageCounters(img).pin).toBe(2);

    const blocked = await makeCard('--pin-tries-left', '0');
    await stack.detach(35963);
    await stack.attach(blocked);
    const b = await cns(['browser', 'test', '--db', h.firefox, '--stdin', '--json'], { env: h.env, input: '12345\n' });
    expect(b.code).toBe(4);
    expect(b.json.error.code).toBe('PIN_BLOCKED');
    expect(b.json.error.handshakes).toBeUndefined();
  });

  it("the library does it too: setupBrowsers, testBrowserLogin (the PIN once, from the program's own source), removeBrowsers", async () => {
    const img = await makeCard();
    await stack.attach(img);
    const h = fakeHome();
    const before = modules(h.firefox);
    // a program importing 'cns': the PIN from its standard input (never in its argv)
    const program = `
      import { readFileSync } from 'node:fs';
      import { CnsError, removeBrowsers, setupBrowsers, testBrowserLogin } from 'cns';
      const db = process.env.DB;
      const out = {};
      const setup = await setupBrowsers({ dbs: [db] });
      out.setup = setup.databases.map((d) => d.action);
      const tries = [];
      const login = await testBrowserLogin({ dbs: [db], auth: { pin: async () => readFileSync(0, 'utf8').trim(), onTries: (t) => tries.push(t.triesLeft) } });
      out.login = { failed: login.failed, tries, pin: [login.pin?.triesLeft, login.pin?.verified], handshakes: login.handshakes.map((x) => [x.version, x.passed, x.presented]) };
      try { await testBrowserLogin({ dbs: [db], card: { reader: 'sim' }, auth: { pin: async () => '' } }); } catch (e) { out.sim = e instanceof CnsError ? e.code : String(e); }
      try { await setupBrowsers({ browsers: ['safari'] }); } catch (e) { out.safari = e instanceof CnsError ? e.code : String(e); }
      out.remove = (await removeBrowsers({ dbs: [db] })).databases.map((d) => d.action);
      process.stdout.write(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      cwd: ROOT,
      env: { ...process.env, ...h.env, DB: h.firefox },
      input: '12345\n',
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.setup).toEqual(['added']);
    expect(out.login).toEqual({
      failed: null,
      tries: [3],
      pin: [3, false],
      handshakes: [
        ['tls1.2', true, 'card'],
        ['tls1.3', true, 'card'],
      ],
    });
    expect(out.sim).toBe('USAGE');
    expect(out.safari).toBe('INVALID_INPUT');
    expect(out.remove).toEqual(['removed']);
    expect(modules(h.firefox)).toEqual(before);
    expect(imageCounters(img).pin).toBe(3);
  });

  it('a browser that is open is not written to without --force; the module missing is said before any PIN', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const h = fakeHome();
    symlinkSync(`127.0.0.1:+${process.pid}`, join(h.firefox, 'lock'));
    const before = readFileSync(join(h.firefox, 'pkcs11.txt'), 'utf8');
    const r = await cns(['--lang', 'it', 'browser', 'setup', '--browser', 'firefox'], { env: h.env });
    expect(r.code).toBe(9);
    expect(r.stdout + r.stderr).toMatch(/il browser è aperto[\s\S]*Chiudi prima il browser/);
    expect(readFileSync(join(h.firefox, 'pkcs11.txt'), 'utf8')).toBe(before);

    const t = await cns(['browser', 'test', '--db', h.chrome, '--stdin', '--json'], { env: h.env, input: '12345\n' });
    expect(t.code).toBe(5);
    expect(t.json.error.code).toBe('BROWSER_MODULE_MISSING');
    expect(imageCounters(img).pin).toBe(3);
    // a damaged database that lists the module: NSS's own words, in a sentence of ours, exit 5
    const bad = join(h.home, 'damaged');
    mkdirSync(bad);
    writeFileSync(join(bad, 'cert9.db'), 'not a database');
    writeFileSync(
      join(bad, 'pkcs11.txt'),
      'library=\nname=NSS Internal PKCS #11 Module\n\nlibrary=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\nname=TS-CNS (cns)\n',
    );
    const d = await cns(['--lang', 'it', 'browser', 'test', '--db', bad, '--stdin'], { env: h.env, input: '12345\n' });
    expect(d.code).toBe(5);
    expect(d.stderr).toMatch(
      /Il database del browser non si riesce a usare: modutil ha risposto "[^"]*SEC_ERROR_BAD_DATABASE[^"]*"\. .*\[NSS_TOOL_FAILED\]/,
    );
    expect(imageCounters(img).pin).toBe(3);
  });
});
