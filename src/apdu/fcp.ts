import { findTag, parseTlv, TlvError } from './tlv.js';

/** File Control Parameters (ISO 7816-4 table 12), the tags smart cards actually return. */
export interface Fcp {
  /** 80: data bytes in the EF. */
  size?: number;
  /** 82 first byte (file descriptor) says DF. */
  isDf: boolean;
  /** 83 */
  fileId?: number;
  /** 86: proprietary security attributes (the CNS: 9 access-condition bytes). */
  accessConditions?: Buffer;
}

function uint(b: Buffer): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

export function parseFcp(bytes: Uint8Array): Fcp {
  const top = parseTlv(bytes);
  const tmpl = top.find((t) => t.tag === 0x62 || t.tag === 0x6f);
  if (!tmpl?.children) throw new TlvError('no FCP template (62 or 6F)', { id: 'tlvNoFcp' });
  const c = tmpl.children;
  const f80 = findTag(c, 0x80);
  const f82 = findTag(c, 0x82);
  const f83 = findTag(c, 0x83);
  const f86 = findTag(c, 0x86);
  const descriptor = f82 && f82.value.length > 0 ? f82.value[0] : undefined;
  return {
    size: f80 ? uint(f80.value) : undefined,
    isDf: descriptor !== undefined && (descriptor & 0x38) === 0x38,
    fileId: f83 && f83.value.length === 2 ? uint(f83.value) : undefined,
    accessConditions: f86?.value,
  };
}
