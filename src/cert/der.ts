import { CertificateError } from './errors.js';

/**
 * A strict DER reader for certificates read from a card: every length is definite and consumed
 * exactly, nothing is skipped (no padding inside a value), nesting is bounded, and values are
 * views of the input, never copies (a deeply nested file costs its own size, not its square).
 */
export interface Der {
  tag: number;
  constructed: boolean;
  /** The whole element, header included (a view). */
  readonly raw: Buffer;
  /** The contents (a view). */
  readonly value: Buffer;
  /** The elements inside a constructed value, parsed on first use. */
  readonly children: Der[];
}

/** Deeper than any certificate the tool reads (names and extensions nest about 8 levels). */
export const MAX_DEPTH = 32;

function fail(why: string): never {
  throw new CertificateError(`not DER: ${why}`, { id: 'xNotDer' });
}

/**
 * One element. A class, not an object literal with a getter: such a literal costs a closure, its
 * context and a map of its own for every element (~650 bytes each against ~100 here; a card's
 * certificate has ~75 elements, parsed on the path of `status` and `cert check`, issue 27). Its
 * views of the input are made when first asked for: the nested elements are read from offsets, and
 * most elements' `raw` is never asked for (two views each cost ~10 KB of young generation per
 * certificate).
 */
class DerElement implements Der {
  #kids: Der[] | undefined;
  #raw: Buffer | undefined;
  #value: Buffer | undefined;
  readonly #buf: Buffer;
  /** where the element starts, where its contents start and where it ends, in #buf */
  readonly #start: number;
  readonly #at: number;
  readonly #end: number;
  readonly #depth: number;
  constructor(
    readonly tag: number,
    readonly constructed: boolean,
    buf: Buffer,
    start: number,
    at: number,
    end: number,
    depth: number,
  ) {
    this.#buf = buf;
    this.#start = start;
    this.#at = at;
    this.#end = end;
    this.#depth = depth;
  }
  get raw(): Buffer {
    this.#raw ??= this.#buf.subarray(this.#start, this.#end);
    return this.#raw;
  }
  get value(): Buffer {
    this.#value ??= this.#buf.subarray(this.#at, this.#end);
    return this.#value;
  }
  get children(): Der[] {
    this.#kids ??= this.constructed ? readAll(this.#buf, this.#at, this.#end, this.#depth + 1) : [];
    return this.#kids;
  }
}

/**
 * The element at `at`, within `buf` up to `limit`; the next one starts at `next.at` (an
 * out-parameter: no result object per element).
 */
function readOne(buf: Buffer, at: number, limit: number, depth: number, next: { at: number }): Der {
  if (depth > MAX_DEPTH)
    throw new CertificateError(`not DER: nested deeper than ${MAX_DEPTH} levels`, { id: 'tlvDeep', facts: { n: MAX_DEPTH } });
  const start = at;
  if (at >= limit) fail('truncated tag');
  const first = buf[at++]!;
  if (first === 0x00) fail('a zero tag');
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 0;
    let b: number;
    do {
      if (at >= limit) fail('truncated tag');
      b = buf[at++]!;
      tag = tag * 256 + b;
      if (++n > 3) fail('tag too long');
    } while (b & 0x80);
  }
  if (at >= limit) fail('truncated length');
  let len = buf[at++]!;
  if (len === 0x80) fail('indefinite length');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 3) fail('length longer than 16 MB');
    if (at + n > limit) fail('truncated length');
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + buf[at++]!;
    if (len < 0x80 || (n > 1 && buf[at - n] === 0)) fail('length not in its shortest form');
  }
  if (at + len > limit) fail('value runs past the end');
  next.at = at + len;
  return new DerElement(tag, (first & 0x20) !== 0, buf, start, at, at + len, depth);
}

/** The elements filling `buf` from `from` to `to`. */
function readAll(buf: Buffer, from: number, to: number, depth: number): Der[] {
  const out: Der[] = [];
  const next = { at: from };
  while (next.at < to) out.push(readOne(buf, next.at, to, depth, next));
  return out;
}

/** Exactly one DER element filling `input`; its nested elements are checked as they are read. */
export function parseDer(input: Uint8Array): Der {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const next = { at: 0 };
  const der = readOne(buf, 0, buf.length, 0, next);
  if (next.at !== buf.length) fail(`${buf.length - next.at} bytes after the element`);
  return der;
}

/** Read every nested element now, so that a broken structure anywhere is found. */
export function checkDer(d: Der): void {
  const stack = [d];
  for (let x = stack.pop(); x; x = stack.pop()) if (x.constructed) stack.push(...x.children);
}
