import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/apdu/bytes.js';
import { ApduChannel } from '../src/apdu/channel.js';
import { decodeCommand, encodeCommand } from '../src/apdu/command.js';
import { parseFcp } from '../src/apdu/fcp.js';
import { describeStatus, triesFromStatus } from '../src/apdu/status.js';
import { parseTlv } from '../src/apdu/tlv.js';
import { ApduTracer, formatCommandForTrace } from '../src/apdu/trace.js';
import type { Transport } from '../src/apdu/transport.js';

describe('command APDUs', () => {
  it('encodes the four short cases', () => {
    expect(toHex(encodeCommand({ cla: 0, ins: 0x20, p1: 0, p2: 0x10 }))).toBe('00 20 00 10');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('00 B0 00 00 00');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xa4, p1: 8, p2: 0x0c, data: fromHex('1000') }))).toBe('00 A4 08 0C 02 10 00');
    expect(toHex(encodeCommand({ cla: 0, ins: 0xa4, p1: 8, p2: 0, data: fromHex('1000'), le: 256 }))).toBe('00 A4 08 00 02 10 00 00');
  });

  it('encodes extended length when data or Le need it, and refuses it when not allowed', () => {
    const data = Buffer.alloc(256, 1);
    const e = encodeCommand({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data, le: 65536 });
    expect(toHex(e.subarray(0, 7))).toBe('00 2A 9E 9A 00 01 00');
    expect(toHex(e.subarray(-2))).toBe('00 00');
    expect(e.length).toBe(4 + 3 + 256 + 2);
    expect(() => encodeCommand({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data }, false)).toThrow(/extended/);
  });

  it('decodes what it encodes, short and extended', () => {
    const cases = [
      { cla: 0, ins: 0x20, p1: 0, p2: 0x10 },
      { cla: 0, ins: 0xb0, p1: 1, p2: 2, le: 255 },
      { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: Buffer.alloc(300, 7) },
      { cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: Buffer.alloc(256, 9), le: 512 },
      { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 },
    ];
    for (const c of cases) {
      const d = decodeCommand(encodeCommand(c));
      expect(d.ins).toBe(c.ins);
      expect(d.le).toBe(c.le);
      expect(d.data?.toString('hex')).toBe(c.data?.toString('hex'));
      expect(d.extended).toBe(encodeCommand(c).length > 4 + 1 + (c.data?.length ?? 0) + 1);
    }
    expect(() => decodeCommand(fromHex('00 A4 08 00 05 10 00'))).toThrow();
  });
});

describe('status words', () => {
  it('names ISO 7816-4 status words and reads tries from 63Cx', () => {
    expect(describeStatus(0x9000).name).toBe('SUCCESS');
    expect(describeStatus(0x6a82).name).toBe('FILE_NOT_FOUND');
    expect(describeStatus(0x6983).name).toBe('AUTH_METHOD_BLOCKED');
    expect(describeStatus(0x63c2).meaning).toMatch(/2 tries left/);
    expect(describeStatus(0x6110).name).toBe('MORE_DATA');
    expect(triesFromStatus(0x63c1)).toBe(1);
    expect(triesFromStatus(0x6300)).toBeUndefined();
  });
});

function scripted(replies: string[], sent: string[]): Transport {
  return {
    name: 'scripted',
    atr: () => Buffer.alloc(0),
    transmit: async (b) => {
      sent.push(toHex(b));
      const r = replies.shift();
      if (r === undefined) throw new Error('no more replies');
      return fromHex(r);
    },
    close: async () => {},
  };
}

