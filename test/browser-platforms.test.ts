import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyRemove,
  applySetup,
  browserReport,
  chooseModule,
  removeAction,
  setupAction,
  unsafeDatabase,
} from '../src/browser/browsers.js';
import { discoverDatabases, type Home } from '../src/browser/discover.js';
import { ModuleListError } from '../src/browser/errors.js';
import type { RegRun } from '../src/browser/minidriver.js';
import { OUR_NAME, parsePkcs11Txt } from '../src/browser/modules.js';
import { addToModuleList, libraryWritable, withModule, withoutModule } from '../src/browser/pkcs11Txt.js';
import { databaseText, storeText } from '../src/cli/browserText.js';
import { Context, SCHEMA_VERSION } from '../src/cli/context.js';
import { statusDocument } from '../src/commands/browser.js';
import type { ModuleInfo } from '../src/pkcs11/modules.js';
import { tempDir } from './helpers.js';
import { ARUBA_CNS, REG, ST_2021_TS_CNS } from './regFixture.js';
import { schemaErrors } from './schema.js';

/** Issue 25 items 3 and 4: the card in the browser on Windows and macOS, tested here on fake trees. */

const OPENSC_DLL = 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll';
const OPENSC_DLL_X86 = 'C:\\Program Files (x86)\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll';

/** pkcs11.txt as Firefox for Windows writes it for a fresh profile: NSS's internal module only. */
const WIN_INTERNAL = `library=
name=NSS Internal PKCS #11 Module
parameters=configdir='sql:C:\\Users\\mario\\AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\w.default' certPrefix='' keyPrefix='' secmod='secmod.db' flags=optimizeSpace updatedir='' updateCertPrefix='' updateKeyPrefix='' updateid='' updateTokenDescription='' 
NSS=Flags=internal,critical trustOrder=75 cipherOrder=100 slotParams=(1={slotFlags=[ECC,RSA,DSA,DH,RC2,RC4,DES,RANDOM,SHA1,MD5,MD2,SSL,TLS,AES,Camellia,SEED,SHA256,SHA512] askpw=any timeout=30})

`;

function winProfiles(names: string[]): Home & { dir: string; ff: string; lockHeld: Set<string> } {
  const dir = tempDir('cns-win-');
  const appData = join(dir, 'AppData', 'Roaming');
  const ff = join(appData, 'Mozilla', 'Firefox');
  mkdirSync(ff, { recursive: true });
  writeFileSync(
    join(ff, 'profiles.ini'),
    names.map((n, i) => `[Profile${i}]\r\nName=${n}\r\nIsRelative=1\r\nPath=Profiles/${n}\r\n`).join('\r\n'),
  );
  const lockHeld = new Set<string>();
  return { dir, ff, lockHeld, home: dir, platform: 'win32', env: { APPDATA: appData }, held: (p) => lockHeld.has(p) };
}

function winProfile(h: { ff: string }, name: string, text = WIN_INTERNAL): string {
  const p = join(h.ff, 'Profiles', name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'cert9.db'), '');
  if (text !== '') writeFileSync(join(p, 'pkcs11.txt'), text);
  return p;
}

const installedWin: ModuleInfo[] = [{ name: 'OpenSC', path: OPENSC_DLL, source: 'known-path' }];
const onlyDll = (p: string): boolean => p === OPENSC_DLL;
const noReg: RegRun = () => ({ status: null, stdout: '', error: Object.assign(new Error('spawn'), { code: 'ENOENT' }) });

