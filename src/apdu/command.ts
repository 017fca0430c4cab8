/**
 * ISO 7816-4 command APDUs, short and extended length.
 * `le` is Ne, the number of response bytes expected: 1..256 for short, 1..65536 for extended;
 * undefined means no Le field.
 */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  le?: number;
}

export interface DecodedCommand extends Omit<CommandApdu, 'data'> {
  data?: Buffer;
  extended: boolean;
}

export class ApduFormatError extends Error {}

export function needsExtended(cmd: CommandApdu): boolean {
  const lc = cmd.data?.length ?? 0;
  return lc > 255 || (cmd.le !== undefined && cmd.le > 256);
}

export function encodeCommand(cmd: CommandApdu, allowExtended = true): Buffer {
  const lc = cmd.data?.length ?? 0;
  const le = cmd.le;
  if (lc > 65535) throw new ApduFormatError('command data longer than 65535 bytes');
  if (le !== undefined && (le < 1 || le > 65536)) throw new ApduFormatError('Le out of range');
  const extended = needsExtended(cmd);
  if (extended && !allowExtended) {
    throw new ApduFormatError('this card does not accept extended-length APDUs');
  }
  const parts: number[] = [cmd.cla & 0xff, cmd.ins & 0xff, cmd.p1 & 0xff, cmd.p2 & 0xff];
  if (!extended) {
    if (lc > 0) parts.push(lc, ...(cmd.data ?? []));
    if (le !== undefined) parts.push(le === 256 ? 0 : le);
  } else {
    parts.push(0);
    if (lc > 0) parts.push(lc >> 8, lc & 0xff, ...(cmd.data ?? []));
    if (le !== undefined) {
      const v = le === 65536 ? 0 : le;
      parts.push(v >> 8, v & 0xff);
    }
  }
  return Buffer.from(parts);
}

/** The card side: parse the four ISO cases, short and extended. */
export function decodeCommand(bytes: Uint8Array): DecodedCommand {
  if (bytes.length < 4) throw new ApduFormatError('APDU shorter than 4 bytes');
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const base = { cla, ins, p1, p2 };
  if (body.length === 0) return { ...base, extended: false };
  if (body.length === 1) return { ...base, le: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...base, data: Buffer.from(body.subarray(1)), extended: false };
    if (body.length === 2 + lc) {
      const le = body[1 + lc]!;
      return { ...base, data: Buffer.from(body.subarray(1, 1 + lc)), le: le === 0 ? 256 : le, extended: false };
    }
    throw new ApduFormatError('Lc does not match the command length');
  }
  // body[0] == 0 and more than one byte: extended length
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...base, le: le === 0 ? 65536 : le, extended: true };
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new ApduFormatError('extended Lc of zero');
  if (body.length === 3 + lc) return { ...base, data: Buffer.from(body.subarray(3)), extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { ...base, data: Buffer.from(body.subarray(3, 3 + lc)), le: le === 0 ? 65536 : le, extended: true };
  }
  throw new ApduFormatError('extended Lc does not match the command length');
}