describe('ApduChannel', () => {
  it('follows 61xx with GET RESPONSE and joins the data', async () => {
    const sent: string[] = [];
    const ch = new ApduChannel(scripted(['6104', '01 02 03 04 61 02', '05 06 90 00'], sent), { extendedLength: false });
    const r = await ch.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0, data: fromHex('3F00') });
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data)).toBe('01 02 03 04 05 06');
    expect(sent).toEqual(['00 A4 00 00 02 3F 00', '00 C0 00 00 04', '00 C0 00 00 02']);
  });

  it('re-sends a command without data on 6Cxx with the exact Le', async () => {
    const sent: string[] = [];
    const ch = new ApduChannel(scripted(['6C08', '11 22 33 44 55 66 77 88 90 00'], sent), { extendedLength: false });
    const r = await ch.send({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 256 });
    expect(r.data.length).toBe(8);
    expect(sent[1]).toBe('00 84 00 00 08');
  });

  it('never re-sends a command that carries data (a PIN) on 6Cxx', async () => {
    const sent: string[] = [];
    const ch = new ApduChannel(scripted(['6C08'], sent), { extendedLength: false });
    const r = await ch.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x10, data: Buffer.alloc(8, 0x31) });
    expect(r.sw).toBe(0x6c08);
    expect(sent.length).toBe(1);
  });

  it('gives up on a card that answers 61xx forever', async () => {
    const sent: string[] = [];
    const ch = new ApduChannel(scripted(Array(300).fill('6101'), sent), { extendedLength: false });
    await expect(ch.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1 })).rejects.toThrow(/61xx/);
  });
});

describe('trace', () => {
  it('redacts the data of VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER', () => {
    const pin = Buffer.from('12345\xff\xff\xff', 'latin1');
    for (const ins of [0x20, 0x24, 0x2c]) {
      const line = formatCommandForTrace(encodeCommand({ cla: 0, ins, p1: 0, p2: 0x90, data: pin }));
      expect(line).not.toContain('31 32 33');
      expect(line).toContain('redacted');
    }
    expect(formatCommandForTrace(fromHex('00 A4 08 00 02 10 00'))).toBe('00 A4 08 00 02 10 00');
    const lines: string[] = [];
    const t = new ApduTracer((l) => lines.push(l));
    t.command(encodeCommand({ cla: 0, ins: 0x20, p1: 0, p2: 0x10, data: pin }));
    t.response(fromHex('63C2'), 0.1);
    expect(lines.join('\n')).not.toMatch(/31 32 33 34 35/);
    expect(lines[1]).toContain('63C2 VERIFY_FAILED');
  });

  it('labels the answer to a VERIFY without data (the tries read) as the tries left, not as a failure (issue 23 item 11)', () => {
    const lines: string[] = [];
    const t = new ApduTracer((l) => lines.push(l));
    t.command(fromHex('00 20 00 10'));
    t.response(fromHex('63C3'), 0.1);
    expect(lines[1]).toContain('63C3 tries left: 3');
    expect(lines[1]).not.toContain('VERIFY_FAILED');
  });
});

describe('BER-TLV and FCP', () => {
  it('parses nested TLVs, multi-byte tags and long lengths', () => {
    const t = parseTlv(fromHex('62 08 80 02 01 90 5F 20 01 41'));
    expect(t[0]!.tag).toBe(0x62);
    expect(t[0]!.children!.map((c) => c.tag)).toEqual([0x80, 0x5f20]);
    const long = parseTlv(Buffer.concat([fromHex('04 81 90'), Buffer.alloc(0x90)]));
    expect(long[0]!.value.length).toBe(0x90);
    expect(() => parseTlv(fromHex('04 05 01'))).toThrow();
  });

  it('reads size, descriptor, file id and access conditions from an FCP', () => {
    const f = parseFcp(fromHex('62 16 80 02 08 00 82 01 01 83 02 11 01 86 09 00 11 FF FF FF FF FF FF FF'));
    expect(f.size).toBe(2048);
    expect(f.fileId).toBe(0x1101);
    expect(f.isDf).toBe(false);
    expect(toHex(f.accessConditions!.subarray(0, 2))).toBe('00 11');
    expect(parseFcp(fromHex('6F 07 82 01 38 83 02 11 00')).isDf).toBe(true);
  });
});
