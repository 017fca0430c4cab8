import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/apdu/bytes.js';
import { ApduChannel } from '../src/apdu/channel.js';
import { CnsSession } from '../src/card/session.js';
import { VirtualCard } from '../src/sim/card.js';
import { createImage } from '../src/sim/create.js';
import { GENERATIONS } from '../src/sim/generations.js';
import { cardTransport, cns, tempDir } from './helpers.js';

/**
 * Cards as they really answer (docs/card.md, "Generations and their answers"): what the tool
 * sends to each generation's virtual twin, read from its own --trace.
 */
const dir = tempDir('cns-real-');

/** The command APDUs of a traced run (hex, spaced), without the responses. */
function commands(trace: string): string[] {
  return trace
    .split('\n')
    .map((l) => /^\[[\d.]+s\] > (.*)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);
}

async function card(generation: string, edit?: (j: Record<string, unknown>) => void): Promise<string> {
  const img = join(dir, `${generation}-${Math.random().toString(36).slice(2)}.json`);
  expect((await cns(['sim', 'create', img, '--generation', generation])).code).toBe(0);
  if (edit) {
    const j = JSON.parse(readFileSync(img, 'utf8'));
    edit(j);
    writeFileSync(img, JSON.stringify(j));
  }
  return img;
}

describe('reads as real cards take them', () => {
  it('every generation: short READ BINARY of at most 255 bytes, never an extended read; the APDUs of status counted', async () => {
    const counts: string[] = [];
    for (const g of GENERATIONS) {
      const img = await card(g.name);
      const r = await cns(['status', '--reader', `sim:${img}`, '--json', '--trace']);
      expect(r.code, `${g.name}: ${r.stderr}`).toBe(0);
      const sent = commands(r.stderr);
      const reads = sent.filter((c) => c.startsWith('00 B0'));
      expect(reads.length, g.name).toBeGreaterThan(0);
      // CLA INS P1 P2 Le: five bytes, Le 01..FF (never 00 = 256, never an extended 00 xx xx)
      for (const c of reads) {
        expect(c.split(' ').length, `${g.name}: ${c}`).toBe(5);
        expect(c.endsWith(' 00'), `${g.name}: ${c}`).toBe(false);
      }
      counts.push(`${g.name.padEnd(11)} ${sent.length} APDUs (${reads.length} READ BINARY)`);
    }
    console.log(`status, APDUs per generation:\n${counts.join('\n')}`);
  });

  it('ACe 2025: the certificate by its application (SELECT AID, then by path from it), 9000 short of the end is the end', async () => {
    const img = await card('ace2025');
    const r = await cns(['cert', 'show', '--reader', `sim:${img}`, '--json', '--trace']);
    expect(r.code, r.stderr).toBe(0);
    const sent = commands(r.stderr);
    const aid = sent.indexOf('00 A4 04 00 0C A0 00 00 05 30 00 0B 10 40 01 02 1A 00');
    expect(aid).toBeGreaterThanOrEqual(0);
    expect(sent[aid + 1]).toBe('00 A4 09 00 04 DA 01 C0 01 00');
    // no EF 1101 on this card: the tool does not look for it when the ATR names the card
    expect(sent.some((c) => c.includes('11 00 11 01'))).toBe(false);
    // the certificate EF is as long as the certificate: ceil(size / 255) reads and not one more
    const image = JSON.parse(readFileSync(img, 'utf8')) as { files: { path: string; data: string }[] };
    const size = image.files.find((f) => f.path === '3F00/DA01/C001')!.data.length / 2;
    expect(sent.filter((c) => c.startsWith('00 B0')).length).toBe(Math.ceil(size / 255));
    expect(r.json.certificate.keyBits).toBe(2048);
  });

  it('a file without a size, on a card that answers 9000 short of the end and 6B00 at it: read to its end', async () => {
    const img = await card('ace2025', (j) => {
      j.answers = { fcpTag: '6F', pastEnd: '9000', fcpSize: false };
      // EF_Dati_personali twice 255 bytes long: only a read at its end can tell where it stops
      const f = (j.files as { path: string; data: string }[]).find((x) => x.path === '3F00/1100/1102')!;
      f.data = f.data.padEnd(2 * 510, '0');
    });
    const out = join(dir, 'nosize.der');
    const r = await cns(['cert', 'export', '--reader', `sim:${img}`, '--format', 'der', '--out', out, '--trace']);
    expect(r.code, r.stderr).toBe(0);
    const image = JSON.parse(readFileSync(img, 'utf8')) as { files: { path: string; data: string }[] };
    expect(readFileSync(out).equals(Buffer.from(image.files.find((f) => f.path === '3F00/DA01/C001')!.data, 'hex'))).toBe(true);
    const holder = await cns(['status', '--reader', `sim:${img}`, '--json', '--trace']);
    expect(holder.json.holder.surname).toBe('ROSSI');
    // EF_Dati_personali (510 bytes, no size given): two full reads, then the card says 6B00
    expect(holder.stderr).toMatch(
      /> 00 A4 08 00 04 11 00 11 02 00\n.*\n.*> 00 B0 00 00 FF\n.*9000.*\n.*> 00 B0 00 FF FF\n.*9000.*\n.*> 00 B0 01 FE FF\n.*< 6B00/,
    );
  });

  it('a session on a card with no size and 6282 past the end stops at the first short answer', async () => {
    const { image } = await createImage({ generation: 'nosize', keySize: 1024 });
    const log: string[] = [];
    const s = new CnsSession(cardTransport(new VirtualCard(image), log));
    const raw = await s.readDatiPersonaliRaw();
    expect(raw.length).toBe(400);
    // EF_Dati_personali, 400 bytes, no size given: 255 in full, then 145 with 6282: done
    expect(log.filter((c) => c.startsWith('00 B0'))).toEqual(['00 B0 00 00 FF', '00 B0 00 FF FF']);
  });
});

