import { ApduChannel, commandTimeoutMs } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import { type Fcp, parseFcp } from '../apdu/fcp.js';
import { ApduError, ApduTransportError, type ResponseApdu } from '../apdu/response.js';
import { SW, triesFromStatus } from '../apdu/status.js';
import { tlvLength } from '../apdu/tlv.js';
import type { ApduTracer } from '../apdu/trace.js';
import type { PinPad, Transport } from '../apdu/transport.js';
import { isDigits } from '../util/text.js';
import { type CnsAtrInfo, decodeAtr, MASK_STINCARD } from './atr.js';
import type { Card, CardFiles, CardOrigin, Keyset, SecretKind, SignatureLayout, TriesState } from './card.js';
import { type CardId, parseIdCarta } from './efIdCarta.js';
import { CardError, PinpadError, SecretBlockedError, WrongSecretError } from './errors.js';
import {
  AUTH_LAYOUTS,
  type AuthLayout,
  CNS_PATHS,
  INFOCAMERE_CERT_OFFSET,
  PIN_MAX,
  PIN_MIN,
  PIN_PAD_LENGTH,
  PIN_REFERENCE,
  PUK_REFERENCE,
  padPin,
  SIGNATURE_PIN_REFERENCE,
  SIGNATURE_PUK_REFERENCE,
} from './files.js';
import { digestInfo, type HashName, pkcs1v15SignaturePad } from './pkcs1.js';

export type { SecretKind, TriesState } from './card.js';

/** Largest READ BINARY asked of a CNS (OpenSC's ITACNS_MAX_PAYLOAD). */
const READ_CHUNK = 0xff;

/** The reader's own endings of a keypad entry (PC/SC part 10): nothing reached the card. */
const PAD_ENDINGS = new Map<number, PinpadError['reason']>([
  [0x6400, 'timeout'],
  [0x6401, 'cancelled'],
  [0x6402, 'mismatch'],
  [0x6403, 'length'],
]);

/** The card refused a PIN or PUK command: a counted wrong secret, a blocked one, a format, or a failure. */
function secretRefused(kind: SecretKind, sw: number, operation: string): Error {
  const n = triesFromStatus(sw);
  if (n !== undefined) return new WrongSecretError(kind, n, { sw, operation });
  if (sw === SW.AUTH_METHOD_BLOCKED) return new SecretBlockedError(kind, { sw, operation });
  if (sw === SW.WRONG_LENGTH || sw === SW.WRONG_DATA)
    return new CardError('INVALID_PIN_FORMAT', `the card refused the ${kind === 'pin' ? 'PIN' : 'PUK'} format`, { sw, operation });
  return new CardError('CARD_ERROR', `${operation} failed`, { sw, operation, said: { id: 'cFailed', facts: { operation } } });
}
/**
 * The most each kind of file can hold, and so the most read of it: EF_ID_Carta is 16 digits (OpenSC
 * reads 16 and refuses anything else); EF_Dati_personali is 400 bytes on real cards; a certificate
 * of a CNS is 1 to 2 KB. A card announcing more is read only that far.
 */
const MAX_SIZE = { ID_CARTA: 16, DATI_PERSONALI: 1024, CERTIFICATE: 8192 } as const;

/** The most of a file that is ever read (the largest offset READ BINARY can name is 7FFF); also a file without a size. */
const MAX_UNSIZED = 0x8000;
/** UPDATE BINARY chunk: short APDUs, which every CNS accepts. */
const WRITE_CHUNK = 0xf0;
/** READ BINARY answers that mean "no more data here" (ISO 7816-4; docs/card.md). */
const END_OF_DATA = [SW.END_OF_FILE, SW.WRONG_P1P2, SW.INCORRECT_P1P2];

/** A path's file identifiers as SELECT by path takes them (two bytes each, big-endian). */
function pathBytes(path: readonly number[]): Buffer {
  const data = Buffer.alloc(path.length * 2);
  path.forEach((fid, i) => {
    data.writeUInt16BE(fid, i * 2);
  });
  return data;
}

/** SELECT (ISO 7816-4 7.1.1): with the file's FCP asked for (P2 00, Le 256), or none (P2 0C). */
function selectCommand(p1: number, data: Buffer, wantFcp: boolean): CommandApdu {
  return { cla: 0, ins: 0xa4, p1, p2: wantFcp ? 0x00 : 0x0c, data, le: wantFcp ? 256 : undefined };
}

