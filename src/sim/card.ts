import { constants, createPrivateKey, type KeyObject, privateDecrypt, randomBytes } from 'node:crypto';
import { ApduFormatError, type DecodedCommand, decodeCommand } from '../apdu/command.js';
import { encodeResponse } from '../apdu/response.js';
import { SW } from '../apdu/status.js';
import { encodeTlv } from '../apdu/tlv.js';
import { decodeAtr } from '../card/atr.js';
import { padPin } from '../card/files.js';
import type { CardImage, SecretState } from './image.js';

interface Node {
  fid: number;
  path: string;
  type: 'MF' | 'DF' | 'EF';
  parent?: Node;
  children: Node[];
  data: Buffer;
  read: number;
  update: number;
  /** An application DF's name (SELECT by AID). */
  aid?: Buffer;
}

/** Instructions that accept command chaining: the security operations and UPDATE BINARY. */
const CHAINABLE = new Set([0x2a, 0xd6]);
const AC_ALWAYS = 0x00;
const AC_NEVER = 0xff;
const PIN_REF = 0x10;
const PUK_REF = 0x11;
/** The signature keyset's PIN and PUK, and its key (OpenSC pkcs15-itacns.c, "CNS1"). */
const SIG_PIN_REF = 0x1a;
const SIG_PUK_REF = 0x1b;
const SIG_KEY = 0x10;
/** The InfoCamere 1204 key ("CNS01", security environment 21), under the CNS PIN. */
const INFOCAMERE_KEY = 0x21;
const AUTH_KEY = 0x01;

type Reply = { data?: Buffer; sw: number };

/**
 * An APDU-level model of a TS-CNS chip. It answers exactly the bytes a card would, keeps its
 * security state in memory (cleared on reset) and reports every persistent change (counters,
 * PIN, file content) through `onChange`, so the image on disk always matches the chip.
 */
export class VirtualCard {
  readonly atr: Buffer;
  private readonly extendedAllowed: boolean;
  private readonly maxResponse: number;
  private readonly mf: Node;
  private readonly key: KeyObject;
  private readonly sigKey?: KeyObject;
  private readonly modulusBytes: number;
  private currentDf!: Node;
  private currentEf?: Node;
  private verified = new Set<number>();
  private pending?: Buffer;
  private seKey?: number;
  private seOp?: 'sign' | 'decipher';
  /** Command chaining (CLA bit 0x10): the command being chained and its data so far. */
  private chain?: { ins: number; p1: number; p2: number; data: Buffer };

