import { afterEach, describe, expect, it } from 'vitest';
import { catalogueEntries, catalogueTables, message, PLATFORM_VARIANTS, setMessagePlatform, VARIANT_KEYS } from '../src/cli/i18n.js';

/** Words that only a Linux user can act on. */
const LINUX_ONLY = /apt-get|systemctl|\bsudo\b|pcscd|libpcsclite|Fedora|without systemd|senza systemd/;
const VARIANT = /_(win32|darwin)$/;
/** Said only where they apply: the vpcd virtual reader (a pcscd driver) and root's sudo (Unix). */
const UNIX_ONLY = new Set(['h_simAttach', 'sa_unreachable', 'brRootOtherHome']);

/** Issue 25 item 2 and 4: every remedy is the one of the system cns runs on. */
describe('remedies per platform', () => {
  afterEach(() => setMessagePlatform(process.platform));

  it.each(PLATFORM_VARIANTS)('%s: no message tells the user to run a Linux command or start pcscd', (platform) => {
    setMessagePlatform(platform);
    const leaks: string[] = [];
    for (const [key] of catalogueEntries()) {
      if (VARIANT.test(key) || UNIX_ONLY.has(key)) continue;
      for (const lang of ['en', 'it'] as const) {
        const text = message(lang, key);
        if (LINUX_ONLY.test(text)) leaks.push(`${key} (${lang}): ${text}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('Linux keeps its own: pcscd, systemctl and apt-get', () => {
    setMessagePlatform('linux');
    expect(message('en', 'pcscStart')).toContain('sudo systemctl enable --now pcscd.socket');
    expect(message('it', 'noPkcs11Module')).toContain('sudo apt-get install opensc-pkcs11');
  });

  it("Windows names its service and OpenSC's installer; macOS its own", () => {
    setMessagePlatform('win32');
    expect(message('en', 'pcscStart')).toMatch(/"Smart Card" service.*sc start SCardSvr/);
    expect(message('it', 'pcscRestart')).toMatch(/net stop SCardSvr/);
    expect(message('en', 'advMIDDLEWARE')).toMatch(/OpenSC for Windows: the \.msi/);
    expect(message('en', 'PCSC_UNAVAILABLE', { detail: 'x' })).toMatch(/Windows smart-card service/);
    setMessagePlatform('darwin');
    expect(message('en', 'noPkcs11Module')).toMatch(/brew install opensc-app/);
    expect(message('it', 'pcscStart')).toMatch(/macOS/);
  });

  it('every variant has its base entry, and uses the same {placeholders}', () => {
    const entries = new Map(catalogueEntries());
    for (const [key, v] of entries) {
      if (!VARIANT.test(key)) continue;
      const base = entries.get(key.replace(VARIANT, '') as never);
      expect(base, `${key} has no base entry`).toBeDefined();
      for (const lang of ['en', 'it'] as const) {
        const ph = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(ph(v[lang]), key).toEqual(ph(base![lang]));
      }
    }
  });
});

/**
 * Only the keys listed in VARIANT_KEYS are asked for a Windows, macOS or guided wording (the others
 * would build every message table to find nothing): the lists must be exactly the keys that have one.
 */
describe('keys with a wording of their own', () => {
  it('are listed, each of them and only them, for Windows, macOS and guided mode', () => {
    const keys = catalogueEntries().map(([k]) => k as string);
    const all = new Set(keys);
    for (const suffix of ['win32', 'darwin', 'G'] as const) {
      const having = keys.filter((k) => k.endsWith(`_${suffix}`)).map((k) => k.slice(0, -suffix.length - 1));
      expect([...VARIANT_KEYS[suffix]].sort(), suffix).toEqual([...new Set(having)].sort());
      for (const k of VARIANT_KEYS[suffix]) expect(all.has(k), `${k} (${suffix})`).toBe(true);
    }
  });

  it("the card commands' table (looked up first) shares no key with the others", () => {
    // a key also written in a later table would be shadowed there, without a word: one wording each
    const [card, ...others] = catalogueTables();
    expect(card!.length).toBeGreaterThan(50);
    const rest = new Set(others.flat());
    expect(card!.filter((k) => rest.has(k))).toEqual([]);
  });

  it('on Windows a key with no variant of its own gives its own text, one with a variant the variant', () => {
    setMessagePlatform('win32');
    try {
      expect(message('en', 'pcscStart')).not.toContain('systemctl');
      expect(message('en', 'pcscStart')).toBe(message('en', 'pcscStart_win32' as 'pcscStart'));
      expect(message('en', 'lCard')).toBe('Card');
    } finally {
      setMessagePlatform(process.platform);
    }
  });
});
