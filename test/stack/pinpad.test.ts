import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as pinpad from '../../scripts/pinpad-stack.mjs';
import { usePadStack } from './padStack.js';
import { imageCounters, makeCard, OPENSC_MODULE, opensc, STACK_OK } from './stack.js';

/**
 * The test stack's PIN-pad reader (test/pinpad/ifd-pinpad.c, scripts/pinpad-stack.mjs) against
 * OpenSC as the independent client, and against a raw SCardControl for what OpenSC cannot ask.
 * The PIN-pad readers live in a pcscd of their own, started here and replaced by the shared one
 * afterwards, so the other stack files keep seeing only "Virtual PCD 00 0x".
 */
const PAD = 0;
const PLAIN = 1;
const PAD_NAME = pinpad.READERS[PAD]!.name;
const PLAIN_NAME = pinpad.READERS[PLAIN]!.name;
const PIN = '12345';

/** pkcs11-tool --login with no --pin: on a PIN pad OpenSC asks the reader (CKF_PROTECTED_AUTHENTICATION_PATH). */
function padLogin(): { code: number; out: string } {
  return opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--list-objects', '--type', 'privkey']);
}

/** An OpenSC tool running in the background (killed after 60 s), for what happens during an entry. */
function openscLater(tool: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

// ---- a raw PC/SC client (koffi onto libpcsclite), only for what OpenSC does not send ----
type Fn = (...a: unknown[]) => number;
let pcsc: { establish: Fn; release: Fn; connect: Fn; control: Fn; disconnect: Fn } | undefined;
function lib(): NonNullable<typeof pcsc> {
  if (pcsc) return pcsc;
  const koffi = createRequire(import.meta.url)('koffi');
  const so = koffi.load('libpcsclite.so.1');
  pcsc = {
    establish: so.func('long SCardEstablishContext(unsigned long, void *, void *, _Out_ long *)'),
    release: so.func('long SCardReleaseContext(long)'),
    connect: so.func('long SCardConnect(long, const char *, unsigned long, unsigned long, _Out_ long *, _Out_ unsigned long *)'),
    control: so.func(
      'long SCardControl(long, unsigned long, const uint8_t *, unsigned long, _Out_ uint8_t *, unsigned long, _Out_ unsigned long *)',
    ),
    disconnect: so.func('long SCardDisconnect(long, unsigned long)'),
  };
  return pcsc;
}

/** One SCardControl on a reader (connected shared, T=1|T=0): the return code and the bytes. */
function control(reader: string, code: number, input: Buffer): { rv: number; out: Buffer } {
  const p = lib();
  const ctx = [0];
  expect(p.establish(2, null, null, ctx)).toBe(0);
  try {
    const h = [0];
    const proto = [0];
    const rv = p.connect(ctx[0], reader, 2, 3, h, proto);
    if (rv !== 0) return { rv: rv >>> 0, out: Buffer.alloc(0) };
    const out = Buffer.alloc(300);
    const n = [0];
    const r = p.control(h[0], code, input, input.length, out, out.length, n);
    p.disconnect(h[0], 0);
    return { rv: r >>> 0, out: out.subarray(0, n[0]) };
  } finally {
    p.release(ctx[0]);
  }
}

const GET_FEATURE_REQUEST = 0x42000d48;
const VERIFY = 0x42330006;
const MODIFY = 0x42330007;
const SCARD_E_NOT_TRANSACTED = 0x80100016;
// pcsc-lite defines SCARD_E_UNSUPPORTED_FEATURE as 0x8010001F (the same value as SCARD_E_UNEXPECTED; Windows: 0x80100022)
const SCARD_E_UNSUPPORTED_FEATURE = 0x8010001f;

/** A PIN_VERIFY_STRUCTURE as OpenSC sends it for a CNS: ASCII, 8-byte block padded with FF, at data offset 0. */
function verifyStructure(o: { min?: number; max?: number; format?: number; block?: number; p2?: number; template?: Buffer } = {}): Buffer {
  const template = o.template ?? Buffer.from([0x00, 0x20, 0x00, o.p2 ?? 0x10, 0x08, ...Buffer.alloc(8, 0xff)]);
  const head = Buffer.alloc(19);
  head[0] = 5; // bTimerOut
  head[2] = o.format ?? 0x82; // bytes, position 0, left, ASCII
  head[3] = o.block ?? 0x08; // no length field, 8-byte block
  head[4] = 0x00;
  head.writeUInt16LE(((o.min ?? 5) << 8) | (o.max ?? 8), 5);
  head[7] = 0x02; // OK key
  head.writeUInt32LE(template.length, 15);
  return Buffer.concat([head, template]);
}

/** A PIN_MODIFY_STRUCTURE for CHANGE REFERENCE DATA: current PIN at 0, new at 8, bConfirmPIN as given. */
function modifyStructure(confirm: number): Buffer {
  const template = Buffer.from([0x00, 0x24, 0x00, 0x10, 0x10, ...Buffer.alloc(16, 0xff)]);
  const head = Buffer.alloc(24);
  head[0] = 5;
  head[2] = 0x82;
  head[3] = 0x08;
  head[5] = 0; // bInsertionOffsetOld
  head[6] = 8; // bInsertionOffsetNew
  head.writeUInt16LE((5 << 8) | 8, 7);
  head[9] = confirm;
  head[10] = 0x02;
  head.writeUInt32LE(template.length, 20);
  return Buffer.concat([head, template]);
}

describe.skipIf(!STACK_OK)('the test stack PIN-pad reader (own pcsc-lite driver) with OpenSC', () => {
  const card = usePadStack(PAD);

  it('opensc-tool -l shows the PIN pad as a PIN pad and the plain reader without one', async () => {
    await pinpad.attach(await makeCard(), PLAIN);
    const r = opensc('opensc-tool', ['-l']);
    expect(r.code).toBe(0);
    const line = (name: string) => r.out.split('\n').find((l) => l.includes(name)) ?? '';
    expect(line(PAD_NAME)).toMatch(/PIN pad/);
    expect(line(PLAIN_NAME)).not.toMatch(/PIN pad/);
    expect(line(PLAIN_NAME)).toMatch(/Yes/); // a card is in it
    await pinpad.detach(PLAIN);
  });

  it('the right PIN typed on the pad: pkcs11-tool --login without --pin verifies, the tries stay full', async () => {
    pinpad.type(PAD, [PIN]);
    const r = padLogin();
    expect(r.out).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'typed 5 digits', sent: true, result: 'SW 9000' }]);
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.typedLeft(PAD)).toEqual([]);
    // what OpenSC asked of the reader for a CNS: VERIFY 90 (reference 10, local), ASCII in an 8-byte block, 5-8 digits, 30 s
    expect(pinpad.requests(PAD)).toEqual([
      { op: 'verify', apdu: '00200090', format: '82', block: '08', length: '00', min: 5, max: 8, timeout: 30 },
    ]);
  });

  it('a wrong PIN costs exactly one try; the right one then restores the counter', async () => {
    pinpad.type(PAD, ['54321']);
    const r = padLogin();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CKR_PIN_INCORRECT/);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'typed 5 digits', sent: true, result: 'SW 63C2' }]);
    expect(imageCounters(card()).pin).toBe(2);
    pinpad.type(PAD, [PIN]);
    expect(padLogin().code).toBe(0);
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('Cancel on the pad costs nothing and sends nothing to the card', async () => {
    pinpad.type(PAD, ['CANCEL']);
    const r = padLogin();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CKR_FUNCTION_CANCELED/);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'cancelled', sent: false, result: 'SW 6401' }]);
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('a timeout on the pad costs nothing and sends nothing to the card', async () => {
    pinpad.type(PAD, ['WAIT 300']);
    const r = padLogin();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CKR_FUNCTION_CANCELED/); // OpenSC 0.23 says a keypad timeout so
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'waited 300 ms, timeout', sent: false, result: 'SW 6400' }]);
    pinpad.type(PAD, ['TIMEOUT']);
    expect(padLogin().code).not.toBe(0);
    expect(pinpad.entries(PAD)[1]).toEqual({ op: 'verify', outcome: 'timeout', sent: false, result: 'SW 6400' });
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('too short for the reader: 64 03 from the reader, nothing sent, no try spent', async () => {
    pinpad.type(PAD, ['123']);
    const r = padLogin();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CKR_PIN_LEN_RANGE/);
    const [e] = pinpad.entries(PAD);
    expect(e).toMatchObject({ op: 'verify', sent: false, result: 'SW 6403' });
    expect(e!.outcome).toBe('length 3 out of range 5-8'); // the CNS's 5-8 within the reader's 4-8
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('the plain reader advertises no pad: GET_FEATURE_REQUEST has only the TLV properties, VERIFY is refused', async () => {
    await pinpad.attach(await makeCard(), PLAIN);
    pinpad.clearLog(PLAIN);
    const f = control(PLAIN_NAME, GET_FEATURE_REQUEST, Buffer.alloc(0));
    expect(f.rv).toBe(0);
    expect(f.out.toString('hex')).toBe('120442330012');
    expect(control(PLAIN_NAME, VERIFY, verifyStructure()).rv).toBe(SCARD_E_UNSUPPORTED_FEATURE);
    const pad = control(PAD_NAME, GET_FEATURE_REQUEST, Buffer.alloc(0));
    expect(pad.out.toString('hex')).toBe('060442330006070442330007' + '0a044233000a' + '120442330012');
    await pinpad.detach(PLAIN);
  });

  it('VERIFY and MODIFY straight through SCardControl: right, wrong, mismatch, bad structure, card pulled', async () => {
    pinpad.type(PAD, [PIN]);
    expect(control(PAD_NAME, VERIFY, verifyStructure()).out.toString('hex')).toBe('9000');
    pinpad.type(PAD, ['99999']);
    expect(control(PAD_NAME, VERIFY, verifyStructure()).out.toString('hex')).toBe('63c2');
    expect(imageCounters(card()).pin).toBe(2);
    // change with confirmation: 3 entries; a confirmation that differs never reaches the card
    pinpad.type(PAD, [PIN, '24680', '24681']);
    expect(control(PAD_NAME, MODIFY, modifyStructure(0x03)).out.toString('hex')).toBe('6402');
    expect(pinpad.typedLeft(PAD)).toEqual([]);
    pinpad.type(PAD, [PIN, '24680', '24680']);
    expect(control(PAD_NAME, MODIFY, modifyStructure(0x03)).out.toString('hex')).toBe('9000');
    expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: '24680' });
    // a new PIN too long for the request: the reader refuses it after the second entry
    pinpad.type(PAD, ['24680', '123456789']);
    expect(control(PAD_NAME, MODIFY, modifyStructure(0x02)).out.toString('hex')).toBe('6403');
    // a structure whose ulDataLength lies is refused before anyone types
    pinpad.type(PAD, [PIN]);
    const bad = verifyStructure();
    bad.writeUInt32LE(99, 15);
    expect(control(PAD_NAME, VERIFY, bad).rv).toBe(SCARD_E_UNSUPPORTED_FEATURE);
    expect(pinpad.typedLeft(PAD)).toEqual([PIN]);
    // the card pulled during entry: an error, not a wrong PIN, and no try spent
    pinpad.type(PAD, ['REMOVE 2000']);
    expect(control(PAD_NAME, VERIFY, verifyStructure()).rv).toBe(SCARD_E_NOT_TRANSACTED);
    expect(imageCounters(card()).pin).toBe(3);
    expect(pinpad.entries(PAD).map((e) => [e.op, e.outcome, e.sent, e.result])).toEqual([
      ['verify', 'typed 5 digits', true, 'SW 9000'],
      ['verify', 'typed 5 digits', true, 'SW 63C2'],
      ['modify', 'confirmation differs', false, 'SW 6402'],
      ['modify', 'typed 5+5 digits', true, 'SW 9000'],
      ['modify', 'length 9 out of range 5-8', false, 'SW 6403'],
      ['verify', 'bad structure (ulDataLength differs from the bytes sent)', false, 'error'],
      ['verify', 'card removed during entry', false, 'error'],
    ]);
  });

  it('pkcs15-tool --change-pin on the pad: current, new, confirmation in one MODIFY; a confirmation that differs answers 64 02 and changes nothing', async () => {
    pinpad.type(PAD, [PIN, '24680', '24681']);
    const mismatch = opensc('pkcs15-tool', ['--reader', '0', '--change-pin']);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.out).toMatch(/did not match/);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'modify', outcome: 'confirmation differs', sent: false, result: 'SW 6402' }]);
    expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: PIN });
    pinpad.type(PAD, [PIN, '24680', '24680']);
    expect(opensc('pkcs15-tool', ['--reader', '0', '--change-pin']).code).toBe(0);
    expect(pinpad.entries(PAD)[1]).toEqual({ op: 'modify', outcome: 'typed 5+5 digits', sent: true, result: 'SW 9000' });
    expect(imageCounters(card())).toMatchObject({ pin: 3, pinValue: '24680' });
    expect(pinpad.requests(PAD)[1]).toMatchObject({
      op: 'modify',
      apdu: '00240090',
      format: '02', // OpenSC's MODIFY: ASCII, positions in bits (0),
      block: '08',
      confirm: '03',
      offsets: [0, 8],
    });
    expect(pinpad.typedLeft(PAD)).toEqual([]);
  });

  it('the signature keyset on the pad: PIN CNS1 is verified with its own reference (1A, sent as 9A) and its own counter', async () => {
    const sig = await makeCard('--signature-keyset');
    await pinpad.attach(sig, PAD);
    pinpad.clearLog(PAD);
    pinpad.type(PAD, ['11223344']);
    expect(opensc('pkcs15-tool', ['--reader', '0', '--verify-pin', '--auth-id', '10']).code).not.toBe(0);
    const j = () => JSON.parse(readFileSync(sig, 'utf8')) as { pin: { triesLeft: number }; signature: { pin: { triesLeft: number } } };
    expect([j().signature.pin.triesLeft, j().pin.triesLeft]).toEqual([2, 3]);
    pinpad.type(PAD, ['24681357']);
    expect(opensc('pkcs15-tool', ['--reader', '0', '--verify-pin', '--auth-id', '10']).code).toBe(0);
    expect(j().signature.pin.triesLeft).toBe(3);
    expect(pinpad.requests(PAD).map((q) => q.apdu)).toEqual(['0020009A', '0020009A']);
    expect(pinpad.entries(PAD).map((e) => e.result)).toEqual(['SW 63C2', 'SW 9000']);
  });

  it('the card pulled while the person types: OpenSC fails the login (not as a wrong PIN); nothing sent, no try spent', async () => {
    pinpad.type(PAD, ['WAIT']); // nobody types: the reader waits its 30 s, unless the card leaves
    const login = openscLater('pkcs11-tool', ['--module', OPENSC_MODULE, '--login', '--list-objects', '--type', 'privkey']);
    const end = Date.now() + 20000;
    while (!pinpad.log(PAD).some((l) => l.startsWith('verify request')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await pinpad.detach(PAD);
    const r = await login;
    expect(Date.now() - t).toBeLessThan(10000);
    // The driver answers as libccid does (IFD_COMMUNICATION_ERROR: SCARD_E_NOT_TRANSACTED); whether
    // OpenSC then says CKR_DEVICE_REMOVED or CKR_GENERAL_ERROR depends on whether pcscd's poll
    // has seen the card leave yet (measured: both happen). Never CKR_PIN_INCORRECT.
    expect(r.out).toMatch(/C_Login failed: rv = (CKR_DEVICE_REMOVED|CKR_GENERAL_ERROR)/);
    expect(r.code).not.toBe(0);
    expect(pinpad.entries(PAD)).toEqual([{ op: 'verify', outcome: 'card removed during entry', sent: false, result: 'error' }]);
    expect(imageCounters(card()).pin).toBe(3);
  });

  it('OpenSC on the plain reader: no PIN pad in the token flags, the PIN is given on the keyboard side', async () => {
    const plain = await makeCard();
    await pinpad.attach(plain, PLAIN);
    const slots = opensc('pkcs11-tool', ['--module', OPENSC_MODULE, '-L']).out.split(/^Slot /m);
    expect(slots.find((s) => s.includes(PAD_NAME))).toMatch(/PIN pad present/);
    expect(slots.find((s) => s.includes(PLAIN_NAME))).not.toMatch(/PIN pad present/);
    const r = opensc('pkcs11-tool', [
      '--module',
      OPENSC_MODULE,
      '--slot-description',
      PLAIN_NAME,
      '--login',
      '--pin',
      PIN,
      '--list-objects',
      '--type',
      'privkey',
    ]);
    expect(r.out).toMatch(/label:\s+CNS0/);
    expect(r.code).toBe(0);
    expect(pinpad.entries(PLAIN)).toEqual([]);
    expect(pinpad.requests(PLAIN)).toEqual([]); // nothing asked of a keypad it does not have
    await pinpad.detach(PLAIN);
  });
});