describe('Firefox on Windows: status from a fake %APPDATA% tree', () => {
  it('a profile that loads OpenSC’s DLL reads "registered", not "missing"', () => {
    const h = winProfiles(['w.default']);
    winProfile(h, 'w.default', `${WIN_INTERNAL}library=${OPENSC_DLL}\nname=OpenSC\n\n`);
    const r = browserReport({ home: h, installed: installedWin, exists: onlyDll, reg: noReg });
    expect(r.databases.map((d) => [d.db.platform, d.assessment.state, d.assessment.entries[0]?.library])).toEqual([
      ['win32', 'registered', OPENSC_DLL],
    ]);
    // the DLL gone: a library this browser cannot load
    expect(browserReport({ home: h, installed: installedWin, exists: () => false, reg: noReg }).databases[0]!.assessment.state).toBe(
      'wrong-path',
    );
  });

  it('the 64-bit OpenSC is the one for Firefox; the 32-bit one only when it is all there is', () => {
    const x86: ModuleInfo = { name: 'OpenSC', path: OPENSC_DLL_X86, source: 'known-path', arch32: true };
    expect(chooseModule(undefined, [x86, ...installedWin]).module?.path).toBe(OPENSC_DLL);
    expect(chooseModule(undefined, [x86]).module?.path).toBe(OPENSC_DLL_X86);
  });

  it('Firefox holds parent.lock open while it runs; the file stays after it exits and then means nothing', () => {
    const h = winProfiles(['open', 'closed']);
    const open = winProfile(h, 'open');
    const closed = winProfile(h, 'closed');
    writeFileSync(join(open, 'parent.lock'), '');
    writeFileSync(join(closed, 'parent.lock'), '');
    h.lockHeld.add(join(open, 'parent.lock'));
    expect(discoverDatabases(h).map((d) => [d.profile, d.running])).toEqual([
      ['open', true],
      ['closed', false],
    ]);
  });

  it('the words: no "Linux only", the remedy of the system (OpenSC for Windows, not apt-get)', () => {
    const h = winProfiles(['w.default', 'never-opened']);
    winProfile(h, 'w.default');
    mkdirSync(join(h.ff, 'Profiles', 'never-opened'), { recursive: true });
    const ctx = new Context({ lang: 'en' }, {});
    const r = browserReport({ home: h, installed: installedWin, exists: onlyDll, reg: noReg });
    expect(databaseText(ctx, r.databases[0]!)).toBe('the card module (OpenSC) is not registered');
    expect(databaseText(ctx, r.databases[1]!)).toMatch(/has not created its security database yet: open it once and close it/);
  });
});

