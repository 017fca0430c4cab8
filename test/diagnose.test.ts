import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BrowserReport } from '../src/browser/browsers.js';
import { openCard } from '../src/device/open.js';
import type { ReaderState } from '../src/pcsc/client.js';
import { type DiagnoseEnvironment, type DiagnosisCheck, diagnose } from '../src/report/diagnose.js';
import { doctorTicket } from '../src/report/ticket.js';
import { type CreateOptions, createImage } from '../src/sim/create.js';
import { saveImage } from '../src/sim/image.js';
import { tempDir } from './helpers.js';

/**
 * The doctor's judgement as a library: codes, statuses and facts, no text. The card is the
 * in-process virtual one; the computer (PC/SC, modules, browsers) is a fake.
 */

async function image(o: CreateOptions = {}): Promise<string> {
  const path = join(tempDir('cns-diagnose-'), 'card.json');
  saveImage(path, (await createImage({ cardId: '5000000000000009', ...o })).image);
  return path;
}

const noBrowsers = async (): Promise<BrowserReport> => ({
  platform: 'linux',
  databases: [],
  family: null,
  module: null,
  nssTools: true,
  store: null,
});

const reader = (name: string, present = true): ReaderState => ({
  name,
  index: 0,
  present,
  mute: false,
  inUse: false,
  exclusive: false,
  atr: null,
});

/** A computer with a service, one reader holding the virtual card at `path`, and OpenSC. */
function computer(path: string, over: Partial<DiagnoseEnvironment> = {}): Partial<DiagnoseEnvironment> {
  return {
    loadPcsc: async () => ({ library: 'libpcsclite.so.1' }),
    pcscReaders: async () => [reader('Fake Reader 00 00')],
    modules: async () => [{ name: 'OpenSC', path: '/fake/opensc-pkcs11.so' }],
    readersToExamine: async () => ['Fake Reader 00 00'],
    openReader: () => openCard({ reader: `sim:${path}`, anyCard: true, env: process.env }),
    moduleSees: async () => ({ model: 'PKCS#15 emulated' }),
    browsers: noBrowsers,
    ...over,
  };
}

const byCode = (checks: DiagnosisCheck[], code: string): DiagnosisCheck => {
  const c = checks.find((x) => x.code === code);
  if (!c) throw new Error(`no ${code} check in ${checks.map((x) => x.code).join(' ')}`);
  return c;
};

/** No sentence anywhere: every string is a code, an id, a name, a date or a path. */
function noText(checks: DiagnosisCheck[]): void {
  for (const c of checks) {
    expect(c.code).toMatch(/^[A-Z0-9_]+$/);
    expect(c.finding).toMatch(/^[a-z-]+$/);
    if (c.advice) expect(c.advice).toMatch(/^[a-z0-9-]+$/);
    expect(Object.keys(c)).not.toContain('message');
  }
}

