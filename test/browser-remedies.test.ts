import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserReport } from '../src/browser/browsers.js';
import type { RegRun } from '../src/browser/minidriver.js';
import { databaseText } from '../src/cli/browserText.js';
import { Context } from '../src/cli/context.js';
import { message, setMessagePlatform } from '../src/cli/i18n.js';
import { tempDir } from './helpers.js';

/** Issue 25 item 4: the browser's remedies are the ones of the system cns runs on (KEY_win32, KEY_darwin). */

const noReg: RegRun = () => ({ status: null, stdout: '', error: Object.assign(new Error('spawn'), { code: 'ENOENT' }) });

describe('remedies per system: the browser’s own', () => {
  afterEach(() => setMessagePlatform(process.platform));
  const keys = ['NSS_TOOLS_MISSING', 'brCannot_not-installed', 'brNoModule', 'brNssTools'] as const;

  it('Windows and macOS never say apt-get or sudo; each names its own installer', () => {
    for (const [platform, own] of [
      ['win32', /OpenSC-…_win64\.msi|Windows/],
      ['darwin', /brew install|\.dmg/],
    ] as const) {
      setMessagePlatform(platform);
      for (const k of keys)
        for (const lang of ['en', 'it'] as const) {
          const text = message(lang, k);
          expect(text, `${platform} ${k} ${lang}`).not.toMatch(/apt-get|sudo|libnss3-tools|Fedora/);
          expect(text, `${platform} ${k} ${lang}`).toMatch(own);
        }
    }
    setMessagePlatform('linux');
    expect(message('en', 'brNoModule')).toMatch(/sudo apt-get install opensc-pkcs11/);
  });

  it('a Windows profile with no middleware installed: OpenSC for Windows, in both languages', () => {
    const dir = tempDir('cns-win-');
    const appData = join(dir, 'AppData', 'Roaming');
    const ff = join(appData, 'Mozilla', 'Firefox');
    mkdirSync(join(ff, 'Profiles', 'w'), { recursive: true });
    writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\r\nName=w\r\nIsRelative=1\r\nPath=Profiles/w\r\n');
    writeFileSync(join(ff, 'Profiles', 'w', 'pkcs11.txt'), 'library=\nname=NSS Internal PKCS #11 Module\n\n');
    const r = browserReport({
      home: { home: dir, platform: 'win32', env: { APPDATA: appData } },
      installed: [],
      exists: () => false,
      reg: noReg,
    });
    setMessagePlatform('win32');
    for (const lang of ['en', 'it'] as const) {
      const text = databaseText(new Context({ lang }, {}), r.databases[0]!);
      expect(text).not.toMatch(/apt-get|sudo/);
      expect(text).toMatch(/OpenSC-…_win64\.msi/);
    }
  });

  it('Windows: no login test offered after setup, none promised; the no-profile line points to Chrome and Edge', () => {
    setMessagePlatform('win32');
    expect(message('en', 'brSetupDone')).not.toMatch(/browser test/);
    expect(message('it', 'brNone')).toMatch(/Chrome ed Edge usano l'archivio certificati di Windows/);
  });

  it('browser test on Windows says plainly that no login can be proved there, and why', () => {
    setMessagePlatform('win32');
    expect(message('en', 'BROWSER_TEST_UNAVAILABLE')).toMatch(/cannot be proved on Windows.*tstclnt.*does not exist for Windows/);
    expect(message('it', 'BROWSER_TEST_UNAVAILABLE')).toMatch(/Su Windows non si può provare un accesso vero/);
  });
});