describe('Firefox on Windows: setup and remove edit pkcs11.txt (no NSS tools there)', () => {
  it('setup appends one stanza, keeps every other byte and a backup; again: nothing; remove: the file as it was', () => {
    const h = winProfiles(['w.default']);
    const p = winProfile(h, 'w.default');
    const file = join(p, 'pkcs11.txt');
    const report = () => browserReport({ home: h, installed: installedWin, exists: onlyDll, reg: noReg });
    const [s] = report().databases;
    const a = setupAction(s!, false);
    expect(a).toEqual({ kind: 'add', create: false, library: OPENSC_DLL, method: 'pkcs11-txt' });
    if (a.kind !== 'add') throw new Error('no add');
    applySetup(s!, a);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(`${WIN_INTERNAL}library=${OPENSC_DLL}\nname=${OUR_NAME}\n\n`);
    // NSS's own reading of it: its internal module and ours
    expect(parsePkcs11Txt(after)).toEqual([{ name: OUR_NAME, library: OPENSC_DLL }]);
    const [again] = report().databases;
    expect(again!.assessment.state).toBe('registered');
    expect(setupAction(again!, false)).toEqual({ kind: 'skip', why: 'registered' });
    const rm = removeAction(again!, false);
    expect(rm).toEqual({ kind: 'remove', names: [OUR_NAME], method: 'pkcs11-txt' });
    if (rm.kind !== 'remove') throw new Error('no remove');
    applyRemove(again!.db, rm);
    expect(readFileSync(file, 'utf8')).toBe(WIN_INTERNAL);
    expect(removeAction(report().databases[0]!, false)).toEqual({ kind: 'skip', why: 'nothing' });
  });

  it('an open Firefox is left alone without --force; a profile never opened is not created; an old stanza of ours is replaced', () => {
    const h = winProfiles(['open', 'empty', 'stale']);
    const open = winProfile(h, 'open');
    writeFileSync(join(open, 'parent.lock'), '');
    h.lockHeld.add(join(open, 'parent.lock'));
    winProfile(h, 'empty', '');
    const stale = winProfile(h, 'stale', `${WIN_INTERNAL}library=C:\\old\\opensc-pkcs11.dll\r\nname=${OUR_NAME}\r\n\r\n`);
    const r = browserReport({ home: h, installed: installedWin, exists: onlyDll, reg: noReg });
    expect(r.databases.map((d) => setupAction(d, false))).toEqual([
      { kind: 'skip', why: 'running' },
      { kind: 'skip', why: 'no-database' },
      { kind: 'add', create: false, library: OPENSC_DLL, method: 'pkcs11-txt' },
    ]);
    expect(setupAction(r.databases[0]!, true).kind).toBe('add');
    const a = setupAction(r.databases[2]!, false);
    if (a.kind !== 'add') throw new Error('no add');
    applySetup(r.databases[2]!, a);
    const text = readFileSync(join(stale, 'pkcs11.txt'), 'utf8');
    expect(parsePkcs11Txt(text)).toEqual([{ name: OUR_NAME, library: OPENSC_DLL }]);
    expect(text.endsWith(`library=${OPENSC_DLL}\r\nname=${OUR_NAME}\r\n\r\n`)).toBe(true);
    expect(existsSync(join(h.ff, 'Profiles', 'empty', 'pkcs11.txt'))).toBe(false);
  });

  // Node under Wine makes no symbolic links (symlinkSync does nothing), and a real Windows only with a privilege
  it.runIf(process.platform !== 'win32')('never through a link cns did not make; the file unchanged', () => {
    const h = winProfiles(['linked']);
    const p = winProfile(h, 'linked', '');
    const elsewhere = join(tempDir('cns-target-'), 'pkcs11.txt');
    writeFileSync(elsewhere, WIN_INTERNAL);
    symlinkSync(elsewhere, join(p, 'pkcs11.txt'));
    expect(unsafeDatabase(p)).toMatchObject({ why: 'symlink' });
    expect(() => addToModuleList(p, 'win32', OUR_NAME, OPENSC_DLL)).toThrow(/symbolic link/);
    expect(readFileSync(elsewhere, 'utf8')).toBe(WIN_INTERNAL);
  });

  it('a path NSS could not read back is refused; the file unchanged', () => {
    const h = winProfiles(['plain']);
    const q = winProfile(h, 'plain');
    for (const bad of [`${OPENSC_DLL}\nname=evil`, 'opensc-pkcs11.dll', `"${OPENSC_DLL}"`, `C:\\${'x'.repeat(2100)}.dll`]) {
      expect(() => addToModuleList(q, 'win32', OUR_NAME, bad)).toThrow(ModuleListError);
    }
    expect(readFileSync(join(q, 'pkcs11.txt'), 'utf8')).toBe(WIN_INTERNAL);
    expect(libraryWritable(OPENSC_DLL, 'win32')).toBe(true);
    expect(libraryWritable('\\\\server\\share\\opensc-pkcs11.dll', 'win32')).toBe(true);
    expect(libraryWritable('/Library/OpenSC/lib/opensc-pkcs11.so', 'darwin')).toBe(true);
    expect(libraryWritable(OPENSC_DLL, 'darwin')).toBe(false);
  });

  it('a read-only pkcs11.txt is not rewritten', () => {
    const h = winProfiles(['ro']);
    const p = winProfile(h, 'ro');
    const file = join(p, 'pkcs11.txt');
    chmodSync(file, 0o444);
    expect(() => addToModuleList(p, 'win32', OUR_NAME, OPENSC_DLL)).toThrow(/read-only/);
    expect(readFileSync(file, 'utf8')).toBe(WIN_INTERNAL);
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });

  it('macOS: the same, with the .dmg’s library', () => {
    const dir = tempDir('cns-mac-');
    const ff = join(dir, 'Library', 'Application Support', 'Firefox');
    mkdirSync(join(ff, 'Profiles', 'm.default'), { recursive: true });
    writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=m\nIsRelative=1\nPath=Profiles/m.default\n');
    writeFileSync(join(ff, 'Profiles', 'm.default', 'pkcs11.txt'), WIN_INTERNAL);
    const lib = '/Library/OpenSC/lib/opensc-pkcs11.so';
    const r = browserReport({
      home: { home: dir, platform: 'darwin', env: {} },
      installed: [{ name: 'OpenSC', path: lib, source: 'known-path' }],
      exists: (p) => p === lib,
    });
    expect(r.store).toBeNull();
    const a = setupAction(r.databases[0]!, false);
    expect(a).toEqual({ kind: 'add', create: false, library: lib, method: 'pkcs11-txt' });
  });
});

