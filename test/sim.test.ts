import { createVerify, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/apdu/bytes.js';
import { parseFcp } from '../src/apdu/fcp.js';
import { parseDatiPersonali } from '../src/card/efDatiPersonali.js';
import { CnsSession } from '../src/card/session.js';
import { VirtualCard } from '../src/sim/card.js';
import { createImage } from '../src/sim/create.js';
import { type CardImage, ImageError, ImageLock, loadImage, saveImage } from '../src/sim/image.js';
import { SimTransport } from '../src/sim/transport.js';
import { cardTransport, tempDir } from './helpers.js';

let base: CardImage;
let baseCert: Buffer;
let shortImage: CardImage;

beforeAll(async () => {
  const made = await createImage({ cardId: '5000000000000009' });
  base = made.image;
  baseCert = made.certificate;
  // An Athena CNS 1.0 card: 1024-bit, short APDUs only, no STIncard 0x80 bit.
  shortImage = (await createImage({ atr: '3BDF18008131FE7D006B150C0181011101434E53103180E8' })).image;
});

function fresh(img: CardImage = base, onChange?: (i: CardImage) => void): { card: VirtualCard; image: CardImage } {
  const image = JSON.parse(JSON.stringify(img)) as CardImage;
  return { card: new VirtualCard(image, onChange), image };
}

function send(card: VirtualCard, hex: string): string {
  return toHex(card.transmit(fromHex(hex)));
}

const sw = (r: string): string => r.slice(-5);

describe('virtual card: file system', () => {
  it('selects by path from the MF, by FID level by level, and from the current DF', () => {
    const { card } = fresh();
    const byPath = send(card, '00 A4 08 00 04 10 00 10 03 00');
    expect(sw(byPath)).toBe('90 00');
    const fcp = parseFcp(fromHex(byPath).subarray(0, -2));
    expect(fcp.fileId).toBe(0x1003);
    expect(fcp.size).toBe(16);
    expect(sw(send(card, '00 A4 00 0C 02 3F 00'))).toBe('90 00');
    expect(sw(send(card, '00 A4 00 0C 02 11 00'))).toBe('90 00');
    expect(sw(send(card, '00 A4 00 0C 02 11 02'))).toBe('90 00');
    expect(sw(send(card, '00 A4 00 0C 02 3F 00'))).toBe('90 00');
    expect(sw(send(card, '00 A4 09 0C 04 11 00 11 01'))).toBe('90 00');
    expect(toHex(fromHex(send(card, '00 B0 00 00 04')).subarray(0, 4))).toBe(toHex(baseCert.subarray(0, 4)));
  });

  it('answers 6A82 for every file and AID it lacks (OpenSC probes these)', () => {
    const { card } = fresh();
    for (const path of ['14 00 90 10', '14 00 90 01 20 02', '2F FF 82 28', '10 00 10 05']) {
      const n = path.split(' ').length;
      expect(sw(send(card, `00 A4 08 00 ${n.toString(16).padStart(2, '0')} ${path} 00`))).toBe('6A 82');
    }
    expect(sw(send(card, '00 A4 04 00 0C A0 00 00 05 30 00 0B 10 40 01 02 1A 00'))).toBe('6A 82');
  });

  it('answers 61xx when SELECT asks for the FCP without Le, then GET RESPONSE gives it', () => {
    const { card } = fresh();
    const r = send(card, '00 A4 08 00 04 11 00 11 02');
    expect(r.startsWith('61')).toBe(true);
    const n = parseInt(r.slice(-2), 16);
    const gr = send(card, `00 C0 00 00 ${n.toString(16).padStart(2, '0')}`);
    expect(sw(gr)).toBe('90 00');
    expect(parseFcp(fromHex(gr).subarray(0, -2)).fileId).toBe(0x1102);
    expect(sw(send(card, '00 C0 00 00 10'))).toBe('69 85');
  });

  it('reads with offsets, 6282 at a short end and 6B00 past the end', () => {
    const { card } = fresh();
    send(card, '00 A4 08 0C 04 10 00 10 03');
    expect(Buffer.from(fromHex(send(card, '00 B0 00 00 10')).subarray(0, -2)).toString()).toBe('5000000000000009');
    expect(Buffer.from(fromHex(send(card, '00 B0 00 0E 02')).subarray(0, -2)).toString()).toBe('09');
    expect(sw(send(card, '00 B0 00 0E 10'))).toBe('62 82');
    expect(sw(send(card, '00 B0 00 10 01'))).toBe('6B 00');
  });

  it('keeps data files unwritable and the certificate writable only after the PUK', () => {
    const changes: CardImage[] = [];
    const { card, image } = fresh(base, (i) => changes.push(i));
    send(card, '00 A4 08 0C 04 11 00 11 02');
    expect(sw(send(card, '00 D6 00 00 01 41'))).toBe('69 82');
    send(card, '00 A4 08 0C 04 11 00 11 01');
    expect(sw(send(card, '00 D6 00 00 01 41'))).toBe('69 82');
    send(card, `00 20 00 90 08 ${toHex(Buffer.from('12345\xff\xff\xff', 'latin1'))}`);
    expect(sw(send(card, '00 D6 00 00 01 41'))).toBe('69 82'); // the PIN is not enough
    expect(sw(send(card, `00 20 00 91 08 ${toHex(Buffer.from('12345678'))}`))).toBe('90 00');
    expect(sw(send(card, '00 D6 00 00 01 41'))).toBe('90 00');
    expect(image.files.find((f) => f.path === '3F00/1100/1101')!.data!.slice(0, 2)).toBe('41');
    expect(changes.length).toBeGreaterThan(0);
    expect(sw(send(card, '00 D6 07 FF 02 41 41'))).toBe('67 00');
    card.reset();
    send(card, '00 A4 08 0C 04 11 00 11 01');
    expect(sw(send(card, '00 D6 00 00 01 30'))).toBe('69 82');
  });

  it('answers 6D00, 6E00, 6A86 and 6700 like a card', () => {
    const { card } = fresh();
    expect(sw(send(card, '00 FF 00 00'))).toBe('6D 00');
    expect(sw(send(card, '80 A4 00 00 02 3F 00'))).toBe('6E 00');
    expect(sw(send(card, '00 A4 07 00 02 3F 00'))).toBe('6A 86');
    expect(sw(send(card, '00 20 00 10 04 31 32 33 34'))).toBe('67 00');
    expect(sw(send(card, '00 20 00 12 08 31 32 33 34 35 FF FF FF'))).toBe('6A 88');
    expect(send(card, '00 84 00 00 08').length).toBe((8 + 2) * 3 - 1);
  });
});

describe('virtual card: extended length follows the ATR', () => {
  it('accepts extended APDUs on CNS 1.1 and refuses them on CNS 1.0', () => {
    expect(sw(send(fresh().card, '00 B0 00 00 00 01 00'))).not.toBe('67 00');
    const { card } = fresh(shortImage);
    send(card, '00 A4 08 0C 04 11 00 11 01');
    expect(sw(send(card, '00 B0 00 00 00 01 00'))).toBe('67 00');
    expect(sw(send(card, '00 B0 00 00 FF'))).toBe('90 00');
  });
});

describe('CNS session on the virtual card', () => {
  it('reads card id, personal data and the certificate', async () => {
    const s = new CnsSession(cardTransport(fresh().card));
    expect((await s.readCardId()).id).toBe('5000000000000009');
    expect(parseDatiPersonali(await s.readDatiPersonaliRaw()).fields.codiceFiscale).toBe('RSSMRA80A01H501U');
    expect((await s.readCertificate()).equals(baseCert)).toBe(true);
  });

  it('reads tries without spending one, and counts wrong PINs down to a block', async () => {
    const log: string[] = [];
    const s = new CnsSession(cardTransport(fresh().card, log));
    expect((await s.tries('pin')).triesLeft).toBe(3);
    expect((await s.tries('pin')).triesLeft).toBe(3);
    expect((await s.tries('puk')).triesLeft).toBe(10);
    await expect(s.verify('pin', '11111')).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    await expect(s.verify('pin', '11111')).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 1 } });
    await expect(s.verify('pin', '11111')).rejects.toMatchObject({ code: 'PIN_BLOCKED', details: { blockedNow: true } });
    await expect(s.verify('pin', '12345')).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    expect(await s.tries('pin')).toMatchObject({ triesLeft: 0, blocked: true });
    // STIncard: P2 carries the 0x80 bit
    expect(log.filter((l) => l.startsWith('00 20')).every((l) => l.startsWith('00 20 00 90') || l.startsWith('00 20 00 91'))).toBe(true);
  });

  it('reports tries as unknown when the card refuses an empty VERIFY, without a real attempt', async () => {
    const { card, image } = fresh();
    const inner = cardTransport(card);
    const sent: string[] = [];
    const refusing = {
      ...inner,
      transmit: async (b: Buffer) => {
        sent.push(toHex(b));
        return b.length === 4 && b[1] === 0x20 ? fromHex('6D 00') : inner.transmit(b);
      },
    };
    const s = new CnsSession(refusing);
    expect(await s.tries('pin')).toMatchObject({ triesLeft: null, blocked: null, verified: false });
    expect(await s.tries('puk')).toMatchObject({ triesLeft: null, blocked: null });
    expect(sent.every((l) => l.split(' ').length === 4)).toBe(true);
    expect(image.pin.triesLeft).toBe(3);
  });

  it('uses plain references on non-STIncard cards', async () => {
    const log: string[] = [];
    const s = new CnsSession(cardTransport(fresh(shortImage).card, log));
    await s.verify('pin', '12345');
    expect(log.at(-1)!.startsWith('00 20 00 10 08')).toBe(true);
  });

  it('unblocks with the PUK: a wrong PUK costs a PUK try, a right one resets the PIN', async () => {
    const { card, image } = fresh();
    image.pin.triesLeft = 0;
    const s = new CnsSession(cardTransport(card));
    await expect(s.unblockPin('87654321', '24680')).rejects.toMatchObject({ code: 'PUK_INCORRECT', details: { triesLeft: 9 } });
    await s.unblockPin('12345678', '24680');
    expect(await s.tries('pin')).toMatchObject({ triesLeft: 3, blocked: false });
    expect((await s.tries('puk')).triesLeft).toBe(10);
    await s.verify('pin', '24680');
  });

  it('changes the PIN, and a wrong current PIN costs a try', async () => {
    const { card, image } = fresh();
    const s = new CnsSession(cardTransport(card));
    await expect(s.changePin('11111', '22222')).rejects.toMatchObject({ code: 'PIN_INCORRECT', details: { triesLeft: 2 } });
    await s.changePin('12345', '13579086');
    expect(image.pin.value).toBe('13579086');
    expect(image.pin.triesLeft).toBe(3);
  });

  it('signs with the authentication key only after the PIN, and the signature verifies', async () => {
    const { card } = fresh();
    const s = new CnsSession(cardTransport(card));
    await expect(s.sign(Buffer.from('x'), 'sha256', 256)).rejects.toMatchObject({ code: 'SECURITY_STATUS' });
    await s.verify('pin', '12345');
    const sig = await s.sign(Buffer.from('hello'), 'sha256', 256);
    expect(createVerify('sha256').update('hello').verify(new X509Certificate(baseCert).publicKey, sig)).toBe(true);
    card.reset(); // a warm reset clears the security state
    await expect(s.sign(Buffer.from('x'), 'sha256', 256)).rejects.toMatchObject({ code: 'SECURITY_STATUS' });
  });

  it('signs 1024-bit blocks with short APDUs on a CNS 1.0 card', async () => {
    const log: string[] = [];
    const s = new CnsSession(cardTransport(fresh(shortImage).card, log));
    await s.verify('pin', '12345');
    const sig = await s.sign(Buffer.from('hello'), 'sha256', 128);
    expect(sig.length).toBe(128);
    expect(log.at(-1)!.startsWith('00 2A 9E 9A 80')).toBe(true);
  });
});

