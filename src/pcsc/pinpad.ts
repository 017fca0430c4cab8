import type { PinBlockFormat, PinPad } from '../apdu/transport.js';

/**
 * Secure PIN entry, PC/SC v2 part 10: the reader's features (CM_IOCTL_GET_FEATURE_REQUEST), its
 * PIN properties, and the VERIFY / MODIFY PIN DIRECT structures. Generic: what a card needs in
 * the block comes from the caller.
 */
export const FEATURE = { VERIFY_PIN_DIRECT: 0x06, MODIFY_PIN_DIRECT: 0x07, IFD_PIN_PROPERTIES: 0x0a, GET_TLV_PROPERTIES: 0x12 } as const;

/** SCARD_CTL_CODE(3400): pcsc-lite's and Windows' own numbering. */
export function featureRequestCode(windows: boolean): number {
  return windows ? 0x00313520 : 0x42000d48;
}

/**
 * A reader's TLV list (tag, one-byte length, value), each value read by `value` (undefined: not
 * kept). A length running past the end makes the whole list nothing: a reader's answer is untrusted.
 */
function walkTlv(buf: Buffer, value: (at: number, len: number) => number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i + 2 <= buf.length; ) {
    const len = buf[i + 1]!;
    if (i + 2 + len > buf.length) return new Map();
    const v = value(i + 2, len);
    if (v !== undefined) out.set(buf[i]!, v);
    i += 2 + len;
  }
  return out;
}

/** The features' TLVs: tag, length 4, the big-endian control code. */
export function parseFeatures(buf: Buffer): Map<number, number> {
  return walkTlv(buf, (at, len) => (len === 4 ? buf.readUInt32BE(at) : undefined));
}

/** GET_TLV_PROPERTIES: tag, length, little-endian value. bMinPINSize 0x06, bMaxPINSize 0x07, wLcdLayout 0x01. */
export function parseTlvProperties(buf: Buffer): Map<number, number> {
  return walkTlv(buf, (at, len) => (len >= 1 && len <= 4 ? buf.readUIntLE(at, len) : undefined));
}

const FORMAT: Record<PinBlockFormat['encoding'], number> = { binary: 0x00, bcd: 0x01, ascii: 0x02 };

interface Entry {
  timeoutSeconds: number;
  format: PinBlockFormat;
  display: boolean;
}

/** bmFormatString (units in bytes, PIN at the data's start, left-justified), the block, the lengths. */
function common(e: Entry): { formatString: number; blockString: number; extra: Buffer } {
  const extra = Buffer.alloc(2);
  // wPINMaxExtraDigit: min in the high byte, max in the low one (little-endian on the wire)
  extra.writeUInt16LE(((e.format.minLength & 0xff) << 8) | (e.format.maxLength & 0xff));
  return { formatString: 0x80 | FORMAT[e.format.encoding], blockString: e.format.blockLength & 0x0f, extra };
}

function withData(head: Buffer, template: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(template.length);
  return Buffer.concat([head, len, template]);
}

/** PIN_VERIFY_STRUCTURE: the OK key validates; the reader's own message only where it has a display. */
export function verifyStructure(template: Buffer, e: Entry): Buffer {
  const c = common(e);
  const head = Buffer.from([
    e.timeoutSeconds,
    e.timeoutSeconds,
    c.formatString,
    c.blockString,
    0x00, // bmPINLengthFormat: no length field in the block
    ...c.extra,
    0x02, // bEntryValidationCondition: the OK key
    e.display ? 0x01 : 0x00, // bNumberMessage
    0x09,
    0x04, // wLangId 0x0409
    0x00, // bMsgIndex
    0x00,
    0x00,
    0x00, // bTeoPrologue
  ]);
  return withData(head, template);
}

/** PIN_MODIFY_STRUCTURE: the current PIN at offset 0, the new one after it, asked again to confirm. */
export function modifyStructure(template: Buffer, e: Entry): Buffer {
  const c = common(e);
  const head = Buffer.from([
    e.timeoutSeconds,
    e.timeoutSeconds,
    c.formatString,
    c.blockString,
    0x00,
    0x00, // bInsertionOffsetOld
    e.format.blockLength, // bInsertionOffsetNew
    ...c.extra,
    0x03, // bConfirmPIN: the current PIN, and the new one twice
    0x02,
    e.display ? 0x03 : 0x00,
    0x09,
    0x04,
    0x00,
    0x01,
    0x02, // bMsgIndex1-3
    0x00,
    0x00,
    0x00,
  ]);
  return withData(head, template);
}

/** What a pad needs from the connection: one control call, bounded. */
export type Control = (code: number, input: Buffer, timeoutMs: number) => Promise<Buffer>;

/**
 * The reader's pad, read from its features, or null where it has no VERIFY PIN DIRECT. A reader
 * that refuses the request has no pad.
 */
export async function readPinPad(control: Control, windows: boolean): Promise<PinPad | null> {
  let features: Map<number, number>;
  try {
    features = parseFeatures(await control(featureRequestCode(windows), Buffer.alloc(0), 5000));
  } catch {
    return null;
  }
  const verifyCode = features.get(FEATURE.VERIFY_PIN_DIRECT);
  if (verifyCode === undefined) return null;
  const modifyCode = features.get(FEATURE.MODIFY_PIN_DIRECT);
  let props = new Map<number, number>();
  const tlv = features.get(FEATURE.GET_TLV_PROPERTIES);
  if (tlv !== undefined) props = parseTlvProperties(await control(tlv, Buffer.alloc(0), 5000).catch(() => Buffer.alloc(0)));
  const min = props.get(0x06);
  const max = props.get(0x07);
  const display = (props.get(0x01) ?? 0) > 0;
  const narrow = (f: PinBlockFormat): PinBlockFormat => ({
    ...f,
    minLength: Math.max(f.minLength, min && min > 0 ? min : 0),
    maxLength: Math.min(f.maxLength, max && max > 0 ? max : f.maxLength),
  });
  // the reader answers with the status word (its own 64 0x, or the card's)
  const sw = (out: Buffer): number => (out.length >= 2 ? out.readUInt16BE(out.length - 2) : 0x6f00);
  // the person's time, and the reader's own margin: libccid waits max(90, timeout + 10) s
  const bound = (s: number): number => (Math.max(90, s + 10) + 5) * 1000;
  return {
    minLength: min && min > 0 ? min : null,
    maxLength: max && max > 0 ? max : null,
    display,
    canModify: modifyCode !== undefined,
    async verify(template, format, timeoutSeconds) {
      const input = verifyStructure(template, { timeoutSeconds, format: narrow(format), display });
      return sw(await control(verifyCode, input, bound(timeoutSeconds)));
    },
    async modify(template, format, timeoutSeconds) {
      if (modifyCode === undefined) throw new Error('the reader has no MODIFY PIN DIRECT');
      const input = modifyStructure(template, { timeoutSeconds, format: narrow(format), display });
      return sw(await control(modifyCode, input, bound(timeoutSeconds)));
    },
  };
}
