import { createPrivateKey } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { parseAtr } from '../card/atr.js';
import { type FileLocker, fileLocker } from '../util/flock.js';
import { processAlive, writeFileAtomic } from '../util/fs.js';
import { ImageError } from './imageError.js';

/** The whole state of a virtual card, one JSON file ("card image"). */
export const IMAGE_FORMAT = 'cns-virtual-card';
export const IMAGE_VERSION = 1;

export interface SecretState {
  /** ASCII digits. This file is the card: it holds its secrets, as the chip does. */
  value: string;
  triesLeft: number;
  maxTries: number;
}

export interface ImageFile {
  /** Path from the MF, FIDs in hex: "3F00/1100/1101" ("3F00" itself only to give the MF an AID). */
  path: string;
  type: 'DF' | 'EF';
  /** EF content, hex, exactly `size` bytes. */
  data?: string;
  /** Access conditions (FCP tag 86 order): READ, UPDATE; 00 always, FF never, else a reference. */
  read?: number;
  update?: number;
  /** A DF that is an application: its AID (hex), for SELECT by name (P1 04). */
  aid?: string;
}

/**
 * How the chip answers where real generations differ (docs/card.md); each absent field is the
 * classic CNS answer.
 */
export interface CardAnswers {
  /** The SELECT answer's template: 62 (FCP, the default) or 6F (FCI, ACe 2025). */
  fcpTag?: '62' | '6F';
  /** Whether the template gives an EF's size (tag 80); some cards give none (OpenSC f83f8d28d). */
  fcpSize?: boolean;
  /** A READ BINARY running past the end: the rest with 6282 (the default) or with 9000 (ACe 2025). */
  pastEnd?: '6282' | '9000';
  /** The most bytes one GET CHALLENGE returns (IDEMIA 2021: 32). */
  challengeMax?: number;
}

export interface CardImage {
  format: typeof IMAGE_FORMAT;
  version: typeof IMAGE_VERSION;
  label?: string;
  atr: string;
  pin: SecretState;
  puk: SecretState;
  /** PKCS#8 PEM of the authentication key (key reference 01, or `authKeyRef`). */
  authKey: string;
  /** The authentication key's reference, when it is not 01 (IDEMIA 2021: 02). */
  authKeyRef?: number;
  /** The DF the authentication key lives in: MSE SET finds it only with that DF selected (IDEMIA 2021: 3F00/1400/9002). */
  authKeyDf?: string;
  /** Answers that differ from the classic CNS. */
  answers?: CardAnswers;
  files: ImageFile[];
  /** Takes extended-length APDUs (default: what the ATR says, as OpenSC reads it). */
  extendedLength?: boolean;
  /** The most data one response carries; more comes through 61xx / GET RESPONSE (default 256). */
  maxResponse?: number;
  /** The generation it was made as (sim create --generation), for people reading the image. */
  generation?: string;
  /**
   * The second (signature) keyset some CNS carry (OpenSC pkcs15-itacns.c "CNS1"): its PIN
   * (reference 1A) and PUK (1B), and the key (PKCS#8 PEM, key reference 10 in DF 3F00/1400/8110);
   * the certificate is EF 3F00/1400/9010.
   */
  signature?: { pin: SecretState; puk: SecretState; key: string; layout?: 'infocamere' };
}

export { ImageError, type ImageProblem } from './imageError.js';

/** The largest EF a card image may hold. */
const MAX_EF = 0x8000;

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkSecret(v: unknown, name: string): SecretState {
  if (!isObj(v) || typeof v.value !== 'string' || !/^\d{1,8}$/.test(v.value))
    throw new ImageError(`${name}: bad value`, 'corrupt', 'field', { field: name });
  const { triesLeft, maxTries } = v;
  if (
    !Number.isInteger(triesLeft) ||
    !Number.isInteger(maxTries) ||
    (maxTries as number) < 1 ||
    (maxTries as number) > 15 ||
    (triesLeft as number) < 0 ||
    (triesLeft as number) > (maxTries as number)
  ) {
    throw new ImageError(`${name}: bad counters`, 'corrupt', 'field', { field: name });
  }
  return { value: v.value, triesLeft: triesLeft as number, maxTries: maxTries as number };
}