describe('card image', () => {
  it('persists counters and PIN changes across processes (files)', async () => {
    const dir = tempDir();
    const path = join(dir, 'card.json');
    saveImage(path, JSON.parse(JSON.stringify(base)));
    let t = SimTransport.open(path);
    await expect(new CnsSession(t).verify('pin', '99999')).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    await t.close();
    expect(loadImage(path).pin.triesLeft).toBe(2);
    t = SimTransport.open(path);
    await new CnsSession(t).changePin('12345', '54321');
    await t.close();
    expect(loadImage(path).pin).toMatchObject({ value: '54321', triesLeft: 3 });
  });

  it('refuses corrupt and foreign files with a clear reason', () => {
    const dir = tempDir();
    const p = join(dir, 'x.json');
    writeFileSync(p, '{not json');
    expect(() => loadImage(p)).toThrow(ImageError);
    writeFileSync(p, JSON.stringify({ hello: 'world' }));
    expect(() => loadImage(p)).toThrow(/not a cns virtual card image/);
    const bad = JSON.parse(JSON.stringify(base));
    bad.pin.triesLeft = 9;
    writeFileSync(p, JSON.stringify(bad));
    expect(() => loadImage(p)).toThrow(/pin: bad counters/);
    expect(() => loadImage(join(dir, 'missing.json'))).toThrow(/no card image/);
  });

  it('holds a lock while the card is open; a stale lock of a dead process is taken over', () => {
    const dir = tempDir();
    const path = join(dir, 'card.json');
    saveImage(path, base);
    const t = SimTransport.open(path);
    expect(() => SimTransport.open(path, 100)).toThrow(/in use/);
    void t.close();
    writeFileSync(`${path}.lock`, '999999999');
    const lock = new ImageLock(path, 100);
    lock.acquire();
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid} command`);
    lock.release();
  });

  it("without the kernel's lock (no koffi): a PID file, exclusive, taken over from a dead process, removed on release", () => {
    const dir = tempDir();
    const path = join(dir, 'card.json');
    saveImage(path, base);
    // issue 25: the lock file was created before the lock kind was known, and then stood in the
    // way of the PID file's exclusive create: every taker waited out its timeout ("in use")
    const first = new ImageLock(path, 100, 'command', null);
    first.acquire();
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid} command`);
    // a live holder (this process) is waited for, then reported
    expect(() => new ImageLock(path, 50, 'command', null).acquire()).toThrow(new RegExp(`in use by process ${process.pid}`));
    first.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    writeFileSync(`${path}.lock`, '999999999 command');
    const second = new ImageLock(path, 100, 'attach', null);
    second.acquire();
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid} attach`);
    expect(() => new ImageLock(path, 50, 'command', null).acquire()).toThrow(/in a virtual reader/);
    second.release();
  });
});

describe('cns sim attach', () => {
  /** Attach a card where nobody listens for 1.5 s, then stop it: its stderr, and whether it was still trying. */
  async function attachWithoutVpcd(globalArgs: string[]): Promise<{ err: string; stillTrying: boolean }> {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers.js');
    const img = join(tempDir(), 'card.json');
    saveImage(img, base);
    const child = spawn(process.execPath, [BIN, ...globalArgs, 'sim', 'attach', img, '--vpcd', '127.0.0.1:9'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise((r) => setTimeout(r, 1500));
    const stillTrying = child.exitCode === null;
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    return { err, stillTrying };
  }

  it('says when nobody listens where vpcd should be, and keeps trying', async () => {
    const { err, stillTrying } = await attachWithoutVpcd([]);
    expect(stillTrying).toBe(true);
    expect(err).toMatch(/cannot reach vpcd at 127\.0\.0\.1:9 .*is pcscd running/);
    expect(err.match(/cannot reach vpcd/g)).toHaveLength(1); // said once, not at every try
  });

  it('says it in Italian with --lang it', async () => {
    const { err } = await attachWithoutVpcd(['--lang', 'it']);
    expect(err).toMatch(/per fermare: Ctrl-C/);
    expect(err).toMatch(/vpcd non raggiungibile su 127\.0\.0\.1:9 .*pcscd è attivo/);
    expect(err).toMatch(/tessera estratta \(fermato\); 0 APDU/);
    expect(err).not.toMatch(/cannot reach|stop with|card removed/);
  });
});