describe('a card that never ends a file', () => {
  for (const [what, fcp] of [
    ['says the file is 16 MB long', '6205800300FFFF'],
    ['gives no size', '6203820101'],
  ] as const) {
    it(`${what} and answers every READ BINARY in full: read to 32 KB at most, then stopped`, async () => {
      let reads = 0;
      const s = new CnsSession({
        name: 't',
        atr: () => Buffer.from('3BFF1800FF8131FE55006B02090200011101434E531031808F', 'hex'),
        transmit: async (b) => {
          if (b[1] === 0xa4) return Buffer.concat([Buffer.from(fcp, 'hex'), Buffer.from([0x90, 0x00])]);
          reads++;
          return Buffer.concat([Buffer.alloc(b[4] || 256, 0x41), Buffer.from([0x90, 0x00])]);
        },
        close: async () => {},
      });
      const data = await s.readFile([0x1100, 0x1102]);
      expect(data.length).toBe(0x8000);
      expect(reads).toBe(Math.ceil(0x8000 / 255));
    });
  }
});

describe('signing a 2048-bit block', () => {
  it('where extended length is not known (a CNS 1.0 ATR): command chaining, 255 bytes then the rest; never an extended APDU', async () => {
    for (const g of ['jsign2048', 'ace2025', 'nfc']) {
      const img = await card(g);
      const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test', '--json', '--trace'], { input: '12345\n' });
      expect(r.code, `${g}: ${r.stderr}`).toBe(0);
      expect(r.json.signature).toMatchObject({ keyBits: 2048, verified: true });
      const pso = commands(r.stderr).filter((c) => c.slice(3, 5) === '2A');
      expect(
        pso.map((c) => c.slice(0, 14)),
        g,
      ).toEqual(['10 2A 9E 9A FF', '00 2A 9E 9A 01']);
      expect(pso[1]!.endsWith(' 00'), 'Le 00 (256) on the last link').toBe(true);
      // the certificate (and on ACe 2025 its application) before the PIN, never between the PIN and the signature
      const sent = commands(r.stderr);
      const verify = sent.findIndex((c) => /^00 20 00 [19]0 \[8 bytes redacted\]$/.test(c)); // P2 90 on STIncard masks
      const lastRead = sent.map((c) => c.startsWith('00 B0') || c.startsWith('00 A4 04')).lastIndexOf(true);
      expect(verify, g).toBeGreaterThan(lastRead);
    }
  });

  it('where the ATR says the card takes extended length: one extended APDU', async () => {
    const img = await card('st2021');
    const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test', '--trace'], { input: '12345\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(commands(r.stderr).filter((c) => c.slice(3, 5) === '2A')).toEqual([expect.stringMatching(/^00 2A 9E 9A 00 01 00 /)]);
  });

  it('IDEMIA 2021: key 02, with its DF 1400/9002 selected first (MSE SET finds it nowhere else)', async () => {
    const img = await card('idemia2021');
    const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test', '--trace'], { input: '12345\n' });
    expect(r.code, r.stderr).toBe(0);
    const sent = commands(r.stderr);
    const set = sent.indexOf('00 22 F1 B6 03 83 01 02');
    expect(set).toBeGreaterThan(0);
    expect(sent.slice(0, set).some((c) => c.startsWith('00 A4 08 0C 04 14 00 90 02'))).toBe(true);
    // the virtual card refuses key 02 from elsewhere, as the real layout is modelled
    const { image } = await createImage({ generation: 'idemia2021', keySize: 1024 });
    const log: string[] = [];
    const v = new VirtualCard(image);
    const ch = new ApduChannel(cardTransport(v, log), { extendedLength: true });
    expect((await ch.send({ cla: 0, ins: 0x22, p1: 0xf1, p2: 0xb6, data: Buffer.from([0x83, 1, 2]) })).sw).toBe(0x6a88);
  });

  it('a chain the card breaks off is the answer, and nothing more is sent', async () => {
    const sent: string[] = [];
    const ch = new ApduChannel(
      {
        name: 't',
        atr: () => Buffer.alloc(0),
        transmit: async (b) => {
          sent.push(toHex(b));
          return Buffer.from([0x68, 0x84]); // chaining not supported
        },
        close: async () => {},
      },
      { extendedLength: false },
    );
    const r = await ch.send({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: Buffer.alloc(256, 1), le: 256 });
    expect(r.sw).toBe(0x6884);
    expect(sent).toHaveLength(1);
  });
});

