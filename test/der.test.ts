import { describe, expect, it } from 'vitest';
import { checkDer, MAX_DEPTH, parseDer } from '../src/cert/der.js';

const bytes = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');
const der = (hex: string) => {
  const d = parseDer(bytes(hex));
  checkDer(d);
  return d;
};
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

/** The strict DER reader under the certificate parser: what a card returns is untrusted. */
describe('DER reader', () => {
  it('gives each element its tag, its contents and its whole bytes, nested ones included', () => {
    // SEQUENCE { OCTET STRING AA BB, NULL, SEQUENCE { INTEGER 01 } }
    const d = der('30 0B 04 02 AA BB 05 00 30 03 02 01 01');
    expect([d.tag, d.constructed, hex(d.raw), hex(d.value)]).toEqual([0x30, true, '300B0402AABB05003003020101', '0402AABB05003003020101']);
    const [octets, nul, inner] = d.children;
    expect([octets!.tag, octets!.constructed, hex(octets!.value), hex(octets!.raw)]).toEqual([0x04, false, 'AABB', '0402AABB']);
    expect([nul!.tag, nul!.value.length, hex(nul!.raw)]).toEqual([0x05, 0, '0500']);
    expect(inner!.children.map((c) => [c.tag, hex(c.value), hex(c.raw)])).toEqual([[0x02, '01', '020101']]);
    expect(octets!.children).toEqual([]);
    // the same views when asked again
    expect(d.children[0]!.value).toBe(octets!.value);
  });

  it('reads lengths in their long form and multi-byte tags', () => {
    const long = `04 81 80 ${'11'.repeat(0x80)}`;
    expect(der(long).value.length).toBe(0x80);
    expect(der('9F 22 01 07').tag).toBe(0x9f22);
  });

  it.each([
    ['a nested element running past the end of the one that holds it', '30 08 30 02 04 05 01 02 03 04', 'value runs past the end'],
    ['bytes after the element', '04 01 AA BB', '1 bytes after the element'],
    ['an indefinite length', '30 80 00 00', 'indefinite length'],
    ['a length not in its shortest form', '04 81 01 AA', 'length not in its shortest form'],
    ['a length with a leading zero byte', `04 82 00 80 ${'11'.repeat(0x80)}`, 'length not in its shortest form'],
    ['a zero tag', '30 02 00 00', 'a zero tag'],
    ['a truncated length', '30 82 01', 'truncated length'],
    ['a truncated tag', '30 01 1F', 'truncated tag'],
    ['a value longer than the input', '04 05 AA', 'value runs past the end'],
  ])('refuses %s', (_, input, why) => {
    expect(() => der(input)).toThrow(`not DER: ${why}`);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} levels, and takes it up to there`, () => {
    const nest = (levels: number): string => {
      let h = '0500';
      for (let i = 0; i < levels; i++) h = `30${(h.length / 2).toString(16).padStart(2, '0')}${h}`;
      return h;
    };
    expect(() => der(nest(MAX_DEPTH))).not.toThrow();
    expect(() => der(nest(MAX_DEPTH + 1))).toThrow(`nested deeper than ${MAX_DEPTH} levels`);
  });
});