/**
 * The CNS card application over any transport: the operations read like the card's manual.
 * Every PIN/PUK APDU is sent exactly once; a failure is reported, never retried.
 */
export class CnsSession implements Card, CardFiles {
  private info: CnsAtrInfo;
  private originInfo: CardOrigin;
  readonly files: CardFiles = this;
  private readonly channel: ApduChannel;
  securityStateChanged = false;

  constructor(
    readonly transport: Transport,
    tracer?: ApduTracer,
  ) {
    this.info = decodeAtr(transport.atr());
    this.originInfo = { kind: 'atr', atr: this.info };
    this.channel = new ApduChannel(transport, {
      extendedLength: this.info.extendedLength,
      tracer,
      deadline: Date.now() + commandTimeoutMs(),
    });
  }

  get atrInfo(): CnsAtrInfo {
    return this.info;
  }

  get origin(): CardOrigin {
    return this.originInfo;
  }

  /**
   * When the ATR does not decide (a contactless pseudo-ATR, another tag, an ATR never seen):
   * read-only SELECTs and READ BINARYs of the CNS files. It is a CNS when EF_ID_Carta holds a
   * 16-digit card id and EF 1101 a certificate (`keyBitsOf` reads its key size, or throws when it
   * is none). The key size never decides the APDU length: such a card gets short APDUs, and a
   * 2048-bit signature input goes by command chaining.
   * No PIN, nothing written; a card that is positively something else is never probed.
   */
  async identifyByApplication(keyBitsOf: (certificate: Buffer) => number | undefined): Promise<boolean> {
    if (this.info.isCns) return true;
    if (!this.info.probe) return false;
    let keyBits: number;
    try {
      const id = await this.readCardId();
      if (!isDigits(id.id, 16, 16)) return false;
      const der = await this.readCertificate();
      keyBits = keyBitsOf(der) ?? 0;
      // what identifying read is what the command reads next: kept for that one use
      this.identified = { id, certificate: der };
    } catch (e) {
      if (e instanceof ApduTransportError) throw e;
      return false;
    }
    const bits = keyBits > 1024 ? 2048 : 1024;
    this.info = {
      ...this.info,
      isCns: true,
      reason: undefined,
      identifiedBy: 'application',
      probe: false,
      keyBits: bits,
      model: this.info.contactless ? 'TS-CNS (NFC)' : 'TS-CNS',
    };
    this.originInfo = { kind: 'atr', atr: this.info };
    return true;
  }

  get name(): string {
    return this.transport.name;
  }

  /** STIncard masks want bit 0x80 in P2 of the PIN commands (OpenSC card-itacns.c). */
  private refP2(ref: number): number {
    return this.atrInfo.maskManufacturerCode === MASK_STINCARD ? ref | 0x80 : ref;
  }

  private refFor(kind: SecretKind, keyset: Keyset = 'auth'): number {
    // the InfoCamere 1204 signature key is under the CNS PIN and PUK
    if (keyset === 'signature' && this.signatureLayout !== 'infocamere')
      return kind === 'pin' ? SIGNATURE_PIN_REFERENCE : SIGNATURE_PUK_REFERENCE;
    return kind === 'pin' ? PIN_REFERENCE : PUK_REFERENCE;
  }

  signatureLayout?: SignatureLayout | null;

  private async exists(path: readonly number[]): Promise<boolean> {
    // a missing file (6A82) is an answer here, not a failure: no error is made and caught for it
    // (status probes two files; each missing one made two errors, with their stack traces;
    // issue 27). Any other refusal is the ApduError a SELECT raises.
    const { sw } = await this.channel.send(selectCommand(0x08, pathBytes(path), false));
    if (sw === SW.SUCCESS) return true;
    if (sw === SW.FILE_NOT_FOUND) return false;
    throw new ApduError(sw, 'SELECT');
  }