  constructor(
    private readonly image: CardImage,
    private readonly onChange: (image: CardImage) => void = () => {},
  ) {
    this.atr = Buffer.from(image.atr, 'hex');
    this.extendedAllowed = image.extendedLength ?? decodeAtr(this.atr).extendedLength;
    this.maxResponse = image.maxResponse ?? 256;
    this.key = createPrivateKey(image.authKey);
    if (image.signature) this.sigKey = createPrivateKey(image.signature.key);
    this.modulusBytes = Math.ceil((this.key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
    this.mf = { fid: 0x3f00, path: '3F00', type: 'MF', children: [], data: Buffer.alloc(0), read: AC_ALWAYS, update: AC_NEVER };
    const byPath = new Map<string, Node>([['3F00', this.mf]]);
    const sorted = [...image.files].sort((a, b) => a.path.length - b.path.length);
    for (const f of sorted) {
      if (f.path === '3F00') {
        // the MF may carry an application name (ACe 2025: its CNS application answers as 3F00)
        if (f.aid) this.mf.aid = Buffer.from(f.aid, 'hex');
        continue;
      }
      const parentPath = f.path.slice(0, f.path.lastIndexOf('/'));
      const parent = byPath.get(parentPath);
      if (!parent || parent.type === 'EF') throw new Error(`image file ${f.path} has no parent DF`);
      const node: Node = {
        fid: parseInt(f.path.slice(-4), 16),
        path: f.path,
        type: f.type,
        parent,
        children: [],
        data: Buffer.from(f.data ?? '', 'hex'),
        read: f.read ?? AC_ALWAYS,
        update: f.update ?? AC_NEVER,
        ...(f.aid ? { aid: Buffer.from(f.aid, 'hex') } : {}),
      };
      parent.children.push(node);
      byPath.set(f.path, node);
    }
    this.reset();
  }

  /** Power-on or warm reset: the security state and selections are lost. */
  reset(): Buffer {
    this.currentDf = this.mf;
    this.currentEf = undefined;
    this.verified.clear();
    this.pending = undefined;
    this.seKey = undefined;
    this.seOp = undefined;
    this.chain = undefined;
    return this.atr;
  }

  transmit(apdu: Uint8Array): Buffer {
    let cmd: DecodedCommand;
    try {
      cmd = decodeCommand(apdu);
    } catch (e) {
      if (e instanceof ApduFormatError) return encodeResponse(Buffer.alloc(0), SW.WRONG_LENGTH);
      throw e;
    }
    const pending = this.pending;
    this.pending = undefined;
    const r = this.dispatch(cmd, pending);
    return encodeResponse(r.data ?? Buffer.alloc(0), r.sw);
  }

  private dispatch(c: DecodedCommand, pending: Buffer | undefined): Reply {
    if ((c.cla & ~0x10) !== 0x00) return { sw: (c.cla & 0x0c) !== 0 ? 0x6882 : SW.CLA_NOT_SUPPORTED };
    if (c.extended && !this.extendedAllowed) return { sw: SW.WRONG_LENGTH };
    // ISO 7816-4 command chaining: OpenSC sends a 2048-bit block to a CNS this way.
    const chain = this.chain;
    this.chain = undefined;
    if (chain && (chain.ins !== c.ins || chain.p1 !== c.p1 || chain.p2 !== c.p2)) return { sw: 0x6883 };
    if (c.cla & 0x10) {
      if (!CHAINABLE.has(c.ins)) return { sw: 0x6884 };
      this.chain = { ins: c.ins, p1: c.p1, p2: c.p2, data: Buffer.concat([chain?.data ?? Buffer.alloc(0), c.data ?? Buffer.alloc(0)]) };
      return { sw: SW.SUCCESS };
    }
    if (chain) c = { ...c, cla: 0x00, data: Buffer.concat([chain.data, c.data ?? Buffer.alloc(0)]) };
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
        return this.readBinary(c);
      case 0xd6:
        return this.updateBinary(c);
      case 0x20:
        return this.verify(c);
      case 0x24:
        return this.changeReferenceData(c);
      case 0x2c:
        return this.resetRetryCounter(c);
      case 0x22:
        return this.manageSecurityEnvironment(c);
      case 0x2a:
        return this.performSecurityOperation(c);
      case 0x84:
        return this.getChallenge(c);
      case 0xc0:
        return this.getResponse(c, pending);
      default:
        return { sw: SW.INS_NOT_SUPPORTED };
    }
  }

  /** Data for the host: sent now if Le allows, else left for GET RESPONSE (61xx). */
  private respond(c: DecodedCommand, data: Buffer): Reply {
    if (c.le === undefined || c.le < data.length) {
      if (data.length === 0) return { sw: SW.SUCCESS };
      this.pending = data;
      return { sw: 0x6100 | (data.length > 255 ? 0 : data.length) };
    }
    // a card that returns at most maxResponse bytes at once: the rest through GET RESPONSE
    if (data.length > this.maxResponse) {
      this.pending = data.subarray(this.maxResponse);
      const rest = this.pending.length;
      return { data: data.subarray(0, this.maxResponse), sw: 0x6100 | (rest > 255 ? 0 : rest) };
    }
    return { data, sw: SW.SUCCESS };
  }

  private getResponse(c: DecodedCommand, pending: Buffer | undefined): Reply {
    if (c.p1 !== 0 || c.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    if (!pending) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const ne = c.le ?? 0;
    const chunk = Math.min(pending.length, 256, this.maxResponse);
    if (ne === 0) {
      this.pending = pending;
      return { sw: SW.WRONG_LENGTH };
    }
    if (ne > chunk) {
      this.pending = pending;
      return { sw: 0x6c00 | (chunk & 0xff) };
    }
    const out = pending.subarray(0, ne);
    const rest = pending.subarray(ne);
    if (rest.length > 0) {
      this.pending = rest;
      return { data: out, sw: 0x6100 | (rest.length > 255 ? 0 : rest.length) };
    }
    return { data: out, sw: SW.SUCCESS };
  }

  // ---- file system ----

  private child(df: Node, fid: number): Node | undefined {
    return df.children.find((n) => n.fid === fid);
  }

  private byAid(aid: Buffer): Node | undefined {
    const todo = [this.mf];
    for (let n = todo.pop(); n; n = todo.pop()) {
      if (n.aid?.equals(aid)) return n;
      todo.push(...n.children);
    }
    return undefined;
  }

  private walk(from: Node, data: Buffer): Node | undefined {
    if (data.length === 0 || data.length % 2) return undefined;
    let n: Node | undefined = from;
    for (let i = 0; i < data.length && n; i += 2) {
      if (n.type === 'EF') return undefined;
      n = this.child(n, data.readUInt16BE(i));
    }
    return n;
  }

  private select(c: DecodedCommand): Reply {
    const data = c.data ?? Buffer.alloc(0);
    let target: Node | undefined;
    switch (c.p1) {
      case 0x00: {
        if (data.length === 0) {
          target = this.mf;
          break;
        }
        if (data.length !== 2) return { sw: SW.WRONG_LENGTH };
        const fid = data.readUInt16BE(0);
        const df = this.currentDf;
        if (fid === 0x3f00) target = this.mf;
        else if (fid === df.fid) target = df;
        else target = this.child(df, fid) ?? (df.parent && (df.parent.fid === fid ? df.parent : this.child(df.parent, fid)));
        break;
      }
      case 0x01:
      case 0x02: {
        if (data.length !== 2) return { sw: SW.WRONG_LENGTH };
        const n = this.child(this.currentDf, data.readUInt16BE(0));
        target = n && (c.p1 === 0x01) === (n.type !== 'EF') ? n : undefined;
        break;
      }
      case 0x03:
        target = this.currentDf.parent;
        break;
      case 0x04:
        // an application by its name (AID): a card without applications answers 6A82
        target = this.byAid(data);
        break;
      case 0x08:
        target = this.walk(this.mf, data);
        break;
      case 0x09:
        target = this.walk(this.currentDf, data);
        break;
      default:
        return { sw: SW.INCORRECT_P1P2 };
    }
    // P2: b4-b3 what to return (00 FCI, 04 FCP, 08 FMD, 0C nothing); b2-b1 first occurrence only.
    if ((c.p2 & 0xf3) !== 0) return { sw: SW.INCORRECT_P1P2 };
    const p2 = c.p2 & 0x0c;
    if (!target) return { sw: SW.FILE_NOT_FOUND };
    if (target.type === 'EF') {
      this.currentEf = target;
      this.currentDf = target.parent!;
    } else {
      this.currentDf = target;
      this.currentEf = undefined;
    }
    if (p2 === 0x0c) return { sw: SW.SUCCESS };
    return this.respond(c, this.fcp(target));
  }

  /**
   * The SELECT answer. Classic CNS: an FCP `62` with 80 (size), 82, 83, 86. ACe 2025 (`fcpTag` 6F):
   * an FCI shaped like the one its pcscd log shows, 80 or 81, 82 of 3 bytes, 84 (a DF's AID), 83,
   * 85, 86, 8A, CB. `fcpSize` false: no size at all (some cards give none, OpenSC f83f8d28d).
   */
  private fcp(n: Node): Buffer {
    const answers = this.image.answers ?? {};
    const fci = answers.fcpTag === '6F';
    const ef = n.type === 'EF';
    // READ, UPDATE, WRITE, INVALIDATE, REHABILITATE, ERASE, ADMIN, INC, DEC
    const ac = ef
      ? [n.read, n.update, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER]
      : [AC_ALWAYS, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER, AC_NEVER];
    const parts: Buffer[] = [];
    if (ef && answers.fcpSize !== false) parts.push(encodeTlv(0x80, u16(n.data.length)));
    if (!ef && fci) parts.push(encodeTlv(0x81, Buffer.from([0x70, 0x2c])));
    const descriptor = ef ? 0x01 : 0x38;
    parts.push(encodeTlv(0x82, fci ? Buffer.from([descriptor, 0x00, 0x00]) : Buffer.from([descriptor])));
    if (n.aid) parts.push(encodeTlv(0x84, n.aid));
    parts.push(encodeTlv(0x83, u16(n.fid)));
    if (fci) parts.push(encodeTlv(0x85, Buffer.from([0x01])));
    parts.push(encodeTlv(0x86, Buffer.from(ac)));
    if (fci) parts.push(encodeTlv(0x8a, Buffer.from([0x05])), encodeTlv(0xcb, Buffer.alloc(24, 0xff)));
    return encodeTlv(fci ? 0x6f : 0x62, Buffer.concat(parts));
  }

  private accessGranted(ac: number): boolean {
    if (ac === AC_ALWAYS) return true;
    if (ac === AC_NEVER || ac === 0x66) return false;
    return this.verified.has(ac);
  }

  private currentEfFor(c: DecodedCommand): Node | Reply {
    if (c.p1 & 0x80) return { sw: SW.FILE_NOT_FOUND }; // short EF identifiers: none on this card
    if (!this.currentEf) return { sw: SW.COMMAND_NOT_ALLOWED };
    return this.currentEf;
  }

  private readBinary(c: DecodedCommand): Reply {
    const ef = this.currentEfFor(c);
    if ('sw' in ef) return ef;
    if (c.le === undefined) return { sw: SW.WRONG_LENGTH };
    if (!this.accessGranted(ef.read)) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    const offset = ((c.p1 & 0x7f) << 8) | c.p2;
    if (offset >= ef.data.length) return { sw: SW.WRONG_P1P2 };
    const out = ef.data.subarray(offset, offset + c.le);
    // past the end: the rest, with 6282 (ISO) or, on some cards, with 9000 (ACe 2025)
    const short = out.length < c.le && this.image.answers?.pastEnd !== '9000';
    return { data: Buffer.from(out), sw: short ? SW.END_OF_FILE : SW.SUCCESS };
  }

  private updateBinary(c: DecodedCommand): Reply {
    const ef = this.currentEfFor(c);
    if ('sw' in ef) return ef;
    if (!c.data || c.data.length === 0) return { sw: SW.WRONG_LENGTH };
    if (!this.accessGranted(ef.update)) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    const offset = ((c.p1 & 0x7f) << 8) | c.p2;
    if (offset >= ef.data.length) return { sw: SW.WRONG_P1P2 };
    if (offset + c.data.length > ef.data.length) return { sw: SW.WRONG_LENGTH };
    Buffer.from(c.data).copy(ef.data, offset);
    const f = this.image.files.find((x) => x.path === ef.path);
    if (f) f.data = ef.data.toString('hex').toUpperCase();
    this.onChange(this.image);
    return { sw: SW.SUCCESS };
  }

  // ---- PIN and PUK ----

  private secretFor(p2: number): { ref: number; state: SecretState } | undefined {
    const ref = p2 & 0x7f;
    if ((p2 & 0x60) !== 0) return undefined;
    if (ref === PIN_REF) return { ref, state: this.image.pin };
    if (ref === PUK_REF) return { ref, state: this.image.puk };
    // the InfoCamere 1204 layout has no PIN of its own: its key is under the CNS PIN
    const own = this.image.signature && this.image.signature.layout !== 'infocamere';
    if (ref === SIG_PIN_REF && own) return { ref, state: this.image.signature!.pin };
    if (ref === SIG_PUK_REF && own) return { ref, state: this.image.signature!.puk };
    return undefined;
  }

  /**
   * Compare a presented secret like a chip does: the counter is decremented (and persisted)
   * before the comparison, and restored only on a match, so pulling the card mid-way costs a try.
   */
  private check(ref: number, state: SecretState, presented: Buffer): Reply | undefined {
    if (state.triesLeft === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
    state.triesLeft--;
    this.onChange(this.image);
    if (!presented.equals(padPin(state.value))) {
      this.verified.delete(ref);
      return { sw: 0x63c0 | state.triesLeft };
    }
    state.triesLeft = state.maxTries;
    this.onChange(this.image);
    return undefined;
  }

  private verify(c: DecodedCommand): Reply {
    if (c.p1 !== 0x00) return { sw: SW.INCORRECT_P1P2 };
    const s = this.secretFor(c.p2);
    if (!s) return { sw: SW.REFERENCE_NOT_FOUND };
    if (!c.data || c.data.length === 0) {
      if (s.state.triesLeft === 0) return { sw: SW.AUTH_METHOD_BLOCKED };
      if (this.verified.has(s.ref)) return { sw: SW.SUCCESS };
      return { sw: 0x63c0 | s.state.triesLeft };
    }
    if (c.data.length !== 8) return { sw: SW.WRONG_LENGTH };
    const fail = this.check(s.ref, s.state, c.data);
    if (fail) return fail;
    this.verified.add(s.ref);
    return { sw: SW.SUCCESS };
  }

  private changeReferenceData(c: DecodedCommand): Reply {
    if (c.p1 !== 0x00) return { sw: SW.INCORRECT_P1P2 };
    const s = this.secretFor(c.p2);
    if (!s) return { sw: SW.REFERENCE_NOT_FOUND };
    if (c.data?.length !== 16) return { sw: SW.WRONG_LENGTH };
    const next = parsePadded(c.data.subarray(8));
    if (next === undefined || !validLength(s.ref, next)) return { sw: SW.WRONG_DATA };
    const fail = this.check(s.ref, s.state, c.data.subarray(0, 8));
    if (fail) return fail;
    s.state.value = next;
    this.onChange(this.image);
    this.verified.add(s.ref);
    return { sw: SW.SUCCESS };
  }

  private resetRetryCounter(c: DecodedCommand): Reply {
    const s = this.secretFor(c.p2);
    if (!s || (s.ref !== PIN_REF && s.ref !== SIG_PIN_REF)) return { sw: SW.REFERENCE_NOT_FOUND };
    // each PIN has its own PUK: the next reference
    const pukRef = s.ref === PIN_REF ? PUK_REF : SIG_PUK_REF;
    const puk = s.ref === PIN_REF ? this.image.puk : this.image.signature!.puk;
    let newPin: string | undefined;
    if (c.p1 === 0x00) {
      if (c.data?.length !== 16) return { sw: SW.WRONG_LENGTH };
      newPin = parsePadded(c.data.subarray(8));
      if (newPin === undefined || !validLength(s.ref, newPin)) return { sw: SW.WRONG_DATA };
    } else if (c.p1 === 0x01) {
      if (c.data?.length !== 8) return { sw: SW.WRONG_LENGTH };
    } else return { sw: SW.INCORRECT_P1P2 };
    const fail = this.check(pukRef, puk, c.data.subarray(0, 8));
    if (fail) return fail;
    if (newPin !== undefined) s.state.value = newPin;
    s.state.triesLeft = s.state.maxTries;
    this.verified.delete(s.ref);
    this.onChange(this.image);
    return { sw: SW.SUCCESS };
  }

  // ---- keys ----

  private manageSecurityEnvironment(c: DecodedCommand): Reply {
    if (c.p1 === 0xf3) {
      // RESTORE: the CNS has one environment; OpenSC restores #3 with a trailing 00.
      this.seKey = undefined;
      this.seOp = undefined;
      return { sw: SW.SUCCESS };
    }
    if (c.p1 !== 0xf1 && c.p1 !== 0x41 && c.p1 !== 0x81) return { sw: SW.INCORRECT_P1P2 };
    if (c.p2 !== 0xb6 && c.p2 !== 0xb8) return { sw: SW.INCORRECT_P1P2 };
    const d = c.data ?? Buffer.alloc(0);
    let keyRef: number | undefined;
    for (let i = 0; i + 1 < d.length; ) {
      const tag = d[i]!;
      const len = d[i + 1]!;
      if (i + 2 + len > d.length) return { sw: SW.WRONG_DATA };
      if ((tag === 0x83 || tag === 0x84) && len === 1) keyRef = d[i + 2];
      i += 2 + len;
    }
    if (keyRef !== this.authKeyRef() && !(keyRef === this.sigKeyRef() && this.sigKey)) return { sw: SW.REFERENCE_NOT_FOUND };
    // a key that lives in a DF is found only from that DF (IDEMIA 2021: OpenSC selects 3F00/1400/9002 first)
    if (keyRef === this.authKeyRef() && this.image.authKeyDf && this.currentDf.path !== this.image.authKeyDf)
      return { sw: SW.REFERENCE_NOT_FOUND };
    this.seKey = keyRef;
    this.seOp = c.p2 === 0xb6 ? 'sign' : 'decipher';
    return { sw: SW.SUCCESS };
  }

  private authKeyRef(): number {
    return this.image.authKeyRef ?? AUTH_KEY;
  }

  private sigKeyRef(): number {
    return this.image.signature?.layout === 'infocamere' ? INFOCAMERE_KEY : SIG_KEY;
  }

  private rawRsa(input: Buffer, key: KeyObject = this.key): Buffer | undefined {
    try {
      return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, input);
    } catch {
      return undefined; // input not below the modulus
    }
  }

  private performSecurityOperation(c: DecodedCommand): Reply {
    const sign = c.p1 === 0x9e && c.p2 === 0x9a;
    const decipher = c.p1 === 0x80 && c.p2 === 0x86;
    if (!sign && !decipher) return { sw: SW.INCORRECT_P1P2 };
    if (this.seKey !== undefined && this.seOp !== (sign ? 'sign' : 'decipher')) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const signatureKey = this.sigKey !== undefined && this.seKey === this.sigKeyRef();
    const infocamere = this.image.signature?.layout === 'infocamere';
    if (!this.verified.has(signatureKey && !infocamere ? SIG_PIN_REF : PIN_REF)) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    let input = c.data ?? Buffer.alloc(0);
    // Decipher data may carry the ISO padding-indicator byte 00 in front.
    if (decipher && input.length === this.modulusBytes + 1 && input[0] === 0) input = input.subarray(1);
    if (input.length !== this.modulusBytes) return { sw: SW.WRONG_LENGTH };
    const out = this.rawRsa(Buffer.from(input), signatureKey ? this.sigKey : this.key);
    if (!out) return { sw: SW.WRONG_DATA };
    return this.respond(c, out);
  }

  private getChallenge(c: DecodedCommand): Reply {
    if (c.p1 !== 0 || c.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    if (c.le === undefined || c.le > (this.image.answers?.challengeMax ?? 256)) return { sw: SW.WRONG_LENGTH };
    return { data: randomBytes(c.le), sw: SW.SUCCESS };
  }
}

function u16(v: number): Buffer {
  return Buffer.from([(v >> 8) & 0xff, v & 0xff]);
}

/** Digits followed by 0xFF padding, or undefined. */
function parsePadded(b: Buffer): string | undefined {
  const end = b.indexOf(0xff);
  const digits = b.subarray(0, end === -1 ? b.length : end).toString('latin1');
  if (end !== -1 && !b.subarray(end).every((x) => x === 0xff)) return undefined;
  return /^\d+$/.test(digits) ? digits : undefined;
}

function validLength(ref: number, v: string): boolean {
  return ref === PUK_REF || ref === SIG_PUK_REF ? v.length === 8 : v.length >= 5 && v.length <= 8;
}
