import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CnsError, changePin, openCard, readReport, type SecretAuth, unblockPin, verifyPin, withCard } from '../src/api/index.js';
import { createImage } from '../src/sim/create.js';
import { type CardImage, loadImage, saveImage } from '../src/sim/image.js';
import { tempDir } from './helpers.js';

/** Issue 26: the library an integrator imports, on the in-process virtual card (PIN 12345, PUK 12345678). */
let base: CardImage;
beforeAll(async () => {
  base = (await createImage({ cardId: '5000000000000009' })).image;
});

function card(pinTries = 3, pukTries = 10): string {
  const path = join(tempDir('cns-api-'), 'card.json');
  const image = JSON.parse(JSON.stringify(base)) as CardImage;
  image.pin.triesLeft = pinTries;
  image.puk.triesLeft = pukTries;
  saveImage(path, image);
  return `sim:${path}`;
}

const counters = (reader: string) => {
  const i = loadImage(reader.slice(4));
  return { pin: i.pin.triesLeft, puk: i.puk.triesLeft, value: i.pin.value };
};

/** A caller that records what it was asked, in order. */
function recorder(secrets: Record<string, string>, consent = false) {
  const asked: string[] = [];
  const auth = {
    onTries: (t: { triesLeft: number | null }, kind: string) => asked.push(`tries ${kind} ${t.triesLeft}`),
    lastAttempt: async () => {
      asked.push('last?');
      return consent;
    },
    ...Object.fromEntries(
      Object.entries(secrets).map(([k, v]) => [
        k,
        async () => {
          asked.push(k);
          return v;
        },
      ]),
    ),
  } as unknown as SecretAuth & Record<string, () => Promise<string>>;
  return { asked, auth };
}

const caught = async (p: Promise<unknown>): Promise<CnsError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CnsError);
  return e as CnsError;
};

describe('the public API: PIN operations keep the CLI rules', () => {
  it('verify: tries shown before the PIN is asked; right PIN, counters as before', async () => {
    const reader = card();
    const { asked, auth } = recorder({ pin: '12345' });
    const out = await withCard({ reader }, (c) => verifyPin(c, auth as never));
    expect(asked).toEqual(['tries pin 3', 'pin']);
    // a verified PIN: the card answers 9000 to the empty VERIFY, so it says verified, not a count
    expect(out.pin).toMatchObject({ verified: true, blocked: false });
    expect(counters(reader).pin).toBe(3);
  });

  it('a wrong PIN is sent once and counted once: PIN_INCORRECT with the tries left', async () => {
    const reader = card();
    const { auth } = recorder({ pin: '99999' });
    const e = await caught(withCard({ reader }, (c) => verifyPin(c, auth as never)));
    expect(e.code).toBe('PIN_INCORRECT');
    expect(e.facts.triesLeft).toBe(2);
    expect(counters(reader).pin).toBe(2);
  });

  it('a PIN of the wrong shape never reaches the card', async () => {
    const reader = card();
    for (const bad of ['1234', '123456789', '12a45', ' 12345']) {
      const { auth } = recorder({ pin: bad });
      const e = await caught(withCard({ reader }, (c) => verifyPin(c, auth as never)));
      expect(e.code).toBe('INVALID_PIN_FORMAT');
    }
    expect(counters(reader).pin).toBe(3);
  });

  it('one try left: without consent nothing is asked nor sent (LAST_ATTEMPT_REFUSED); with it, the try goes', async () => {
    const reader = card(1);
    const refused = recorder({ pin: '12345' });
    const e = await caught(withCard({ reader }, (c) => verifyPin(c, refused.auth as never)));
    expect(e.code).toBe('LAST_ATTEMPT_REFUSED');
    expect(refused.asked).toEqual(['tries pin 1', 'last?']);
    // no lastAttempt callback at all: refused as well
    const bare = { pin: async () => '12345' };
    expect((await caught(withCard({ reader }, (c) => verifyPin(c, bare)))).code).toBe('LAST_ATTEMPT_REFUSED');
    expect(counters(reader).pin).toBe(1);
    const agreed = recorder({ pin: '12345' }, true);
    await withCard({ reader }, (c) => verifyPin(c, agreed.auth as never));
    expect(agreed.asked).toEqual(['tries pin 1', 'last?', 'pin']);
    expect(counters(reader).pin).toBe(3);
  });

  it('a blocked PIN stops before anything is asked: PIN_BLOCKED; unblock with the PUK, then change', async () => {
    const reader = card(0);
    const v = recorder({ pin: '12345' });
    const e = await caught(withCard({ reader }, (c) => verifyPin(c, v.auth as never)));
    expect(e.code).toBe('PIN_BLOCKED');
    expect(v.asked).toEqual([]);
    const u = recorder({ puk: '12345678', newPin: '48213' });
    const out = await withCard({ reader }, (c) => unblockPin(c, u.auth as never));
    expect(u.asked).toEqual(['tries puk 10', 'puk', 'newPin']);
    expect(out.pin).toMatchObject({ triesLeft: 3 });
    expect(counters(reader)).toMatchObject({ pin: 3, value: '48213' });
    const ch = recorder({ currentPin: '48213', newPin: '13579' });
    await withCard({ reader }, (c) => changePin(c, ch.auth as never));
    expect(counters(reader).value).toBe('13579');
  });

  it('errors of the way to the card carry the CLI codes: a missing image is NO_CARD', async () => {
    const e = await caught(openCard({ reader: `sim:${join(tempDir('cns-api-'), 'none.json')}` }));
    expect(e.code).toBe('NO_CARD');
  });

  it('readReport: what status --json says, no PIN spent', async () => {
    const reader = card();
    const r = await withCard({ reader }, (c) => readReport(c, { now: new Date() }));
    expect(r).toMatchObject({ pin: { triesLeft: 3 }, puk: { triesLeft: 10 } });
    expect(JSON.stringify(r)).toContain('5000000000000009');
    expect(counters(reader).pin).toBe(3);
  });
});

