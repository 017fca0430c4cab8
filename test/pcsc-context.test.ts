import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../src/cli/context.js';
import { setMessagePlatform } from '../src/cli/i18n.js';
import { describeError } from '../src/cli/render.js';
import { PcscClient } from '../src/pcsc/client.js';
import { pcscPlatform } from '../src/pcsc/platform.js';
import { PcscUnavailableError, type Winscard } from '../src/pcsc/winscard.js';

/** A PC/SC library whose SCardEstablishContext answers `rv`; anything else it is asked is a test failure. */
function library(rv: number | 'stuck'): Winscard {
  const never = (): never => {
    throw new Error('nothing but SCardEstablishContext may be called without a context');
  };
  return {
    platform: pcscPlatform('win32', 'x64')!,
    establishContext: () => (rv === 'stuck' ? never() : { rv, context: 0 }),
    establishContextWithin: async () => (rv === 'stuck' ? 'stuck' : { rv, context: 0 }),
    interrupt: never,
    releaseContext: never,
    listReaders: never,
    getStatusChange: never,
    getStatusChangeNow: never,
    cancel: never,
    connect: never,
    beginTransaction: never,
    endTransaction: never,
    transmit: never,
    disconnect: never,
    control: never,
  };
}

/** Issue 25 item 2: with no context there is no service, whatever code says so. */
describe('no context with the PC/SC service', () => {
  afterEach(() => setMessagePlatform(process.platform));

  it.each([
    ['SCARD_E_NO_SERVICE (pcsc-lite, a stopped Smart Card service)', 0x8010001d],
    ['SCARD_E_SERVICE_STOPPED', 0x8010001e],
    ['SCARD_F_INTERNAL_ERROR (winscard.dll that reaches no service)', 0x80100001],
    ['SCARD_E_NO_MEMORY', 0x80100006],
    ['SCARD_E_NO_READERS_AVAILABLE (never a reader problem here)', 0x8010002e],
  ])('%s: the service is down, said as such', async (_name, rv) => {
    const e = await PcscClient.open(library(rv)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PcscUnavailableError);
    expect((e as PcscUnavailableError).reason).toBe('service-down');
    expect((e as Error).message).toContain(`SCardEstablishContext error`);
    expect((e as Error).message).toContain(`0x${rv.toString(16)}`);
  });

  it('on Windows the citizen reads the Smart Card service and its remedy, in both languages; never "the card answered an error"', async () => {
    setMessagePlatform('win32');
    const e = await PcscClient.open(library(0x80100001)).catch((x: unknown) => x);
    const en = describeError(new Context({ lang: 'en' }, {}), e);
    expect(en.error.code).toBe('PCSC_UNAVAILABLE');
    expect(en.text).toMatch(/Windows smart-card service \("Smart Card"\) is not available/);
    expect(en.text).not.toMatch(/card answered/i);
    expect(String(en.error.extra.hint)).toMatch(/sc start SCardSvr/);
    const it_ = describeError(new Context({ lang: 'it' }, {}), e);
    expect(it_.text).toMatch(/servizio smart card di Windows/);
  });

  it('a service that never answers is stuck, not down', async () => {
    const e = await PcscClient.open(library('stuck')).catch((x: unknown) => x);
    expect((e as PcscUnavailableError).reason).toBe('stuck');
  });
});