function checkSignature(v: unknown): NonNullable<CardImage['signature']> {
  if (!isObj(v) || typeof v.key !== 'string') throw new ImageError('signature: bad keyset', 'corrupt', 'field', { field: 'signature' });
  try {
    if (createPrivateKey(v.key).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ImageError('signature.key: not an RSA private key', 'corrupt', 'field', { field: 'signature.key' });
  }
  return {
    pin: checkSecret(v.pin, 'signature.pin'),
    puk: checkSecret(v.puk, 'signature.puk'),
    key: v.key,
    ...(v.layout === 'infocamere' ? { layout: 'infocamere' as const } : {}),
  };
}

function checkAnswers(a: Record<string, unknown>): CardAnswers {
  const out: CardAnswers = {};
  if (a.fcpTag === '62' || a.fcpTag === '6F') out.fcpTag = a.fcpTag;
  if (typeof a.fcpSize === 'boolean') out.fcpSize = a.fcpSize;
  if (a.pastEnd === '6282' || a.pastEnd === '9000') out.pastEnd = a.pastEnd;
  if (Number.isInteger(a.challengeMax) && (a.challengeMax as number) >= 1 && (a.challengeMax as number) <= 256)
    out.challengeMax = a.challengeMax as number;
  return out;
}

/** Validate a parsed JSON value as a card image; throws ImageError saying what is wrong. */
export function validateImage(v: unknown): CardImage {
  if (!isObj(v) || v.format !== IMAGE_FORMAT) throw new ImageError('not a cns virtual card image', 'foreign');
  if (v.version !== IMAGE_VERSION) throw new ImageError(`unsupported image version ${String(v.version)}`, 'foreign', 'version');
  if (typeof v.atr !== 'string' || !/^([0-9A-F]{2})+$/i.test(v.atr) || !parseAtr(Buffer.from(v.atr, 'hex'))) {
    throw new ImageError('atr: not a valid ATR', 'corrupt', 'field', { field: 'atr' });
  }
  const pin = checkSecret(v.pin, 'pin');
  const puk = checkSecret(v.puk, 'puk');
  if (typeof v.authKey !== 'string') throw new ImageError('authKey missing', 'corrupt', 'field', { field: 'authKey' });
  try {
    const k = createPrivateKey(v.authKey);
    if (k.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ImageError('authKey: not an RSA private key', 'corrupt', 'field', { field: 'authKey' });
  }
  if (!Array.isArray(v.files)) throw new ImageError('files missing', 'corrupt', 'field', { field: 'files' });
  const files: ImageFile[] = v.files.map((f: unknown, i: number) => {
    if (!isObj(f) || typeof f.path !== 'string' || !/^3F00(\/[0-9A-F]{4})*$/.test(f.path))
      throw new ImageError(`files[${i}]: bad path`, 'corrupt', 'field', { field: `files[${i}]` });
    if (f.type === 'DF') {
      if (f.aid !== undefined && (typeof f.aid !== 'string' || !/^([0-9A-F]{2}){5,16}$/i.test(f.aid)))
        throw new ImageError(`files[${i}] (${f.path}): bad AID`, 'corrupt', 'field', { field: String(f.path) });
      return { path: f.path, type: 'DF', ...(typeof f.aid === 'string' ? { aid: f.aid.toUpperCase() } : {}) };
    }
    // an EF is at most 32 KB (READ/UPDATE BINARY offsets stop at 7FFF); checked before the hex,
    // so that a huge string is refused at once
    if (f.type !== 'EF' || typeof f.data !== 'string' || f.data.length > 2 * MAX_EF || f.data.length % 2 !== 0 || !isHex(f.data))
      throw new ImageError(`files[${i}] (${f.path}): bad EF (hex data of at most ${MAX_EF} bytes expected)`, 'corrupt', 'field', {
        field: String(f.path),
      });
    const ac = (x: unknown): number => (Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xff ? (x as number) : 0xff);
    return { path: f.path, type: 'EF', data: f.data, read: ac(f.read ?? 0), update: ac(f.update) };
  });
  const dfs = new Set(['3F00', ...files.filter((f) => f.type === 'DF').map((f) => f.path)]);
  for (const f of files) {
    const parent = f.path.slice(0, f.path.lastIndexOf('/'));
    if (f.path !== '3F00' && !dfs.has(parent))
      throw new ImageError(`${f.path}: its folder ${parent} is not a DF of the image`, 'corrupt', 'field', { field: f.path });
  }
  return {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    label: typeof v.label === 'string' ? v.label : undefined,
    atr: v.atr.toUpperCase(),
    pin,
    puk,
    authKey: v.authKey,
    files,
    ...(typeof v.extendedLength === 'boolean' ? { extendedLength: v.extendedLength } : {}),
    ...(Number.isInteger(v.maxResponse) && (v.maxResponse as number) >= 16 && (v.maxResponse as number) <= 65536
      ? { maxResponse: v.maxResponse as number }
      : {}),
    ...(typeof v.generation === 'string' ? { generation: v.generation } : {}),
    ...(Number.isInteger(v.authKeyRef) && (v.authKeyRef as number) >= 1 && (v.authKeyRef as number) <= 0x7f
      ? { authKeyRef: v.authKeyRef as number }
      : {}),
    ...(typeof v.authKeyDf === 'string' && dfs.has(v.authKeyDf) ? { authKeyDf: v.authKeyDf } : {}),
    ...(isObj(v.answers) ? { answers: checkAnswers(v.answers) } : {}),
    ...(v.signature !== undefined ? { signature: checkSignature(v.signature) } : {}),
  };
}

export function loadImage(path: string): CardImage {
  let text: string;
  try {
    // a FIFO or a device would block or never end: only a regular file is a card image
    if (!statSync(path).isFile()) throw new ImageError(`${path} is not a regular file`, 'foreign', 'not-file', { path });
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(
      code === 'ENOENT' ? `no card image at ${path}` : `cannot read ${path}: ${code}`,
      code === 'ENOENT' ? 'missing' : 'io',
      code === 'ENOENT' ? 'missing' : 'io',
      { path },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImageError(`${path} is not JSON`, 'corrupt', 'not-json', { path });
  }
  try {
    return validateImage(json);
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(e.message, e.reason, e.problem, { ...e.facts, path });
    throw e;
  }
}

/** Write atomically: a temp file in the same directory, fsync, rename over the image. */
export function saveImage(path: string, image: CardImage): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(image, null, 1)}\n`, 0o600, { followLink: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageError(
      code === 'EROFS'
        ? `${path} is read-only: the virtual card cannot record anything`
        : `cannot write ${path}: ${code ?? (e as Error).message}`,
      'io',
      code === 'EROFS' ? 'read-only' : 'io',
      { path },
    );
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An exclusive lock on an image, held while a process holds the card (like a PC/SC
 * transaction). Where the system has flock(2) the lock is the kernel's, on the lock file: it ends
 * with the process that holds it, and taking it is atomic, so no lock is ever stale and two
 * processes never hold it at once; on Windows it is LockFileEx's, with the same guarantees. The
 * file only says who holds it ("PID command|attach"), written once the lock is held. Where neither
 * can be reached (no koffi): a PID file created exclusively, taken over when its process is gone.
 */
export class ImageLock {
  private fd?: number;
  private held = false;
  readonly lockPath: string;

  constructor(
    imagePath: string,
    private readonly timeoutMs = 10000,
    /** `attach` holds the card for as long as it is in a reader: nobody else should wait for it. */
    private readonly holder: 'command' | 'attach' = 'command',
    /** The kernel's lock; null: the PID file. */
    private readonly locker: FileLocker | null = fileLocker(),
  ) {
    this.lockPath = `${imagePath}.lock`;
  }

  /** Who holds the lock, from the file; an unreadable or empty file says nothing. */
  private owner(): { pid: number; holder: string } {
    try {
      const [pid, who] = readFileSync(this.lockPath, 'utf8').split(' ');
      return { pid: Number(pid), holder: who?.trim() || 'command' };
    } catch {
      return { pid: Number.NaN, holder: 'command' };
    }
  }

  acquire(): void {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.tryOnce()) return;
      const { pid, holder } = this.owner();
      const who = Number.isInteger(pid) && pid > 0 ? `process ${pid}` : 'another process';
      if (holder === 'attach') {
        throw new ImageError(
          `this card image is in a virtual reader (cns sim attach, ${who}): use that reader instead`,
          'busy',
          'attached',
        );
      }
      if (Date.now() > deadline) throw new ImageError(`the virtual card is in use by ${who}`, 'busy');
      sleepSync(5);
    }
  }

  private tryOnce(): boolean {
    // decided before anything is created: a lock file opened (and so created) here would stand,
    // empty, in the way of the PID file's exclusive create
    if (!this.locker) return this.tryPidFile();
    let fd: number;
    try {
      // never through a symbolic link planted where the lock goes: its target would be truncated
      fd = openSync(this.lockPath, fsConstants.O_RDWR | fsConstants.O_CREAT | (fsConstants.O_NOFOLLOW ?? 0), 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new ImageError(`${this.lockPath} is a symbolic link: refused`, 'io', 'symlink', { path: this.lockPath });
      throw new ImageError(`cannot lock ${this.lockPath}: ${(e as Error).message}`, 'io', 'io', { path: this.lockPath });
    }
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new ImageError(`${this.lockPath} is not a regular file: refused`, 'io', 'not-file', { path: this.lockPath });
    }
    if (!this.locker.tryLock(fd)) {
      closeSync(fd);
      return false;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid} ${this.holder}`, 0);
    this.fd = fd;
    this.held = true;
    return true;
  }

  /** Without flock: an exclusive create, and a PID file of a dead (or unreadable) owner taken over. */
  private tryPidFile(): boolean {
    try {
      const fd = openSync(this.lockPath, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${this.holder}`);
      closeSync(fd);
      this.held = true;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new ImageError(`cannot lock ${this.lockPath}: ${(e as Error).message}`, 'io', 'io', { path: this.lockPath });
    }
    const { pid } = this.owner();
    if (!(Number.isInteger(pid) && pid > 0) || !processAlive(pid)) {
      try {
        unlinkSync(this.lockPath);
      } catch {
        /* someone else took it over first */
      }
    }
    return false;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.fd !== undefined) {
      // the file stays (removing it would let a waiter lock a file nobody else can see); the lock goes
      try {
        ftruncateSync(this.fd, 0);
      } catch {
        /* the lock goes with the descriptor anyway */
      }
      this.locker?.unlock(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      return;
    }
    try {
      unlinkSync(this.lockPath);
    } catch {
      /* already gone */
    }
  }
}