  /**
   * The signature keyset is there when its certificate EF is (a card without it answers 6A82):
   * OpenSC's CNS1 first, then the InfoCamere 1204 EF with a non-empty certificate in it.
   */
  async hasSignatureKeyset(): Promise<boolean> {
    if (this.signatureLayout !== undefined) return this.signatureLayout !== null;
    if (await this.exists(CNS_PATHS.SIGNATURE_CERTIFICATE)) this.signatureLayout = 'cns1';
    else if (await this.exists(CNS_PATHS.INFOCAMERE_CERTIFICATE)) {
      const head = (await this.readBinary(0, 3)).data;
      this.signatureLayout = head.length >= 3 && ((head[1]! << 8) | head[2]!) > 0 ? 'infocamere' : null;
    } else this.signatureLayout = null;
    return this.signatureLayout !== null;
  }

  /**
   * SELECT by path: from the MF (P1 08, what OpenSC sends), or from the current DF (P1 09, what
   * the ACe 2025 middleware sends after selecting its application).
   */
  async selectPath(path: readonly number[], wantFcp = true, from: 'mf' | 'current' = 'mf'): Promise<Fcp | undefined> {
    const data = pathBytes(path);
    const file = path.map((p) => p.toString(16).toUpperCase()).join('/');
    return this.select(from === 'mf' ? 0x08 : 0x09, data, wantFcp, file);
  }

  /** SELECT an application by its name (AID), the way the ACe 2025 middleware does. */
  async selectApplication(aid: Buffer): Promise<void> {
    await this.select(0x04, aid, true, aid.toString('hex').toUpperCase());
  }

  private async select(p1: number, data: Buffer, wantFcp: boolean, file: string): Promise<Fcp | undefined> {
    let r: ResponseApdu;
    try {
      r = await this.channel.sendOk(selectCommand(p1, data, wantFcp), 'SELECT');
    } catch (e) {
      if (e instanceof ApduError && e.sw === SW.FILE_NOT_FOUND)
        throw new CardError('FILE_NOT_FOUND', `file ${file} not found`, { sw: e.sw, said: { id: 'cFileNotFound', facts: { file } } });
      throw e;
    }
    if (!wantFcp || r.data.length === 0) return undefined;
    try {
      return parseFcp(r.data);
    } catch {
      return undefined;
    }
  }

  async readBinary(offset: number, length: number): Promise<{ data: Buffer; end: boolean }> {
    const r = await this.channel.sendOk(
      { cla: 0, ins: 0xb0, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, le: length },
      'READ BINARY',
      END_OF_DATA,
    );
    if (r.sw === SW.SUCCESS) return { data: r.data, end: r.data.length < length };
    return { data: r.sw === SW.END_OF_FILE ? r.data : Buffer.alloc(0), end: true };
  }

  /**
   * Read a transparent EF as every CNS takes it: short READ BINARY of at most 255 bytes (OpenSC's
   * ITACNS_MAX_PAYLOAD; no public log shows a CNS answering an extended one), whatever the card's
   * key size or APDU capabilities. The end of the data is the FCP's size when there is one, else
   * whichever the card says: 6282, 6B00 / 6A86 at the end, or fewer bytes than asked with 9000; a
   * file without a size is read to its end, at most MAX_UNSIZED bytes. With `objectLength`, only the
   * object the first bytes announce is read (EF 1101 is larger than the certificate it holds).
   */
  async readFile(
    path: readonly number[],
    objectLength?: (head: Buffer) => number | undefined,
    from: 'mf' | 'current' = 'mf',
    max: number = MAX_UNSIZED,
  ): Promise<Buffer> {
    const fcp = await this.selectPath(path, true, from);
    const size = fcp?.size;
    if (size === 0) return Buffer.alloc(0); // nothing to read (and no READ BINARY of Le 0)
    // at most what a file of its kind can hold (`max`), and never past 7FFF, which READ BINARY
    // cannot address: a larger size (a hostile FCP) is read that far only
    let want = Math.min(size ?? MAX_UNSIZED, max, MAX_UNSIZED);
    let announced = objectLength === undefined;
    const chunks: Buffer[] = [];
    let offset = 0;
    while (offset < want) {
      const { data, end } = await this.readBinary(offset, Math.min(READ_CHUNK, want - offset));
      chunks.push(data);
      offset += data.length;
      if (!announced) {
        const len = objectLength!(chunks.length === 1 ? data : Buffer.concat(chunks));
        if (len !== undefined) {
          announced = true;
          want = Math.min(len, want);
        }
      }
      if (end || data.length === 0) break;
    }
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    return all.length > want ? all.subarray(0, want) : all;
  }

