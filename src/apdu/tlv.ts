import type { Said } from './said.js';
/** BER-TLV (ISO 7816-4 / X.690 subset used by smart cards). */
export interface Tlv {
  tag: number;
  constructed: boolean;
  value: Buffer;
  /** Parsed children when the tag is constructed and the value parses cleanly. */
  children?: Tlv[];
}

export class TlvError extends Error {
  constructor(
    message: string,
    readonly said?: Said,
  ) {
    super(message);
  }
}

/** Nesting deeper than any FCP or card template: a hostile card cannot make the parser recurse without end. */
const MAX_DEPTH = 16;

/** Parse BER-TLV objects. Values are views of the input (no copies, whatever the nesting). */
export function parseTlv(input: Uint8Array, recurse = true, depth = 0): Tlv[] {
  if (depth > MAX_DEPTH) throw new TlvError(`nested deeper than ${MAX_DEPTH} levels`, { id: 'tlvDeep', facts: { n: MAX_DEPTH } });
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    // 00 and FF between objects are padding (ISO 7816-4 5.2.2)
    if (buf[i] === 0x00 || buf[i] === 0xff) {
      i++;
      continue;
    }
    const first = buf[i++]!;
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let b: number;
      let n = 0;
      do {
        if (i >= buf.length) throw new TlvError('truncated tag', { id: 'tlvMalformed' });
        b = buf[i++]!;
        tag = (tag << 8) | b;
        if (++n > 3) throw new TlvError('tag too long', { id: 'tlvMalformed' });
      } while (b & 0x80);
    }
    if (i >= buf.length) throw new TlvError('truncated length', { id: 'tlvMalformed' });
    let len = buf[i++]!;
    if (len === 0x80) throw new TlvError('indefinite length not allowed', { id: 'tlvMalformed' });
    if (len > 0x80) {
      const n = len & 0x7f;
      if (n > 3 || i + n > buf.length) throw new TlvError('bad length field', { id: 'tlvMalformed' });
      len = 0;
      for (let k = 0; k < n; k++) len = (len << 8) | buf[i++]!;
    }
    if (i + len > buf.length) throw new TlvError('value runs past the end', { id: 'tlvMalformed' });
    const value = buf.subarray(i, i + len);
    i += len;
    const constructed = (first & 0x20) !== 0;
    const tlv: Tlv = { tag, constructed, value };
    if (constructed && recurse) {
      try {
        tlv.children = parseTlv(value, true, depth + 1);
      } catch {
        // leave children undefined: the caller still has the raw value
      }
    }
    out.push(tlv);
  }
  return out;
}

export function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x100) return Buffer.from([0x81, len]);
  if (len < 0x10000) return Buffer.from([0x82, len >> 8, len & 0xff]);
  return Buffer.from([0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
}

export function encodeTlv(tag: number, value: Uint8Array): Buffer {
  const tagBytes: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) tagBytes.unshift(t & 0xff);
  if (tagBytes.length === 0) tagBytes.push(0);
  return Buffer.concat([Buffer.from(tagBytes), encodeLength(value.length), Buffer.from(value)]);
}

export function findTag(list: Tlv[] | undefined, tag: number): Tlv | undefined {
  return list?.find((t) => t.tag === tag);
}

/** Total length of the TLV at the start of `b` (one-byte tag, definite length), once enough bytes are there to know it. */
export function tlvLength(b: Uint8Array): number | undefined {
  if (b.length < 2) return undefined;
  const l = b[1]!;
  if (l < 0x80) return 2 + l;
  const n = l & 0x7f;
  if (n === 0 || n > 3 || b.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}
