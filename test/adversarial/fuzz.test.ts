import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApduFormatError, decodeCommand } from '../../src/apdu/command.js';
import { parseFcp } from '../../src/apdu/fcp.js';
import { ApduTransportError, parseResponse } from '../../src/apdu/response.js';
import { parseTlv, TlvError } from '../../src/apdu/tlv.js';
import { decodeAtr } from '../../src/card/atr.js';
import { DatiPersonaliError, parseDatiPersonali } from '../../src/card/efDatiPersonali.js';
import { parseIdCarta } from '../../src/card/efIdCarta.js';
import { parseDer } from '../../src/cert/der.js';
import { CertificateError } from '../../src/cert/errors.js';
import { parseCertificate } from '../../src/cert/x509.js';
import { certFromImage } from '../extension-helpers.js';
import { cns, tempDir } from '../helpers.js';

/** A small seeded generator (mulberry32): the same inputs on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mutation of `seed`: flipped bytes, a cut, an insertion, a repeated block, or random bytes. */
function mutate(r: () => number, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  const int = (n: number): number => Math.floor(r() * n);
  switch (int(5)) {
    case 0:
      for (let k = 0; k < 1 + int(8); k++) if (b.length) b[int(b.length)] = int(256);
      return b;
    case 1:
      return b.subarray(0, int(b.length + 1));
    case 2: {
      const at = int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256))), b.subarray(at)]);
    }
    case 3: {
      const at = int(b.length + 1);
      const piece = b.subarray(at, at + 1 + int(64));
      return Buffer.concat([b.subarray(0, at), piece, piece, b.subarray(at)]);
    }
    default:
      return Buffer.from(Array.from({ length: int(300) }, () => int(256)));
  }
}

interface Target {
  name: string;
  seeds: Buffer[];
  run: (b: Buffer) => unknown;
  /** The only error type the parser may throw; null: it must never throw. */
  error: (new (...a: never[]) => Error) | null;
}

const ROUNDS = Number(process.env.CNS_FUZZ_ROUNDS ?? 4000);
let targets: Target[] = [];

beforeAll(async () => {
  const dir = tempDir('cns-fuzz-');
  const img = join(dir, 'card.json');
  expect((await cns(['sim', 'create', img, '--card-id', '5000000000000009'])).code).toBe(0);
  const files = (JSON.parse(readFileSync(img, 'utf8')) as { files: { path: string; data?: string }[] }).files;
  const ef = (p: string): Buffer => Buffer.from(files.find((f) => f.path === p)!.data!, 'hex');
  const cert = certFromImage(img);
  targets = [
    { name: 'X.509 certificate', seeds: [cert], run: parseCertificate, error: CertificateError },
    { name: 'DER', seeds: [cert, cert.subarray(4, 200)], run: parseDer, error: CertificateError },
    { name: 'BER-TLV', seeds: [Buffer.from('6F0782013883021100', 'hex'), cert.subarray(0, 120)], run: (b) => parseTlv(b), error: TlvError },
    {
      name: 'FCP',
      seeds: [Buffer.from('621680020800820101830211018609001100FFFFFFFFFFFF', 'hex')],
      run: parseFcp,
      error: TlvError,
    },
    { name: 'EF_Dati_personali', seeds: [ef('3F00/1100/1102')], run: parseDatiPersonali, error: DatiPersonaliError },
    { name: 'EF_ID_Carta', seeds: [ef('3F00/1000/1003')], run: parseIdCarta, error: null },
    { name: 'ATR', seeds: [Buffer.from('3BFF1800FF8131FE55006B02091617011101434E531131808D', 'hex')], run: decodeAtr, error: null },
    {
      name: 'response APDU',
      seeds: [Buffer.from('9000', 'hex'), Buffer.from('01029000', 'hex')],
      run: parseResponse,
      error: ApduTransportError,
    },
    {
      name: 'command APDU (the virtual card side)',
      seeds: [Buffer.from('00A4080004110011010000', 'hex')],
      run: decodeCommand,
      error: ApduFormatError,
    },
  ];
});

describe('fuzzing every parser of card data (fixed seed, bounded rounds)', () => {
  it('each parser returns, or throws its own error type: never anything else (time and heap reported)', () => {
    const report: string[] = [];
    for (const t of targets) {
      const r = rng(0xc0ffee);
      let worstMs = 0;
      let rejected = 0;
      const heap0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < ROUNDS; i++) {
        const input = mutate(r, t.seeds[i % t.seeds.length]!);
        const t0 = performance.now();
        try {
          t.run(input);
        } catch (e) {
          rejected++;
          if (!t.error || !(e instanceof t.error)) {
            throw new Error(`${t.name}: ${input.toString('hex')} threw ${(e as Error).name}: ${(e as Error).message}`);
          }
        }
        worstMs = Math.max(worstMs, performance.now() - t0);
      }
      const heapMb = (process.memoryUsage().heapUsed - heap0) / 1048576;
      report.push(`${t.name}: ${ROUNDS} inputs, ${rejected} rejected, worst ${worstMs.toFixed(1)} ms, heap +${heapMb.toFixed(1)} MB`);
    }
    process.stdout.write(`${report.join('\n')}\n`);
    expect(report).toHaveLength(targets.length);
  });
});