  /** The card id and certificate read to identify the card, handed once to the next reader of each (no second read). */
  private identified?: { id?: CardId; certificate?: Buffer };

  async readCardId(): Promise<CardId> {
    const kept = this.identified?.id;
    if (kept && this.identified) {
      this.identified.id = undefined;
      return kept;
    }
    return parseIdCarta(await this.readFile(CNS_PATHS.ID_CARTA, undefined, 'mf', MAX_SIZE.ID_CARTA));
  }

  async readDatiPersonaliRaw(): Promise<Buffer> {
    return this.readFile(CNS_PATHS.DATI_PERSONALI, undefined, 'mf', MAX_SIZE.DATI_PERSONALI);
  }

  /**
   * The raw content of EF 1101, read only as far as the DER certificate it holds says
   * (the EF is larger than the certificate; the rest is padding).
   */
  async readCertificate(keyset: Keyset = 'auth'): Promise<Buffer> {
    if (keyset === 'signature' && this.signatureLayout === 'infocamere') {
      const raw = await this.readFile(
        CNS_PATHS.INFOCAMERE_CERTIFICATE,
        (h) => (h.length >= 3 ? INFOCAMERE_CERT_OFFSET + ((h[1]! << 8) | h[2]!) : undefined),
        'mf',
        INFOCAMERE_CERT_OFFSET + MAX_SIZE.CERTIFICATE,
      );
      return raw.subarray(INFOCAMERE_CERT_OFFSET);
    }
    if (keyset === 'signature') return this.readFile(CNS_PATHS.SIGNATURE_CERTIFICATE, derLength, 'mf', MAX_SIZE.CERTIFICATE);
    return this.authCertificate();
  }

  private layout?: AuthLayout;

  private async readLayoutCertificate(l: AuthLayout): Promise<Buffer> {
    if (!l.application) return this.readFile(l.certificate, certificateLength, 'mf', MAX_SIZE.CERTIFICATE);
    await this.selectApplication(l.application);
    return this.readFile(l.certificate, certificateLength, 'current', MAX_SIZE.CERTIFICATE);
  }

  /** Where this card keeps its authentication keyset, once its certificate was found (undefined before). */
  get authLayout(): AuthLayout['name'] | undefined {
    return this.layout?.name;
  }

  /** The layouts to look in: the one the ATR points to first, then the others. */
  private layoutOrder(): AuthLayout[] {
    const first = this.info.layoutHint ? AUTH_LAYOUTS[this.info.layoutHint] : AUTH_LAYOUTS.cns;
    return [first, ...Object.values(AUTH_LAYOUTS).filter((l) => l !== first)];
  }

  /**
   * The authentication certificate, wherever this generation keeps it. Each candidate EF is read
   * only as far as its first bytes say a certificate is there (an EF that is no certificate costs
   * one READ BINARY). A classic EF 1101 holding no certificate, with no other layout on the card,
   * is returned as it is, so that a damaged or half-written certificate is reported as such. No
   * layout at all: the card is not broken, this version cannot find its certificate.
   */
  private async authCertificate(): Promise<Buffer> {
    const kept = this.identified?.certificate;
    if (kept && this.identified) {
      this.identified.certificate = undefined;
      return kept;
    }
    if (this.layout) return this.readLayoutCertificate(this.layout);
    let classic: Buffer | undefined;
    for (const l of this.layoutOrder()) {
      let der: Buffer;
      try {
        der = await this.readLayoutCertificate(l);
      } catch (e) {
        if (e instanceof CardError && e.code === 'FILE_NOT_FOUND') continue;
        throw e;
      }
      if (der[0] === 0x30 && derLength(der) === der.length) {
        this.layout = l;
        return der;
      }
      if (l.name === 'cns') classic = der;
    }
    if (classic) {
      this.layout = AUTH_LAYOUTS.cns;
      return classic;
    }
    throw new CardError('LAYOUT_UNKNOWN', 'no authentication certificate where this version of cns looks for it', {
      said: { id: 'cLayoutUnknown', facts: { atr: this.info.atr } },
    });
  }

  /** Size of an EF from its FCP (undefined when the card gives none). */
  async fileSize(path: readonly number[]): Promise<number | undefined> {
    return (await this.selectPath(path))?.size;
  }

