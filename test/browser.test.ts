import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserReport, chooseModule, removeAction, setupAction } from '../src/browser/browsers.js';
import { discoverDatabases, type Home, type NssDatabase } from '../src/browser/discover.js';
import { assess, neededModule, OUR_NAME, parsePkcs11Txt } from '../src/browser/modules.js';
import { parseModutilList } from '../src/browser/nss.js';
import { failedStep, type ProofRun, withPinFile } from '../src/browser/tlsProof.js';
import type { ModuleInfo } from '../src/pkcs11/modules.js';
import { tempDir } from './helpers.js';

/** Fake home trees: every place a browser keeps its NSS database, made by hand. */

const INTERNAL = `library=
name=NSS Internal PKCS #11 Module
parameters=configdir='sql:/x' certPrefix='' keyPrefix='' secmod='secmod.db' flags= updatedir='' 
NSS=Flags=internal,critical trustOrder=75 cipherOrder=100 slotParams=(1={slotFlags=[RSA] askpw=any timeout=30})
`;

function profile(dir: string, modules: { name: string; library: string }[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cert9.db'), '');
  writeFileSync(join(dir, 'pkcs11.txt'), [INTERNAL, ...modules.map((m) => `library=${m.library}\nname=${m.name}\n`)].join('\n'));
}

function ini(dir: string, profiles: { name: string; path: string; relative?: boolean }[]): void {
  mkdirSync(dir, { recursive: true });
  const body = profiles
    .map((p, i) => `[Profile${i}]\nName=${p.name}\nIsRelative=${p.relative === false ? 0 : 1}\nPath=${p.path}\n`)
    .join('\n');
  writeFileSync(
    join(dir, 'profiles.ini'),
    `[Install4F96D1932A9F858E]\nDefault=${profiles[0]?.path}\nLocked=1\n\n${body}\n[General]\nStartWithLastProfile=1\nVersion=2\n`,
  );
}

function linuxHome(env: Record<string, string> = {}): Home & { dir: string } {
  const dir = tempDir('cns-home-');
  return { dir, home: dir, platform: 'linux', env, alive: (pid) => pid === 4242 };
}

const where = (dbs: NssDatabase[]): string[] => dbs.map((d) => `${d.browser}/${d.packaging}/${d.profile ?? '-'}`);

describe('where the browsers keep their NSS databases (Linux)', () => {
  it('Firefox: deb, ESR, ~/.config, snap and flatpak profiles; Thunderbird; each from its profiles.ini', () => {
    const h = linuxHome();
    const ff = join(h.dir, '.mozilla', 'firefox');
    ini(ff, [
      { name: 'default-release', path: 'abc.default-release' },
      { name: 'elsewhere', path: join(h.dir, 'outside'), relative: false },
    ]);
    profile(join(ff, 'abc.default-release'));
    profile(join(h.dir, 'outside'));
    ini(join(h.dir, '.mozilla', 'firefox-esr'), [{ name: 'esr', path: 'e.default-esr' }]);
    ini(join(h.dir, '.config', 'mozilla', 'firefox'), [{ name: 'new', path: 'n.default' }]);
    profile(join(h.dir, '.config', 'mozilla', 'firefox', 'n.default'));
    const snap = join(h.dir, 'snap', 'firefox', 'common', '.mozilla', 'firefox');
    ini(snap, [{ name: 'snappy', path: 's.default' }]);
    profile(join(snap, 's.default'));
    const flat = join(h.dir, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox');
    ini(flat, [{ name: 'flat', path: 'f.default' }]);
    ini(join(h.dir, '.thunderbird'), [{ name: 'mail', path: 't.default' }]);
    const dbs = discoverDatabases(h);
    expect(where(dbs)).toEqual([
      'firefox/native/default-release',
      'firefox/native/elsewhere',
      'firefox/esr/esr',
      'firefox/xdg/new',
      'firefox/snap/snappy',
      'firefox/flatpak/flat',
      'thunderbird/native/mail',
    ]);
    expect(dbs[0]!.path).toBe(join(ff, 'abc.default-release'));
    expect(dbs[1]!.path).toBe(join(h.dir, 'outside'));
    expect(dbs.map((d) => d.exists)).toEqual([true, true, false, true, true, false, false]);
  });

  it('$XDG_CONFIG_HOME moves the newer Firefox folder', () => {
    const h = linuxHome();
    const cfg = join(h.dir, 'cfg');
    h.env.XDG_CONFIG_HOME = cfg;
    ini(join(cfg, 'mozilla', 'firefox'), [{ name: 'x', path: 'x.default' }]);
    expect(where(discoverDatabases(h))).toEqual(['firefox/xdg/x']);
  });

  it('a running Firefox: its lock points to a live process; a stale lock does not count', () => {
    const h = linuxHome();
    const ff = join(h.dir, '.mozilla', 'firefox');
    ini(ff, [
      { name: 'open', path: 'a' },
      { name: 'stale', path: 'b' },
    ]);
    profile(join(ff, 'a'));
    profile(join(ff, 'b'));
    symlinkSync('127.0.1.1:+4242', join(ff, 'a', 'lock'));
    symlinkSync('127.0.1.1:+999999', join(ff, 'b', 'lock'));
    expect(discoverDatabases(h).map((d) => d.running)).toEqual([true, false]);
  });

  it('Chrome family: ~/.pki/nssdb, else $XDG_DATA_HOME/pki/nssdb; listed when the browser was used even with no database yet', () => {
    const a = linuxHome();
    profile(join(a.dir, '.pki', 'nssdb'));
    expect(discoverDatabases(a).map((d) => [d.browser, d.path])).toEqual([['chrome', join(a.dir, '.pki', 'nssdb')]]);

    const b = linuxHome({});
    b.env.XDG_DATA_HOME = join(b.dir, 'data');
    profile(join(b.dir, 'data', 'pki', 'nssdb'));
    expect(discoverDatabases(b).map((d) => d.path)).toEqual([join(b.dir, 'data', 'pki', 'nssdb')]);

    const c = linuxHome();
    mkdirSync(join(c.dir, '.config', 'chromium'), { recursive: true });
    symlinkSync('host-4242', join(c.dir, '.config', 'chromium', 'SingletonLock'));
    const [db] = discoverDatabases(c);
    expect(db).toMatchObject({ browser: 'chrome', exists: false, running: true, path: join(c.dir, '.local', 'share', 'pki', 'nssdb') });

    expect(discoverDatabases(linuxHome())).toEqual([]);
  });
});

describe('macOS and Windows profile locations', () => {
  it('macOS: ~/Library/Application Support/Firefox and ~/Library/Thunderbird', () => {
    const dir = tempDir('cns-mac-');
    const ff = join(dir, 'Library', 'Application Support', 'Firefox');
    ini(ff, [{ name: 'default-release', path: 'Profiles/q.default-release' }]);
    mkdirSync(join(ff, 'Profiles', 'q.default-release'), { recursive: true });
    ini(join(dir, 'Library', 'Thunderbird'), [{ name: 'tb', path: 'Profiles/t.default' }]);
    const dbs = discoverDatabases({ home: dir, platform: 'darwin', env: {} });
    expect(dbs.map((d) => [d.browser, d.platform, d.path])).toEqual([
      ['firefox', 'darwin', join(ff, 'Profiles', 'q.default-release')],
      ['thunderbird', 'darwin', join(dir, 'Library', 'Thunderbird', 'Profiles', 't.default')],
    ]);
  });

  it('Windows: %APPDATA%\\Mozilla\\Firefox; no Chrome database (Chrome uses the system store there)', () => {
    const dir = tempDir('cns-win-');
    const appData = join(dir, 'AppData', 'Roaming');
    ini(join(appData, 'Mozilla', 'Firefox'), [{ name: 'w', path: 'Profiles/w.default' }]);
    mkdirSync(join(dir, '.pki', 'nssdb'), { recursive: true });
    const dbs = discoverDatabases({ home: dir, platform: 'win32', env: { APPDATA: appData } });
    expect(dbs.map((d) => [d.browser, d.path])).toEqual([['firefox', join(appData, 'Mozilla', 'Firefox', 'Profiles', 'w.default')]]);
  });
});

describe('is the card module registered?', () => {
  const opensc = tempDir('cns-lib-');
  const lib = join(opensc, 'opensc-pkcs11.so');
  const onepin = join(opensc, 'onepin-opensc-pkcs11.so');
  writeFileSync(lib, '');
  writeFileSync(onepin, '');
  const installed: ModuleInfo[] = [{ name: 'OpenSC', path: lib, source: 'known-path' }];
  const db = (path: string, over: Partial<NssDatabase> = {}): NssDatabase => ({
    browser: 'firefox',
    packaging: 'native',
    profile: 'p',
    path,
    exists: true,
    running: false,
    platform: 'linux',
    ...over,
  });

  it('reads pkcs11.txt the way NSS writes it, its own module left out', () => {
    expect(parsePkcs11Txt(`${INTERNAL}\nlibrary=${lib}\nname=OpenSC\n`)).toEqual([{ name: 'OpenSC', library: lib }]);
  });

  it('registered, missing, twice (duplicate), a library that is not there (wrong-path)', () => {
    const need = neededModule(db('/x'), 'OpenSC', lib);
    expect(assess(db('/x'), need, [{ name: 'OpenSC', library: lib }], []).state).toBe('registered');
    expect(assess(db('/x'), need, [], []).state).toBe('missing');
    expect(
      assess(
        db('/x'),
        need,
        [
          { name: 'A', library: lib },
          { name: 'B', library: onepin },
        ],
        [],
      ).state,
    ).toBe('duplicate');
    expect(assess(db('/x'), need, [{ name: 'old', library: '/opt/gone/opensc-pkcs11.so' }], []).state).toBe('wrong-path');
    expect(assess(db('/x'), need, null, []).unreadable).toBe(true);
  });

  it("p11-kit's proxy exposing OpenSC counts as registered; the proxy plus OpenSC is a duplicate", () => {
    const proxy = join(opensc, 'p11-kit-proxy.so');
    writeFileSync(proxy, '');
    const need = neededModule(db('/x'), 'OpenSC', lib);
    const viaProxy = assess(db('/x'), need, [{ name: 'p11-kit-proxy', library: proxy }], ['opensc-pkcs11.so']);
    expect(viaProxy.state).toBe('registered');
    expect(viaProxy.entries[0]!.via).toBe('p11-kit-proxy');
    expect(assess(db('/x'), need, [{ name: 'p11-kit-proxy', library: proxy }], ['libsofthsm2.so']).state).toBe('missing');
    expect(
      assess(
        db('/x'),
        need,
        [
          { name: 'p11-kit-proxy', library: proxy },
          { name: 'OpenSC', library: lib },
        ],
        ['opensc-pkcs11.so'],
      ).state,
    ).toBe('duplicate');
  });

  it("Chrome's database gets OpenSC's one-PIN module; snap Firefox the copy inside the snap, or a plain cannot", () => {
    expect(neededModule(db('/c', { browser: 'chrome', packaging: 'nssdb' }), 'OpenSC', lib).library).toBe(onepin);
    expect(neededModule(db('/f'), 'OpenSC', lib).library).toBe(lib);
    const snapRoot = tempDir('cns-snap-');
    const snapDb = db('/s', { packaging: 'snap' });
    expect(neededModule(snapDb, 'OpenSC', lib, snapRoot)).toMatchObject({ library: null, cannot: 'snap-no-module' });
    const inside = join(snapRoot, 'firefox', 'current', 'usr', 'lib', 'cns-lib-x', 'opensc-pkcs11.so');
    const hostInTriplet = join(tempDir('cns-host-'), 'cns-lib-x', 'opensc-pkcs11.so');
    mkdirSync(join(snapRoot, 'firefox', 'current', 'usr', 'lib', 'cns-lib-x'), { recursive: true });
    writeFileSync(inside, '');
    expect(neededModule(snapDb, 'OpenSC', hostInTriplet, snapRoot).library).toBe(inside);
    // the host path in a snap profile cannot load: wrong-path
    expect(assess(snapDb, neededModule(snapDb, 'OpenSC', hostInTriplet, snapRoot), [{ name: 'OpenSC', library: lib }], []).state).toBe(
      'wrong-path',
    );
    expect(neededModule(db('/v', { packaging: 'flatpak' }), 'OpenSC', lib).cannot).toBe('flatpak');
  });

  it('the module follows the card generation: OpenSC first, Athena for an Athena card', () => {
    const all: ModuleInfo[] = [
      { name: 'OpenSC', path: lib, source: 'known-path' },
      { name: 'Athena IDProtect', path: '/x/libASEP11.so', source: 'known-path' },
    ];
    expect(chooseModule(undefined, all).family).toBe('OpenSC');
    expect(chooseModule({ middleware: 'OpenSC / bit4id xPKI' }, all).family).toBe('OpenSC');
    expect(chooseModule({ middleware: 'Athena IDProtect' }, all).family).toBe('Athena IDProtect');
    expect(chooseModule({ middleware: 'bit4id xPKI' }, all)).toEqual({ family: 'bit4id xPKI', module: null });
  });

  it('setup: refuses a running browser without --force, skips what is registered or duplicated, adds where missing', () => {
    const h = linuxHome();
    const ff = join(h.dir, '.mozilla', 'firefox');
    ini(ff, [
      { name: 'fresh', path: 'a' },
      { name: 'done', path: 'b' },
      { name: 'open', path: 'c' },
      { name: 'twice', path: 'd' },
    ]);
    profile(join(ff, 'a'));
    profile(join(ff, 'b'), [{ name: OUR_NAME, library: lib }]);
    profile(join(ff, 'c'));
    symlinkSync('h:+4242', join(ff, 'c', 'lock'));
    profile(join(ff, 'd'), [
      { name: 'OpenSC', library: lib },
      { name: 'again', library: lib },
    ]);
    const r = browserReport({ home: h, installed, p11kit: [] });
    expect(r.databases.map((d) => d.assessment.state)).toEqual(['missing', 'registered', 'missing', 'duplicate']);
    expect(r.databases.map((d) => setupAction(d, false))).toEqual([
      { kind: 'add', create: false, library: lib, method: 'modutil' },
      { kind: 'skip', why: 'registered' },
      { kind: 'skip', why: 'running' },
      { kind: 'skip', why: 'duplicate' },
    ]);
    expect(setupAction(r.databases[2]!, true).kind).toBe('add');
    expect(r.databases.map((d) => removeAction(d, false).kind)).toEqual(['skip', 'remove', 'skip', 'skip']);
  });
});

it('reads the tokens NSS sees from modutil -list, with the card id as serial', () => {
  const text = `  2. TS-CNS (cns)
\tlibrary name: /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
\t slot: Virtual PCD 00 00
\ttoken: MARIO ROSSI (PIN CNS0)
\t  uri: pkcs11:token=MARIO%20ROSSI%20(PIN%20CNS0);manufacturer=IC;serial=5448006344381070;model=PKCS%2315%20emulated

\t slot: Virtual PCD 00 01
\ttoken: 
\t  uri: pkcs11:
`;
  expect(parseModutilList(text)).toEqual([{ name: 'MARIO ROSSI (PIN CNS0)', serial: '5448006344381070', module: 'TS-CNS (cns)' }]);
});

describe('cns doctor and cns browser on a fake home (no card needed)', () => {
  it('doctor: one BROWSER check per database, warn when the module is missing, fail (exit 5) when it is there twice', async () => {
    const { cns } = await import('./helpers.js');
    const h = linuxHome();
    const ff = join(h.dir, '.mozilla', 'firefox');
    ini(ff, [{ name: 'default-release', path: 'a' }]);
    profile(join(ff, 'a'));
    const env = { HOME: h.dir, XDG_STATE_HOME: join(h.dir, 'state'), XDG_CONFIG_HOME: join(h.dir, '.config') };
    let r = await cns(['doctor', '--reader', 'sim', '--json'], { env });
    let browser = (r.json.checks as { code: string; status: string; message: string }[]).filter((c) => c.code === 'BROWSER');
    expect(browser.map((c) => c.status)).toEqual(['warn']);
    expect(browser[0]!.message).toMatch(/^Firefox, profile "default-release": the card module \(OpenSC\) is not registered/);
    expect(r.code).toBe(0);
    const lib = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
    profile(join(ff, 'a'), [
      { name: 'OpenSC', library: lib },
      { name: 'OpenSC again', library: lib },
    ]);
    r = await cns(['--lang', 'it', 'doctor', '--reader', 'sim', '--json'], { env });
    browser = (r.json.checks as { code: string; status: string; message: string }[]).filter((c) => c.code === 'BROWSER');
    expect(browser.map((c) => c.status)).toEqual(['fail']);
    expect(browser[0]!.message).toMatch(/caricato più volte/);
    expect(r.code).toBe(5);
  });

  it('browser setup --dry-run says what it would do and writes nothing; the virtual card in-process is refused for a login test', async () => {
    const { cns } = await import('./helpers.js');
    const h = linuxHome();
    const ff = join(h.dir, '.mozilla', 'firefox');
    ini(ff, [{ name: 'p', path: 'a' }]);
    profile(join(ff, 'a'));
    const env = { HOME: h.dir, XDG_STATE_HOME: join(h.dir, 'state'), XDG_CONFIG_HOME: join(h.dir, '.config') };
    const before = readFileSync(join(ff, 'a', 'pkcs11.txt'), 'utf8');
    const r = await cns(['browser', 'setup', '--dry-run', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.json.databases).toEqual([expect.objectContaining({ action: 'would-add', create: false })]);
    expect(readFileSync(join(ff, 'a', 'pkcs11.txt'), 'utf8')).toBe(before);
    // without NSS's tools: how to install them, exit 5
    const none = await cns(['--lang', 'it', 'browser', 'setup', '--json'], { env: { ...env, PATH: join(h.dir, 'nothing') } });
    expect(none.code).toBe(5);
    expect(none.json.error.code).toBe('NSS_TOOLS_MISSING');
    expect(none.json.error.message).toMatch(/apt-get install libnss3-tools/);
    const t = await cns(['browser', 'test', '--reader', 'sim', '--env'], { env: { ...env, CNS_PIN: '12345' } });
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/cns sim attach/);
  });
});

describe('browser test: which step failed, and the PIN file', () => {
  const run = (version: 'tls1.2' | 'tls1.3', handshake: boolean, presented: 'none' | 'card' | 'other' | null): ProofRun => ({
    version,
    server: { handshake, presented, protocol: handshake ? version : null, error: handshake ? null : 'ECONNRESET' },
    client: { code: handshake ? 0 : 1, out: '', timedOut: false },
  });

  it('TLS 1.2 passes and TLS 1.3 fails: the RSA-PSS signature (ERR_SSL_CLIENT_AUTH_SIGNATURE_FAILED)', () => {
    expect(failedStep([run('tls1.2', true, 'card'), run('tls1.3', false, null)])).toBe('tls13-signature');
    expect(failedStep([run('tls1.2', true, 'card'), run('tls1.3', true, 'none')])).toBe('tls13-signature');
  });

  it('no certificate at all, or another one; both pass: nothing failed', () => {
    expect(failedStep([run('tls1.2', true, 'none')])).toBe('login-refused');
    expect(failedStep([run('tls1.2', false, null)])).toBe('login-refused');
    expect(failedStep([run('tls1.2', true, 'other')])).toBe('server-refused');
    expect(failedStep([run('tls1.2', true, 'card'), run('tls1.3', true, 'card')])).toBeNull();
  });

  it('the PIN file: only its owner can read it, and it is gone afterwards, also when the test throws', async () => {
    let seen = '';
    const result = await withPinFile('24680', async (path) => {
      seen = path;
      expect(readFileSync(path, 'utf8')).toBe('24680\n');
      expect(statSync(path).mode & 0o077).toBe(0);
      expect(statSync(dirname(path)).mode & 0o077).toBe(0);
      return 7;
    });
    expect(result).toBe(7);
    expect(existsSync(dirname(seen))).toBe(false);
    await expect(
      withPinFile('13579', async (path) => {
        seen = path;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(dirname(seen))).toBe(false);
  });
});