describe('the pkcs11.txt text, the way NSS writes and deletes a stanza (utilmod.c)', () => {
  const other = 'library=/opt/x/libother.so\nname=Other\nNSS=trustOrder=50\n';
  it('delete drops the stanza and the blank line after it, nothing else; comments stay', () => {
    const text = `# kept\n${WIN_INTERNAL}library=/a.so\nname=${OUR_NAME}\n\n${other}\n`;
    expect(withoutModule(text, OUR_NAME)).toEqual({ text: `# kept\n${WIN_INTERNAL}${other}\n`, removed: 1 });
    // a module whose name only starts like ours is not ours
    const like = `${WIN_INTERNAL}library=/b.so\nname=${OUR_NAME} 2\n\n`;
    expect(withoutModule(like, OUR_NAME)).toEqual({ text: like, removed: 0 });
  });

  it('add puts one stanza at the end, after a blank line, in the file’s own line ends', () => {
    expect(withModule('library=\nname=NSS Internal PKCS #11 Module', OUR_NAME, '/x.so')).toBe(
      `library=\nname=NSS Internal PKCS #11 Module\n\nlibrary=/x.so\nname=${OUR_NAME}\n\n`,
    );
    expect(withModule('library=\r\nname=I\r\n', OUR_NAME, 'C:\\x.dll')).toBe(
      `library=\r\nname=I\r\n\r\nlibrary=C:\\x.dll\r\nname=${OUR_NAME}\r\n\r\n`,
    );
    expect(withModule(`${other}\nlibrary=/old.so\nname=${OUR_NAME}\n\n`, OUR_NAME, '/new.so')).toBe(
      `${other}\nlibrary=/new.so\nname=${OUR_NAME}\n\n`,
    );
  });
});

describe('Chrome and Edge on Windows: browser status', () => {
  const reg =
    (stdout: string, status = 0): RegRun =>
    () => ({ status, stdout });

  it('browser status on Windows carries it, and says what to install in both languages', () => {
    const h = winProfiles(['w.default']);
    const r = browserReport({
      home: h,
      installed: installedWin,
      exists: onlyDll,
      reg: reg(''),
      card: { atr: ST_2021_TS_CNS, middleware: 'bit4id xPKI' },
    });
    expect(r.store).toEqual({ state: 'not-registered', remedy: 'vendor' });
    const en = storeText(new Context({ lang: 'en' }, {}), r.store!, 'OpenSC / bit4id xPKI');
    expect(en.ok).toBe(false);
    // OpenSC ruled out for this generation: the maker's middleware only
    expect(en.text).toMatch(/Chrome and Edge cannot use it.*install the minidriver of the card's middleware \(bit4id xPKI\)/);
    const it_ = storeText(new Context({ lang: 'it' }, {}), { state: 'not-registered', remedy: 'opensc' }, undefined);
    expect(it_.text).toMatch(/Windows non conosce questa carta.*Installa OpenSC per Windows/);
    // the JSON of browser status on Windows: the profiles, the 32-bit module, the store, each state
    const x86: ModuleInfo[] = [{ name: 'OpenSC', path: OPENSC_DLL_X86, source: 'known-path', arch32: true }];
    winProfile(h, 'w.default');
    for (const run of [reg(''), reg(REG), reg('garbage'), noReg]) {
      for (const atr of [ST_2021_TS_CNS, ARUBA_CNS, undefined]) {
        const card = atr ? { atr, middleware: 'OpenSC / bit4id xPKI' } : undefined;
        const doc = statusDocument(browserReport({ home: h, installed: x86, exists: () => true, reg: run, card }), card);
        expect(schemaErrors('browser-status', { schemaVersion: SCHEMA_VERSION, ok: true, exitCode: 0, ...doc })).toEqual([]);
      }
    }
    // only for Chrome: not with --browser firefox, and never on Linux or macOS
    expect(browserReport({ home: h, installed: installedWin, reg: reg(''), browsers: ['firefox'] }).store).toBeNull();
  });
});
