/**
 * SHA-1 and SHA-256 (FIPS 180-4) over bytes, in JavaScript. `cns status` and `cert check` hash a
 * certificate (~1 KB) and EF_Dati_personali (~400 bytes) and need nothing else from OpenSSL on a
 * real card; loading node:crypto for that cost ~3 ms of every such command (it pulls in Node's
 * streams), hashing here ~0.1 ms (issue 27). Public data only: nothing secret is hashed here
 * (a PIN never is), so there is no timing to guard.
 */

const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The message padded to whole 64-byte blocks, its length in bits at the end (big-endian). */
function padded(data: Uint8Array): DataView {
  const blocks = Math.ceil((data.length + 9) / 64);
  const buf = new Uint8Array(blocks * 64);
  buf.set(data);
  buf[data.length] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = data.length * 8;
  view.setUint32(buf.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(buf.length - 4, bits >>> 0);
  return view;
}

// Written for V8's interpreter as much as its compilers: a command hashes a few KB once, cold,
// so plain locals and no allocation per round (measured: 1.1 KB in ~0.2 ms instead of ~1 ms).
// The 32-bit sums are made of their 16-bit halves: a sum of int32 values that leaves the int32
// range is a heap number in the interpreter, and `status`'s hashes made ~110 KB of them, enough
// for a young-generation collection of their own (~1 ms; issue 27). Halves never leave it.

export function sha256(data: Uint8Array): Buffer {
  const m = padded(data);
  const h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Int32Array(64);
  for (let off = 0; off < m.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = m.getInt32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      const p = w[i - 16]!;
      const q = w[i - 7]!;
      const lo = (p & 0xffff) + (s0 & 0xffff) + (q & 0xffff) + (s1 & 0xffff);
      w[i] = (((p >>> 16) + (s0 >>> 16) + (q >>> 16) + (s1 >>> 16) + (lo >>> 16)) << 16) | (lo & 0xffff);
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const K = K256[i]!;
      const W = w[i]!;
      // t1 = k + S1 + ch + K + W, as its halves (l1 low, h1 high with the low half's carry)
      const l1 = (k & 0xffff) + (S1 & 0xffff) + (ch & 0xffff) + (K & 0xffff) + (W & 0xffff);
      const h1 = (k >>> 16) + (S1 >>> 16) + (ch >>> 16) + (K >>> 16) + (W >>> 16) + (l1 >>> 16);
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const mj = (a & b) ^ (a & c) ^ (b & c);
      k = g;
      g = f;
      f = e;
      // e = d + t1
      const l2 = (d & 0xffff) + (l1 & 0xffff);
      e = (((d >>> 16) + h1 + (l2 >>> 16)) << 16) | (l2 & 0xffff);
      d = c;
      c = b;
      b = a;
      // a = t1 + S0 + mj
      const l3 = (l1 & 0xffff) + (S0 & 0xffff) + (mj & 0xffff);
      a = ((h1 + (S0 >>> 16) + (mj >>> 16) + (l3 >>> 16)) << 16) | (l3 & 0xffff);
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + k;
  }
  return bigEndian(h);
}

export function sha1(data: Uint8Array): Buffer {
  const m = padded(data);
  const h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const w = new Int32Array(80);
  for (let off = 0; off < m.byteLength; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = m.getInt32(off + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const r = (a << 5) | (a >>> 27);
      const W = w[i]!;
      const lo = (r & 0xffff) + (f & 0xffff) + (e & 0xffff) + (k & 0xffff) + (W & 0xffff);
      const t = (((r >>> 16) + (f >>> 16) + (e >>> 16) + (k >>> 16) + (W >>> 16) + (lo >>> 16)) << 16) | (lo & 0xffff);
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
  }
  return bigEndian(h);
}

function bigEndian(words: Int32Array): Buffer {
  const out = Buffer.alloc(words.length * 4);
  for (let i = 0; i < words.length; i++) out.writeInt32BE(words[i]!, i * 4);
  return out;
}
