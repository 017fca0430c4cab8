import type { Said } from '../apdu/said.js';
/** PEM armour for DER objects. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export class PemError extends Error {
  constructor(
    message: string,
    readonly said?: Said,
  ) {
    super(message);
  }
}

/** The first PEM block with `label`, as DER; a file that is already DER is returned as is. */
export function fromPem(text: string | Buffer, label = 'CERTIFICATE'): Buffer {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  if (buf[0] === 0x30) return buf;
  const s = buf.toString('utf8');
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`);
  const m = re.exec(s);
  if (!m) throw new PemError(`no ${label} PEM block found`, { id: 'xNoPem', facts: { label } });
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}