describe("cns/testing: the virtual card for integrators' own tests", () => {
  it('createCardImage writes a card that openCard reaches in-process, with its own PIN, holder and counters', async () => {
    const { createCardImage } = await import('../src/api/testing.js');
    const path = join(tempDir('cns-testing-'), 'card.json');
    const made = await createCardImage(path, { pin: '54321', surname: 'VERDI', givenName: 'ANNA', cardId: '5000000000000017' });
    expect(made).toMatchObject({ path, cardId: '5000000000000017', atr: expect.stringMatching(/^3B[0-9A-F]+$/) });
    expect(made.certificate[0]).toBe(0x30);
    const report = await withCard({ reader: `sim:${path}` }, (c) => readReport(c));
    expect(report.holder).toMatchObject({ surname: 'VERDI', givenName: 'ANNA' });
    expect(report.card.id).toBe('5000000000000017');
    const wrong = await withCard({ reader: `sim:${path}` }, (c) => verifyPin(c, { pin: async () => '12345' })).catch((e) => e);
    expect(wrong).toBeInstanceOf(CnsError);
    expect(wrong).toMatchObject({ code: 'PIN_INCORRECT', facts: { triesLeft: 2 } });
    const ok = await withCard({ reader: `sim:${path}` }, (c) => verifyPin(c, { pin: async () => '54321' }));
    expect(ok.pin).toMatchObject({ verified: true, blocked: false });
    expect(loadImage(path).pin.triesLeft).toBe(3);
  });

  it('an option the card cannot have is INVALID_INPUT, naming it; nothing is written', async () => {
    const { createCardImage } = await import('../src/api/testing.js');
    const path = join(tempDir('cns-testing-'), 'card.json');
    const e = await createCardImage(path, { pin: '12a45' }).catch((x) => x);
    expect(e).toBeInstanceOf(CnsError);
    expect(e).toMatchObject({ code: 'INVALID_INPUT', facts: { what: 'pin' } });
    expect(existsSync(path)).toBe(false);
  });
});

describe('the rules hold for every caller (a new-integrator trial, issue 26)', () => {
  it('a new PIN equal to the current one, or easy to guess, is refused before the card sees it; allowWeak lets a weak one through', async () => {
    const reader = card();
    const same = await withCard({ reader }, (c) => changePin(c, { currentPin: async () => '12345', newPin: async () => '12345' })).catch(
      (e) => e,
    );
    expect(same).toMatchObject({ code: 'INVALID_INPUT', facts: { what: 'newPin', reason: 'same-pin' } });
    const weak = await withCard({ reader }, (c) => changePin(c, { currentPin: async () => '12345', newPin: async () => '11111' })).catch(
      (e) => e,
    );
    expect(weak).toMatchObject({ code: 'WEAK_PIN', facts: { why: 'repeated' } });
    expect(counters(reader)).toEqual({ pin: 3, puk: 10, value: '12345' });
    await withCard({ reader }, (c) => changePin(c, { currentPin: async () => '12345', newPin: async () => '11111', allowWeak: true }));
    expect(counters(reader).value).toBe('11111');
  });

  it('no callbacks, or a callback that hands over no string: coded errors, nothing sent', async () => {
    const reader = card();
    const none = await withCard({ reader }, (c) => verifyPin(c)).catch((e) => e);
    expect(none).toMatchObject({ code: 'NO_SECRET_SOURCE' });
    const noPuk = await withCard({ reader }, (c) => unblockPin(c, {} as Parameters<typeof unblockPin>[1])).catch((e) => e);
    expect(noPuk).toMatchObject({ code: 'NO_SECRET_SOURCE', facts: { kind: 'puk' } });
    const number = await withCard({ reader }, (c) => verifyPin(c, { pin: async () => 12345 as unknown as string })).catch((e) => e);
    expect(number).toMatchObject({ code: 'INVALID_PIN_FORMAT' });
    expect(number.facts.secretCommand).toBeUndefined();
    expect(counters(reader)).toEqual({ pin: 3, puk: 10, value: '12345' });
  });

  it('createCardImage: options a card cannot have are INVALID_INPUT naming the option; an unwritable place is IO_ERROR', async () => {
    const { createCardImage } = await import('../src/api/testing.js');
    const dir = tempDir('cns-testing-');
    const cases: [Parameters<typeof createCardImage>[1], string][] = [
      [{ surname: "D'ANNUNZIO ÀÈ" }, 'surname'],
      [{ keySize: 512 as 1024 }, 'keySize'],
      [{ notAfter: '2020-01-01' as unknown as Date }, 'notAfter'],
      [{ cardId: '123' }, 'cardId'],
    ];
    for (const [o, what] of cases) {
      const e = await createCardImage(join(dir, 'card.json'), o).catch((x) => x);
      expect(e, what).toMatchObject({ code: 'INVALID_INPUT', facts: { what } });
      expect(Object.values(e.facts).join(' ')).not.toMatch(/ must | should /); // ids, not sentences
    }
    expect(existsSync(join(dir, 'card.json'))).toBe(false);
    const io = await createCardImage(join(dir, 'no', 'such', 'card.json')).catch((x) => x);
    expect(io).toMatchObject({ code: 'IO_ERROR', facts: { op: 'write' } });
  });
});