  /**
   * Write `data` at `offset` of an EF, in short UPDATE BINARY chunks (each a small, complete
   * step: an interruption leaves a prefix written, which the caller accounts for).
   */
  async writeFile(
    path: readonly number[],
    data: Uint8Array,
    o: { offset?: number; onChunk?: (written: number) => void } = {},
  ): Promise<void> {
    const base = o.offset ?? 0;
    await this.selectPath(path, false);
    for (let at = 0; at < data.length; at += WRITE_CHUNK) {
      const chunk = data.subarray(at, Math.min(at + WRITE_CHUNK, data.length));
      const offset = base + at;
      try {
        await this.channel.sendOk({ cla: 0, ins: 0xd6, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, data: chunk }, 'UPDATE BINARY');
      } catch (e) {
        if (e instanceof ApduError && e.sw === SW.SECURITY_STATUS_NOT_SATISFIED)
          throw new CardError('SECURITY_STATUS', 'writing needs the PUK verified first', { sw: e.sw, said: { id: 'cNeedPuk' } });
        throw e;
      }
      o.onChunk?.(at + chunk.length);
    }
  }

  /** EF 1101 as it is, all of it (to tell a complete, an old and a half-written certificate apart). */
  async readCertificateEf(): Promise<Buffer> {
    return this.readFile(CNS_PATHS.CERTIFICATE, undefined, 'mf', MAX_SIZE.CERTIFICATE);
  }

  /** VERIFY with no data: ISO 7816-4's way to read tries left without spending one. */
  async tries(kind: SecretKind, keyset: Keyset = 'auth'): Promise<TriesState> {
    // the usual answer (63Cx) is the count itself, not a failure: read from the status word, with
    // no error made and caught for it (a stack trace each; issue 27)
    const { sw } = await this.channel.send({ cla: 0, ins: 0x20, p1: 0, p2: this.refP2(this.refFor(kind, keyset)) });
    if (sw === SW.SUCCESS) return { triesLeft: null, blocked: false, verified: true, sw };
    const n = triesFromStatus(sw);
    if (n !== undefined) return { triesLeft: n, blocked: n === 0, verified: false, sw };
    if (sw === SW.AUTH_METHOD_BLOCKED) return { triesLeft: 0, blocked: true, verified: false, sw };
    // the card would not say (6700, 6A86, 6D00...): unknown, never guessed
    return { triesLeft: null, blocked: null, verified: false, sw };
  }

  /** A PIN command: sent once; a refusal becomes the typed error that says what the card counted. */
  private async secretCommand(kind: SecretKind, ins: number, p2: number, data: Buffer, operation: string): Promise<void> {
    // the card pulled while the person typed: said as such, nothing was sent
    if (this.transport.present && !(await this.transport.present()))
      throw new ApduTransportError(`the card was removed before the ${operation} was sent`, 'removed', { id: 'tRemovedBefore' }, true);
    try {
      await this.channel.sendOk({ cla: 0, ins, p1: 0, p2: this.refP2(p2), data }, operation);
    } catch (e) {
      if (!(e instanceof ApduError)) throw e;
      throw secretRefused(kind, e.sw, operation);
    }
  }

  async verify(kind: SecretKind, secret: string, keyset: Keyset = 'auth'): Promise<void> {
    await this.secretCommand(kind, 0x20, this.refFor(kind, keyset), padPin(secret), 'VERIFY');
    this.securityStateChanged = true;
  }

  async changePin(current: string, next: string, keyset: Keyset = 'auth'): Promise<void> {
    const data = Buffer.concat([padPin(current), padPin(next)]);
    await this.secretCommand('pin', 0x24, this.refFor('pin', keyset), data, 'CHANGE REFERENCE DATA');
    this.securityStateChanged = true;
  }

  /** The reader's PIN pad (PC/SC part 10), or null where it has none or cannot be asked. */
  async pinpad(): Promise<PinPad | null> {
    return this.transport.pinpad ? this.transport.pinpad() : null;
  }

