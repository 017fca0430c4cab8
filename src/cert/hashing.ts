import { Sha256 } from '../util/digest.js';

/** What a certificate's bytes hash to, computed while they arrived (CertificateHasher). */
export interface CertificateHashes {
  /** SHA-256 of the whole certificate: its fingerprint. */
  sha256: Buffer;
  /** SHA-256 of the signed part (tbsCertificate), and where that part is in the certificate. */
  tbs?: { start: number; end: number; sha256: Buffer };
}

/** Where tbsCertificate starts and ends, from a DER certificate's first bytes; undefined until enough have come, null if they are no certificate's. */
function tbsRange(head: Uint8Array): { start: number; end: number } | null | undefined {
  const len = (at: number): { n: number; next: number } | null | undefined => {
    const first = head[at];
    if (first === undefined) return undefined;
    if (first < 0x80) return { n: first, next: at + 1 };
    const k = first & 0x7f;
    if (k === 0 || k > 3) return null;
    if (head.length < at + 1 + k) return undefined;
    let n = 0;
    for (let i = 1; i <= k; i++) n = n * 256 + head[at + i]!;
    return { n, next: at + 1 + k };
  };
  if (head.length < 1) return undefined;
  if (head[0] !== 0x30) return null;
  const outer = len(1);
  if (!outer) return outer;
  const start = outer.next;
  if (head.length <= start) return undefined;
  if (head[start] !== 0x30) return null;
  const inner = len(start + 1);
  if (!inner) return inner;
  return { start, end: inner.next + inner.n };
}

/**
 * The fingerprint and the signed part's SHA-256 of a certificate, fed with its bytes as the card
 * sends them (`feed`), hashed on the event loop's next turn: while the card answers the next read,
 * not after the last one (issue 27). `result` gives them only for exactly the bytes fed, in order
 * from offset 0; the certificate parser checks that the signed part is where they were taken.
 * Anything else (a read that started again, bytes beyond the certificate) gives undefined, and the
 * hashes are then computed from the certificate itself, as before.
 */
export class CertificateHasher {
  private whole = new Sha256();
  private tbs = new Sha256();
  private range: { start: number; end: number } | null | undefined;
  private head: Buffer = Buffer.alloc(0);
  private seen = 0;
  private broken = false;
  private readonly queue: { data: Buffer; offset: number }[] = [];
  private scheduled = false;

  /** A piece at `offset` of the file (as Card.readCertificate's onData gives it). */
  feed = (data: Buffer, offset: number): void => {
    this.queue.push({ data, offset });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  };

  private drain(): void {
    for (const { data, offset } of this.queue.splice(0)) this.update(data, offset);
  }

  private update(data: Buffer, offset: number): void {
    if (offset === 0 && this.seen > 0) {
      // another file read from its start (a layout probed before): only the last read counts
      this.whole = new Sha256();
      this.tbs = new Sha256();
      this.range = undefined;
      this.head = Buffer.alloc(0);
      this.seen = 0;
      this.broken = false;
    }
    if (this.broken || offset !== this.seen) {
      this.broken = true;
      return;
    }
    this.whole.update(data);
    if (this.range === undefined) {
      this.head = Buffer.concat([this.head, data.subarray(0, 16)]);
      this.range = tbsRange(this.head);
      // the signed part starts within the first bytes: what came before it was fed whole above
      if (this.range) this.tbs.update(this.head.subarray(this.range.start, Math.min(this.range.end, this.head.length)));
      this.seen += data.length;
      // past the head kept: the rest of this piece
      const kept = Math.min(16, data.length);
      if (this.range && data.length > kept) this.tbsPart(data.subarray(kept), this.seen - data.length + kept);
      return;
    }
    if (this.range) this.tbsPart(data, this.seen);
    this.seen += data.length;
  }

  /** The part of `data` (at `at` in the certificate) inside the signed part. */
  private tbsPart(data: Buffer, at: number): void {
    const r = this.range!;
    const from = Math.max(r.start, at);
    const to = Math.min(r.end, at + data.length);
    if (to > from) this.tbs.update(data.subarray(from - at, to - at));
  }

  /** The hashes of `der`, when exactly its bytes were fed; undefined otherwise. */
  result(der: Uint8Array): CertificateHashes | undefined {
    this.drain();
    if (this.broken || this.seen !== der.length || der.length === 0) return undefined;
    const sha256 = this.whole.digest();
    const r = this.range;
    return r && r.end <= der.length ? { sha256, tbs: { ...r, sha256: this.tbs.digest() } } : { sha256 };
  }
}
