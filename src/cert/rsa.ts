import { sha256 } from '../util/digest.js';

/**
 * RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 8.2.2), in JavaScript: the check of a
 * certificate's signature by a known issuer, on the path of `cns status` and `cert check`, without
 * loading node:crypto (~3 ms, issue 27). It follows the RFC's way: the expected encoded message is
 * built from the hash and compared whole with what the signature opens to, so nothing in it is
 * parsed (no room for the lenient-parser forgeries of PKCS#1 v1.5). Public data only.
 */

/** DER DigestInfo prefix for SHA-256 (RFC 8017 9.2, note 1). */
const SHA256_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const toBig = (b: Uint8Array): bigint => (b.length ? BigInt(`0x${Buffer.from(b).toString('hex')}`) : 0n);

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/**
 * Whether `signature` is `modulus`/`exponent`'s RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
 * The modulus and exponent are big-endian, without leading zeros (as x509.ts gives them).
 */
export function rsaSha256Verifies(modulus: Buffer, exponent: Buffer, message: Uint8Array, signature: Uint8Array): boolean {
  const k = modulus.length;
  // 1024 to 8192 bits (RFC 8017 needs k >= tLen + 11 = 62 bytes; nothing smaller is a CA's key)
  if (k < 128 || k > 1024 || exponent.length === 0 || exponent.length > 8 || signature.length !== k) return false;
  const n = toBig(modulus);
  const e = toBig(exponent);
  const s = toBig(signature);
  if (e < 3n || !(e & 1n) || s >= n) return false;
  const m = modPow(s, e, n);
  const em = Buffer.alloc(k);
  const hex = m.toString(16);
  if (hex.length > k * 2) return false;
  Buffer.from(hex.padStart(k * 2, '0'), 'hex').copy(em);
  const t = Buffer.concat([SHA256_PREFIX, sha256(message)]);
  const expected = Buffer.alloc(k, 0xff);
  expected[0] = 0x00;
  expected[1] = 0x01;
  expected[k - t.length - 1] = 0x00;
  t.copy(expected, k - t.length);
  return em.equals(expected);
}