describe('diagnose: the doctor as a library', () => {
  it('a healthy virtual card: every check passes with its facts, nothing fails', async () => {
    const path = await image();
    const d = await diagnose({ reader: `sim:${path}`, environment: { modules: async () => [], browsers: noBrowsers } });
    noText(d.checks);
    expect(d.failed).toBeUndefined();
    expect(d.checks.map((c) => c.code).slice(0, 3)).toEqual(['NODE', 'PKCS11_MODULES', 'CARD_PRESENT']);
    expect(byCode(d.checks, 'NODE').facts).toMatchObject({ node: process.version, platform: process.platform });
    expect(byCode(d.checks, 'PKCS11_MODULES')).toMatchObject({ status: 'warn', finding: 'none', advice: 'install-pkcs11' });
    expect(byCode(d.checks, 'CARD_ID')).toMatchObject({ status: 'pass', finding: 'valid', facts: { id: '5000000000000009' } });
    expect(byCode(d.checks, 'PIN')).toMatchObject({ status: 'pass', finding: 'tries', facts: { what: 'PIN', triesLeft: 3 } });
    expect(byCode(d.checks, 'PUK')).toMatchObject({ status: 'pass', finding: 'tries', facts: { triesLeft: 10 } });
    const cert = byCode(d.checks, 'CERTIFICATE');
    expect(cert).toMatchObject({ status: 'pass', finding: 'valid' });
    expect(cert.facts.daysLeft).toBeGreaterThan(30);
    expect(byCode(d.checks, 'EXTENSION').finding).toMatch(/^(eligible|not-eligible)$/);
    expect(d.checks.filter((c) => c.reader !== undefined).every((c) => c.reader === `sim:${path}`)).toBe(true);
    expect(d.cards).toHaveLength(1);
    expect(d.cards[0]!.report?.card.id).toBe('5000000000000009');
  });

  it('a blocked PIN and an expired certificate: fail with their faults and advice', async () => {
    const path = await image({ pinTriesLeft: 0, notBefore: new Date('2015-01-01'), notAfter: new Date('2020-01-01') });
    const d = await diagnose({ reader: `sim:${path}`, environment: { modules: async () => [], browsers: noBrowsers } });
    noText(d.checks);
    expect(byCode(d.checks, 'PIN')).toMatchObject({ status: 'fail', finding: 'blocked', advice: 'unblock-pin', fault: 'BLOCKED' });
    expect(byCode(d.checks, 'CERTIFICATE')).toMatchObject({
      status: 'fail',
      finding: 'expired',
      advice: 'certificate-expired',
      fault: 'CERT',
      facts: { notAfter: '2020-01-01T00:00:00.000Z' },
    });
    // the first failure is the most fundamental: the PIN comes before the certificate
    expect(d.failed?.code).toBe('PIN');
  });

  it('with the PUK blocked too, the advice is a new card, not the PUK', async () => {
    const path = await image({ pinTriesLeft: 0, pukTriesLeft: 0 });
    const d = await diagnose({ reader: `sim:${path}`, environment: { modules: async () => [], browsers: noBrowsers } });
    expect(byCode(d.checks, 'PIN').advice).toBe('puk-blocked');
    expect(byCode(d.checks, 'PUK')).toMatchObject({ status: 'fail', finding: 'blocked', advice: 'puk-blocked' });
  });

  it('a missing card image: CARD_PRESENT fails with the error to describe and the advice to insert a card', async () => {
    const path = join(tempDir('cns-diagnose-'), 'none.json');
    const d = await diagnose({ reader: `sim:${path}`, environment: { modules: async () => [], browsers: noBrowsers } });
    const c = byCode(d.checks, 'CARD_PRESENT');
    expect(c).toMatchObject({ status: 'fail', finding: 'error', advice: 'insert-card' });
    expect(c.error).toBeInstanceOf(Error);
    expect(d.cards).toEqual([{ reader: `sim:${path}`, report: null }]);
  });

  it('a fake computer: the service, its readers, the middleware and whether it sees the card', async () => {
    const path = await image();
    const d = await diagnose({ environment: computer(path) });
    noText(d.checks);
    expect(d.failed).toBeUndefined();
    expect(d.checks.slice(0, 5).map((c) => [c.code, c.status])).toEqual([
      ['NODE', 'pass'],
      ['PCSC_BINDING', 'pass'],
      ['PCSCD', 'pass'],
      ['READERS', 'pass'],
      ['PKCS11_MODULES', 'pass'],
    ]);
    expect(byCode(d.checks, 'PCSC_BINDING').facts).toEqual({ library: 'libpcsclite.so.1' });
    expect(byCode(d.checks, 'READERS').readers).toEqual([{ index: 0, name: 'Fake Reader 00 00', present: true, pinpad: null }]);
    expect(byCode(d.checks, 'MIDDLEWARE')).toMatchObject({ status: 'pass', finding: 'installed', facts: { name: 'OpenSC' } });
    expect(byCode(d.checks, 'MIDDLEWARE_SEES_CARD')).toMatchObject({
      status: 'pass',
      finding: 'sees',
      reader: 'Fake Reader 00 00',
      facts: { module: '/fake/opensc-pkcs11.so', model: 'PKCS#15 emulated' },
    });
    expect(d.cards[0]).toMatchObject({ reader: 'Fake Reader 00 00', module: '/fake/opensc-pkcs11.so' });
  });

  it('no PC/SC library, no service, no reader, no card: each fails with its fault', async () => {
    const path = await image();
    const missing = await diagnose({
      environment: computer(path, {
        loadPcsc: async () => {
          throw new Error('libpcsclite.so.1: cannot open shared object file');
        },
      }),
    });
    expect(byCode(missing.checks, 'PCSC_BINDING')).toMatchObject({ status: 'fail', advice: 'install-pcsc', fault: 'NO_SERVICE' });
    expect(missing.checks.some((c) => c.code === 'PCSCD')).toBe(false);

    const down = await diagnose({
      environment: computer(path, {
        pcscReaders: async () => {
          throw new Error('no service');
        },
      }),
    });
    expect(byCode(down.checks, 'PCSCD')).toMatchObject({ status: 'fail', advice: 'start-pcsc', fault: 'NO_SERVICE' });

    const none = await diagnose({ environment: computer(path, { pcscReaders: async () => [] }) });
    expect(byCode(none.checks, 'READERS')).toMatchObject({
      status: 'fail',
      finding: 'none',
      advice: 'connect-reader',
      fault: 'NO_SERVICE',
    });

    const empty = await diagnose({ environment: computer(path, { readersToExamine: async () => [] }) });
    expect(byCode(empty.checks, 'CARD_PRESENT')).toMatchObject({
      status: 'fail',
      finding: 'none',
      advice: 'insert-card',
      fault: 'NO_CARD',
    });
    expect(empty.failed?.code).toBe('CARD_PRESENT');
  });

  it('a module that does not see the card, and browsers to judge', async () => {
    const path = await image();
    const db = {
      db: { browser: 'firefox', running: true, exists: true, platform: 'linux', path: '/home/x/.mozilla/firefox/p', profile: 'p' },
      need: { family: 'OpenSC', library: '/fake/opensc-pkcs11.so' },
      assessment: { state: 'missing', entries: [] },
      seesCard: null,
      nickname: null,
    } as unknown as BrowserReport['databases'][number];
    const d = await diagnose({
      environment: computer(path, {
        moduleSees: async () => ({ tokenError: 'CKR_TOKEN_NOT_RECOGNIZED' }),
        browsers: async () => ({ ...(await noBrowsers()), databases: [db], nssTools: false }),
      }),
    });
    expect(byCode(d.checks, 'MIDDLEWARE_SEES_CARD')).toMatchObject({
      status: 'warn',
      finding: 'blind',
      advice: 'middleware',
      facts: { tokenError: 'CKR_TOKEN_NOT_RECOGNIZED' },
    });
    expect(byCode(d.checks, 'BROWSER')).toMatchObject({ status: 'warn', finding: 'missing', advice: 'browser', facts: { running: true } });
    expect(byCode(d.checks, 'NSS_TOOLS')).toMatchObject({ status: 'warn', advice: 'nss-tools' });
  });

  it('the ticket: ids hashed with --redact-ids, the holder only as a salted hash, home as ~', async () => {
    const path = await image({ surname: 'VERDI', givenName: 'GIUSEPPE' });
    const d = await diagnose({ reader: `sim:${path}`, environment: { modules: async () => [], browsers: noBrowsers } });
    const checks = d.checks.map((c) => ({ code: c.code, status: c.status, message: `${c.code} VERDI /home/someone/x ${c.reader ?? ''}` }));
    const text = doctorTicket(d, {
      checks,
      exitCode: 0,
      tool: { name: 'cns', version: 't' },
      salt: 's',
      redactIds: true,
      home: '/home/someone',
    });
    const t = JSON.parse(text);
    expect(t).toMatchObject({ schemaVersion: 1, kind: 'cns-doctor-report', exitCode: 0, redactedIds: true });
    expect(t.cards[0].cardId).toMatch(/^[0-9a-f]{64}$/);
    expect(t.cards[0].holderHash).toMatch(/^[0-9a-f]{64}$/);
    expect(text).not.toContain('5000000000000009');
    expect(text).not.toMatch(/VERDI/i);
    expect(text).toContain('~/x');
    // the same card and salt: the same hashes
    const again = JSON.parse(
      doctorTicket(d, { checks, exitCode: 0, tool: { name: 'cns', version: 't' }, salt: 's', redactIds: true, home: '/' }),
    );
    expect(again.cards[0].holderHash).toBe(t.cards[0].holderHash);
    // what was redacted is the holder's, as the report read it
    expect(d.cards[0]!.report?.holder?.surname).toBe('VERDI');
  });
});