describe('a certificate this version cannot find: the card is fine, never "ask for a new card"', () => {
  async function noCertificateAnywhere(): Promise<string> {
    return card('idemia2021', (j) => {
      const files = j.files as { path: string }[];
      j.files = files.filter((f) => !f.path.startsWith('3F00/1400') && f.path !== '3F00/1100/1101');
      delete j.authKeyDf;
    });
  }

  it('cert show: CERT_LAYOUT_UNKNOWN, exit 7, with the ATR to report, in both languages', async () => {
    const img = await noCertificateAnywhere();
    const en = await cns(['cert', 'show', '--reader', `sim:${img}`]);
    expect(en.code).toBe(7);
    expect(en.stderr).toMatch(/Your card is fine.*3BFF1800008131FE45006B0505912001F101434E5310318038/s);
    const it_ = await cns(['--lang', 'it', 'cert', 'show', '--reader', `sim:${img}`, '--json']);
    expect(it_.json.error.code).toBe('CERT_LAYOUT_UNKNOWN');
    expect(it_.json.error.message).toMatch(/La tua carta non ha problemi/);
  });

  it('doctor: the certificate check fails without telling the holder to replace the card; status still reads the rest', async () => {
    const img = await noCertificateAnywhere();
    const d = await cns(['--lang', 'it', 'doctor', '--reader', `sim:${img}`]);
    expect(d.stdout).not.toMatch(/nuova tessera|non è (ancora )?supportata/i);
    expect(d.stdout).toMatch(/Non significa che la carta sia guasta/);
    const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
    expect(s.json.holder.surname).toBe('ROSSI');
    expect(s.json.card.layout).toBeNull();
  });
});

describe('honest labels', () => {
  it("doctor on every CNS-tagged ATR of pcsc-tools' list: never 'not supported' for a card it reads; signature devices get no TS-CNS middleware advice", async () => {
    const { KNOWN_ATRS } = await import('../src/card/atr.js');
    const rows: string[] = [];
    const queue = [...KNOWN_ATRS];
    const worker = async (): Promise<void> => {
      for (let k = queue.shift(); k; k = queue.shift()) {
        const img = join(dir, `atr-${k.atr}.json`);
        expect((await cns(['sim', 'create', img, '--atr', k.atr, '--key-size', '1024'])).code).toBe(0);
        const d = await cns(['doctor', '--reader', `sim:${img}`, '--json']);
        const checks = d.json.checks as { code: string; status: string; message: string; advice?: string }[];
        const text = checks.map((c) => `${c.message} ${c.advice ?? ''}`).join('\n');
        expect(text, k.atr).not.toMatch(/not supported/i);
        expect(checks.find((c) => c.code === 'CERTIFICATE')?.status, k.atr).toBe('pass');
        const mw = checks.find((c) => c.code === 'MIDDLEWARE')!;
        if (k.kind !== 'ts-cns') expect(mw.message, k.atr).toMatch(/not a Tessera Sanitaria/);
        rows.push(`${k.kind.padEnd(16)} ${k.atr} ${k.label}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(rows).toHaveLength(KNOWN_ATRS.length);
    console.log(rows.sort().join('\n'));
  });

  it('a CIE: doctor says it is the identity card and to insert the health card; the ticket keeps its ATR and model', async () => {
    const img = join(dir, 'cie.json');
    expect((await cns(['sim', 'create', img, '--atr', '3BF41800FF8131805500318000C7', '--key-size', '1024'])).code).toBe(0);
    const ticket = join(dir, 'cie-ticket.json');
    const d = await cns(['--lang', 'it', 'doctor', '--reader', `sim:${img}`, '--report', ticket]);
    expect(d.code).toBe(7);
    expect(d.stdout).toMatch(/inserisci invece la Tessera Sanitaria/i);
    expect(d.stdout).not.toMatch(/non è \(ancora\) supportata/);
    const t = JSON.parse(readFileSync(ticket, 'utf8'));
    expect(t.cards[0]).toMatchObject({ atr: '3BF41800FF8131805500318000C7', model: expect.stringMatching(/CIE/) });
  });
});

describe('--sign-test on a certificate that cannot be decoded', () => {
  it('stops before the PIN is sent: NO_CERTIFICATE, exit 7, tries untouched', async () => {
    const img = await card('st2021', (j) => {
      const f = (j.files as { path: string; data: string }[]).find((x) => x.path === '3F00/1100/1101')!;
      f.data = 'FF'.repeat(f.data.length / 2);
    });
    const r = await cns(['pin', 'verify', '--reader', `sim:${img}`, '--stdin', '--sign-test', '--json', '--trace'], { input: '12345\n' });
    expect(r.code, r.stdout + r.stderr).toBe(7);
    expect(r.json.error.code).toBe('NO_CERTIFICATE');
    expect(commands(r.stderr).some((c) => /\[8 bytes redacted\]/.test(c))).toBe(false);
    expect(JSON.parse(readFileSync(img, 'utf8')).pin.triesLeft).toBe(3);
  });
});