  /**
   * VERIFY, or CHANGE REFERENCE DATA, with the PIN typed on the reader's pad: the template with
   * the card's PIN block (ASCII, 8 bytes padded with FF) and reference; the pad puts the digits
   * in. The pad's own endings (timeout, cancel, mismatch, length) reached nothing: PinpadError.
   */
  async onPad(op: 'verify' | 'change', keyset: Keyset = 'auth', timeoutSeconds = 30): Promise<void> {
    const pad = await this.pinpad();
    if (!pad || (op === 'change' && !pad.canModify)) throw new CardError('NOT_SUPPORTED', 'the reader has no PIN pad for this');
    if (this.transport.present && !(await this.transport.present()))
      throw new ApduTransportError('the card was removed before the PIN entry', 'removed', { id: 'tRemovedBefore' }, true);
    const ins = op === 'verify' ? 0x20 : 0x24;
    const blocks = op === 'verify' ? 1 : 2;
    const data = Buffer.alloc(PIN_PAD_LENGTH * blocks, 0xff);
    const template = Buffer.concat([Buffer.from([0x00, ins, 0x00, this.refP2(this.refFor('pin', keyset)), data.length]), data]);
    const format = { encoding: 'ascii' as const, blockLength: PIN_PAD_LENGTH, minLength: PIN_MIN, maxLength: PIN_MAX };
    const sw = op === 'verify' ? await pad.verify(template, format, timeoutSeconds) : await pad.modify(template, format, timeoutSeconds);
    const operation = op === 'verify' ? 'VERIFY' : 'CHANGE REFERENCE DATA';
    const ended = PAD_ENDINGS.get(sw);
    if (ended) throw new PinpadError(ended, sw);
    if (sw !== SW.SUCCESS) throw secretRefused('pin', sw, operation);
    this.securityStateChanged = true;
  }

  /** RESET RETRY COUNTER P1=00: PUK and new PIN in one command; P2 is the PIN's reference. */
  async unblockPin(puk: string, newPin: string, keyset: Keyset = 'auth'): Promise<void> {
    const data = Buffer.concat([padPin(puk), padPin(newPin)]);
    await this.secretCommand('puk', 0x2c, this.refFor('pin', keyset), data, 'RESET RETRY COUNTER');
  }

  /**
   * Raw RSA with the authentication key on a modulus-sized block (the host pads). The key is where
   * the certificate's layout says (read first if it was not); a 2048-bit block goes as one
   * extended APDU where the card is known to take them, else by command chaining (the channel).
   */
  async signRaw(block: Uint8Array): Promise<Buffer> {
    if (!this.layout) await this.authCertificate();
    const layout = this.layout ?? AUTH_LAYOUTS.cns;
    if (layout.keyDf) await this.selectPath(layout.keyDf, false);
    await this.channel.sendOk({ cla: 0, ins: 0x22, p1: 0xf3, p2: 0x03, le: 256 }, 'MSE RESTORE');
    await this.channel.sendOk({ cla: 0, ins: 0x22, p1: 0xf1, p2: 0xb6, data: Buffer.from([0x83, 0x01, layout.keyReference]) }, 'MSE SET');
    try {
      const r = await this.channel.sendOk(
        { cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: block, le: block.length > 256 ? 65536 : 256 },
        'PSO COMPUTE DIGITAL SIGNATURE',
      );
      return r.data;
    } catch (e) {
      if (e instanceof ApduError && e.sw === SW.SECURITY_STATUS_NOT_SATISFIED)
        throw new CardError('SECURITY_STATUS', 'the PIN must be verified before signing', { sw: e.sw, said: { id: 'cNeedPin' } });
      throw e;
    }
  }

  /** RSASSA-PKCS1-v1_5 signature of `message`; the PIN must already be verified. */
  async sign(message: Uint8Array, hash: HashName, modulusBytes: number): Promise<Buffer> {
    return this.signRaw(pkcs1v15SignaturePad(digestInfo(hash, message), modulusBytes));
  }
}

/**
 * How much of an EF to read for the certificate it may hold: what its DER header announces, or
 * what was read already when the first byte says it is no certificate (no need to read it all).
 */
function certificateLength(b: Buffer): number | undefined {
  if (b.length > 0 && b[0] !== 0x30) return b.length;
  return derLength(b);
}

/** Total length of the DER SEQUENCE at the start of `b` (a certificate), once enough bytes are there to know it. */
export function derLength(b: Buffer): number | undefined {
  return b[0] === 0x30 ? tlvLength(b) : undefined;
}
