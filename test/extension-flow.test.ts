import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../src/apdu/bytes.js';
import { ApduTransportError } from '../src/apdu/response.js';
import type { Card, SecretKind, TriesState } from '../src/card/card.js';
import { WrongSecretError } from '../src/card/errors.js';
import { CnsSession } from '../src/card/session.js';
import { fromPem } from '../src/cert/pem.js';
import { type ParsedCertificate, parseCertificate } from '../src/cert/x509.js';
import { EXTENDED_NOT_AFTER } from '../src/extension/constants.js';
import { ExtensionError, WriteInterruptedError } from '../src/extension/errors.js';
import {
  type ExtensionProgress,
  type ExtensionService,
  extendCertificate,
  restoreCertificate,
  resumeExtension,
  type WriteAuth,
} from '../src/extension/flow.js';
import { journalDir, loadJournal } from '../src/extension/journal.js';
import { extend as serviceExtend } from '../src/extension/service.js';
import { collectReport, eligibilityFromReport } from '../src/report/report.js';
import { VirtualCard } from '../src/sim/card.js';
import { createImage, defaultCa } from '../src/sim/create.js';
import type { CardImage } from '../src/sim/image.js';
import { CnsError } from '../src/util/codes.js';
import { tempDir } from './helpers.js';

/**
 * The extension flow as a library: driven on the in-process virtual card, with the reference
 * service in-process, no CLI. Every call the flow makes to the person is recorded.
 */

const AT = new Date('2023-11-15T12:00:00Z');
const PIN = '12345';
const PUK = '12345678';
let base: CardImage;
let ca: { cert: Buffer; key: ReturnType<typeof createPrivateKey> };

beforeAll(async () => {
  base = (
    await createImage({
      cardId: '5000000000000009',
      notBefore: new Date('2018-01-01T00:00:00Z'),
      notAfter: new Date('2023-12-30T12:00:00Z'),
    })
  ).image;
  const d = defaultCa();
  ca = { cert: fromPem(d.cert), key: createPrivateKey(d.key) };
});

/** A card in a reader: the chip keeps its image across insertions; each insertion a fresh security state. */
class Reader {
  image: CardImage;
  log: string[] = [];
  /** The card leaves before the N+1-th UPDATE BINARY of the next insertion. */
  leaveAfterWrites?: number;

  constructor(image: CardImage = base) {
    this.image = structuredClone(image);
  }

  insert(): Card {
    const chip = new VirtualCard(this.image, (img) => (this.image = structuredClone(img)));
    let writes = 0;
    const leave = this.leaveAfterWrites;
    this.leaveAfterWrites = undefined;
    return new CnsSession({
      name: 'test',
      atr: () => chip.atr,
      transmit: async (b) => {
        if (b[1] === 0xd6 && leave !== undefined && writes++ >= leave)
          throw new ApduTransportError('the card left', 'removed', { id: 'tRemoved' }, true);
        this.log.push(toHex(b));
        return chip.transmit(b);
      },
      close: async () => {},
    });
  }

