import { nodeCrypto } from '../util/crypto.js';

/** DER DigestInfo prefixes (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO_PREFIX: Record<string, string> = {
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export function digestInfo(hash: HashName, message: Uint8Array): Buffer {
  const digest = nodeCrypto().createHash(hash).update(message).digest();
  return Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash]!, 'hex'), digest]);
}

/** EMSA-PKCS1-v1_5 block type 01: 00 01 FF..FF 00 T, exactly modulusBytes long. */
export function pkcs1v15SignaturePad(t: Uint8Array, modulusBytes: number): Buffer {
  if (t.length > modulusBytes - 11) throw new RangeError('digest info too long for the key');
  const ps = Buffer.alloc(modulusBytes - t.length - 3, 0xff);
  return Buffer.concat([Buffer.from([0x00, 0x01]), ps, Buffer.from([0x00]), Buffer.from(t)]);
}