  /** EF 1101 as it is. */
  ef(): Buffer {
    return Buffer.from(this.image.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
  }

  certificate(): Buffer {
    const ef = this.ef();
    return ef.subarray(0, 4 + ef.readUInt16BE(2));
  }

  /** VERIFY commands that carried a secret (the tries probes carry none). */
  sent(kind: SecretKind): number {
    const ref = kind === 'pin' ? '90' : '91';
    return this.log.filter((l) => l.startsWith(`00 20 00 ${ref} `)).length;
  }
}

/** The reference service, in-process, with its own clock. */
function service(now = AT): ExtensionService & { calls: number } {
  const s = {
    url: 'memory:',
    calls: 0,
    extend: async (request: { csr: string; certificate: string }, onAttempt?: (n: number) => void) => {
      s.calls++;
      onAttempt?.(1);
      return serviceExtend(request, { caCert: ca.cert, caKey: ca.key, revoked: new Set(), now: () => now });
    },
  };
  return s;
}

/** The person: gives the secrets, consents to a last try only if told to; every call recorded. */
function person(o: { pin?: string; puk?: string; consent?: boolean } = {}) {
  const calls: string[] = [];
  const tries: [SecretKind, TriesState][] = [];
  const auth: WriteAuth = {
    ready: async (kinds) => void calls.push(`ready:${kinds.join(',')}`),
    onTries: (t, kind) => {
      tries.push([kind, t]);
      calls.push(`tries:${kind}`);
    },
    lastAttempt: async (_t, kind) => {
      calls.push(`last:${kind}`);
      return o.consent === true;
    },
    secret: async (kind) => {
      calls.push(`secret:${kind}`);
      return kind === 'pin' ? (o.pin ?? PIN) : (o.puk ?? PUK);
    },
  };
  return { auth, calls, tries };
}

async function eligibilityOf(card: Card, state: string) {
  let certificate: ParsedCertificate | null = null;
  const report = await collectReport(card, { now: AT, warnDays: 30, stateDir: state, onCertificate: (c) => (certificate = c) });
  return { eligibility: eligibilityFromReport(report, AT), certificate, cardId: report.card.id };
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('extension flow (library, in-process virtual card)', () => {
  it('extends: PIN, service, backup and journal, PUK, write, read back; each secret sent once, after its tries', async () => {
    const reader = new Reader();
    const old = reader.certificate();
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const who = person();
    const steps: ExtensionProgress['step'][] = [];
    const plans: string[] = [];
    const r = await extendCertificate(card, {
      ...(await eligibilityOf(card, state)),
      stateDir: state,
      service: service(),
      auth: who.auth,
      confirm: async (plan) => {
        plans.push(plan.current.serialNumber);
        // nothing is sent before the last word
        expect(reader.sent('pin') + reader.sent('puk')).toBe(0);
        return true;
      },
      onProgress: (p) => steps.push(p.step),
    });
    expect(who.calls).toEqual(['ready:pin,puk', 'tries:pin', 'secret:pin', 'tries:puk', 'secret:puk']);
    expect(who.tries.map(([k, t]) => [k, t.triesLeft])).toEqual([
      ['pin', 3],
      ['puk', 10],
    ]);
    expect(reader.sent('pin')).toBe(1);
    expect(reader.sent('puk')).toBe(1);
    expect(plans).toEqual([parseCertificate(old).serialNumber]);
    expect(steps[0]).toBe('contacting');
    expect(steps).toContain('writing');
    expect(steps.at(-1)).toBe('verifying');

    const now = reader.certificate();
    const p = parseCertificate(now);
    expect(p.notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    expect(p.spki.equals(parseCertificate(old).spki)).toBe(true);
    expect(
      reader
        .ef()
        .subarray(now.length)
        .every((b) => b === 0),
    ).toBe(true);
    expect(r).toMatchObject({ cardId: '5000000000000009', new: { serialNumber: p.serialNumber, notAfter: EXTENDED_NOT_AFTER } });
    expect(readFileSync(r.backup).equals(old)).toBe(true);
    expect(r.journal).toBe(journalDir(state, '5000000000000009'));
    expect(loadJournal(state, '5000000000000009')?.state).toBe('done');
  });

  it('interrupted mid-write: WriteInterruptedError with the journal; resumeExtension re-reads the card and finishes', async () => {
    const reader = new Reader();
    const state = tempDir('cns-flow-');
    let card = reader.insert();
    const facts = await eligibilityOf(card, state);
    reader.leaveAfterWrites = 3;
    card = reader.insert();
    const e = await caught(extendCertificate(card, { ...facts, stateDir: state, service: service(), auth: person().auth }));
    expect(e).toBeInstanceOf(WriteInterruptedError);
    expect((e as WriteInterruptedError).journal).toBe(journalDir(state, '5000000000000009'));
    expect((e as WriteInterruptedError).cause).toBeInstanceOf(ApduTransportError);
    expect(loadJournal(state, '5000000000000009')?.state).toBe('writing');
    // half written: the header zeroed, nothing a reader takes for a certificate
    expect(
      reader
        .ef()
        .subarray(0, 4)
        .every((b) => b === 0),
    ).toBe(true);

    // an extension now refuses: a write is pending
    const again = await caught(extendCertificate(reader.insert(), { ...facts, stateDir: state, service: service(), auth: person().auth }));
    expect(again).toMatchObject({ code: 'EXTENSION_PENDING' });

    reader.log = [];
    const who = person();
    const r = await resumeExtension(reader.insert(), { stateDir: state, auth: who.auth });
    expect(r.outcome).toBe('written');
    expect(who.calls).toEqual(['ready:puk', 'tries:puk', 'secret:puk']);
    expect(reader.sent('puk')).toBe(1);
    // the card was read before anything was decided
    expect(reader.log.findIndex((l) => l.startsWith('00 B0'))).toBeLessThan(reader.log.findIndex((l) => l.startsWith('00 20')));
    const der = reader.certificate();
    expect(parseCertificate(der).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
    expect(r.new.serialNumber).toBe(parseCertificate(der).serialNumber);
    expect(
      reader
        .ef()
        .subarray(der.length)
        .every((b) => b === 0),
    ).toBe(true);
    expect(loadJournal(state, '5000000000000009')?.state).toBe('done');

    // done: a second resume has nothing to do, and asks nothing
    const idle = person();
    expect(await caught(resumeExtension(reader.insert(), { stateDir: state, auth: idle.auth }))).toMatchObject({
      code: 'NOTHING_TO_RESUME',
    });
    expect(idle.calls).toEqual([]);
  });

  it('resumes from the card alone when the journal is on another machine (the body complete, the header missing)', async () => {
    const reader = new Reader();
    const state = tempDir('cns-flow-');
    let card = reader.insert();
    const facts = await eligibilityOf(card, state);
    // zeros, body, header (ef.ts): count the chunks of a full write on a copy, then stop the
    // real one before its last, the header's
    const copy = new Reader(reader.image);
    await extendCertificate(copy.insert(), { ...facts, stateDir: tempDir('cns-flow-'), service: service(), auth: person().auth });
    const writes = copy.log.filter((l) => l.startsWith('00 D6')).length;
    reader.leaveAfterWrites = writes - 1;
    card = reader.insert();
    expect(await caught(extendCertificate(card, { ...facts, stateDir: state, service: service(), auth: person().auth }))).toBeInstanceOf(
      WriteInterruptedError,
    );
    const elsewhere = tempDir('cns-flow-');
    const r = await resumeExtension(reader.insert(), { stateDir: elsewhere, auth: person().auth });
    expect(r.outcome).toBe('fromCard');
    expect(parseCertificate(reader.certificate()).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
  });

  it('restores a backup: what the card held saved first, then the PUK, the write, read back', async () => {
    const reader = new Reader();
    const old = reader.certificate();
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const done = await extendCertificate(card, {
      ...(await eligibilityOf(card, state)),
      stateDir: state,
      service: service(),
      auth: person().auth,
    });
    const extended = reader.certificate();
    reader.log = [];
    const who = person();
    const r = await restoreCertificate(reader.insert(), {
      certificate: readFileSync(done.backup),
      stateDir: state,
      auth: who.auth,
      confirm: async (plan) => plan.certificate.serialNumber === parseCertificate(old).serialNumber,
    });
    expect(who.calls).toEqual(['ready:puk', 'tries:puk', 'secret:puk']);
    expect(reader.sent('puk')).toBe(1);
    expect(reader.certificate().equals(old)).toBe(true);
    expect(
      reader
        .ef()
        .subarray(old.length)
        .every((b) => b === 0),
    ).toBe(true);
    expect(readFileSync(r.backup).equals(extended)).toBe(true);
    expect(loadJournal(state, '5000000000000009')).toMatchObject({ kind: 'restore', state: 'done' });

    // a backup of another card is refused before anything is asked
    const other = new Reader((await createImage({ cardId: '5000000000000017' })).image);
    const stranger = person();
    const e = await caught(restoreCertificate(other.insert(), { certificate: old, stateDir: state, auth: stranger.auth }));
    expect(e).toMatchObject({ code: 'INVALID_INPUT', facts: { reason: 'otherCard', other: '5000000000000009', card: '5000000000000017' } });
    expect(stranger.calls).toEqual([]);
  });

  it('never sends the PUK twice: a wrong PUK is the card’s answer, not retried; the write waits for --resume', async () => {
    const reader = new Reader();
    const before = reader.certificate();
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const who = person({ puk: '87654321' });
    const e = await caught(
      extendCertificate(card, { ...(await eligibilityOf(card, state)), stateDir: state, service: service(), auth: who.auth }),
    );
    expect(e).toBeInstanceOf(WrongSecretError);
    expect((e as WrongSecretError).triesLeft).toBe(9);
    expect(who.calls.filter((c) => c === 'secret:puk')).toHaveLength(1);
    expect(reader.sent('puk')).toBe(1);
    expect(reader.certificate().equals(before)).toBe(true);
    expect(loadJournal(state, '5000000000000009')?.state).toBe('prepared');
    // the resume asks again (a new operation), and sends it once
    reader.log = [];
    await resumeExtension(reader.insert(), { stateDir: state, auth: person().auth });
    expect(reader.sent('puk')).toBe(1);
    expect(parseCertificate(reader.certificate()).notAfter.getTime()).toBe(EXTENDED_NOT_AFTER.getTime());
  });

  it('a last PUK try only with consent: refused, nothing sent, the card untouched', async () => {
    const reader = new Reader(
      (
        await createImage({
          cardId: '5000000000000009',
          notBefore: new Date('2018-01-01T00:00:00Z'),
          notAfter: new Date('2023-12-30T12:00:00Z'),
          pukTriesLeft: 1,
        })
      ).image,
    );
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const before = reader.certificate();
    const who = person({ consent: false });
    const e = await caught(
      extendCertificate(card, { ...(await eligibilityOf(card, state)), stateDir: state, service: service(), auth: who.auth }),
    );
    expect(e).toBeInstanceOf(ExtensionError);
    expect(e).toBeInstanceOf(CnsError);
    expect(e).toMatchObject({ code: 'LAST_ATTEMPT_REFUSED', facts: { kind: 'puk' } });
    expect(who.calls).toEqual(['ready:pin,puk', 'tries:pin', 'secret:pin', 'tries:puk', 'last:puk']);
    expect(reader.sent('puk')).toBe(0);
    expect(reader.certificate().equals(before)).toBe(true);
  });

  it('not eligible, or declined: stops before any secret is asked or sent', async () => {
    const reader = new Reader();
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const facts = await eligibilityOf(card, state);
    const late = {
      ...facts,
      eligibility: eligibilityFromReport(await collectReport(card, { now: new Date('2024-01-10'), warnDays: 30 }), new Date('2024-01-10')),
    };
    let who = person();
    const e = await caught(extendCertificate(card, { ...late, stateDir: state, service: service(), auth: who.auth }));
    expect(e).toMatchObject({ code: 'NOT_ELIGIBLE', facts: { reason: 'rules' } });
    expect((e as ExtensionError).eligibility?.reasons.find((r) => r.code === 'CERT_VALID_AT_DATE')).toMatchObject({
      ok: false,
      variant: 'expired',
    });
    expect(who.calls).toEqual([]);
    who = person();
    const s = service();
    expect(
      await caught(extendCertificate(card, { ...facts, stateDir: state, service: s, auth: who.auth, confirm: async () => false })),
    ).toMatchObject({ code: 'DECLINED' });
    expect(who.calls).toEqual(['ready:pin,puk']);
    expect(s.calls).toBe(0);
    expect(reader.sent('pin') + reader.sent('puk')).toBe(0);
    expect(existsSync(join(state, 'extension'))).toBe(false);
  });

  it('a service that refuses: NOT_ELIGIBLE with its code, no PUK asked, the card untouched', async () => {
    const reader = new Reader();
    const state = tempDir('cns-flow-');
    const card = reader.insert();
    const before = reader.certificate();
    const who = person();
    const refusing: ExtensionService = {
      url: 'memory:',
      extend: async () => {
        const { ServiceError } = await import('../src/extension/client.js');
        throw new ServiceError(403, 'REVOKED', 'revoked');
      },
    };
    const e = await caught(
      extendCertificate(card, { ...(await eligibilityOf(card, state)), stateDir: state, service: refusing, auth: who.auth }),
    );
    expect(e).toMatchObject({ code: 'NOT_ELIGIBLE', facts: { reason: 'service', service: 'REVOKED', status: 403 } });
    expect(who.calls).not.toContain('secret:puk');
    expect(reader.sent('puk')).toBe(0);
    expect(reader.certificate().equals(before)).toBe(true);
  });

  it('a card reached through PKCS#11 cannot be written: PKCS11_NOT_SUPPORTED', async () => {
    const card = { ...new Reader().insert(), files: null, origin: { kind: 'token' } } as unknown as Card;
    const e = await caught(resumeExtension(card, { stateDir: tempDir('cns-flow-'), auth: person().auth }));
    expect(e).toMatchObject({ code: 'PKCS11_NOT_SUPPORTED', facts: { reason: 'needsApdu' } });
  });
});
