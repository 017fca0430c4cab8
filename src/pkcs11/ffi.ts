/**
 * PKCS#11 through koffi: the module is loaded as the system's PC/SC library is, with no binding to
 * compile (issue 24). Only what the worker uses: the module's function list (C_GetFunctionList),
 * then C_Initialize/Finalize, the slot and token information, sessions, login, C_SetPIN/C_InitPIN,
 * finding objects and reading their attributes, and C_Sign. Structures follow PKCS#11 v2.40
 * (pkcs11t.h): CK_ULONG is the C `unsigned long` of the platform (32 bits on Windows) and, on
 * Windows, every structure is packed to 1 byte (the header's `#pragma pack(push, cryptoki, 1)`).
 * Errors carry the CKR_ name in their message, as the worker reports them.
 */
import { type KoffiModule, requireKoffi } from '../util/koffi.js';

type Native = ReturnType<KoffiModule['load']>;
type TypeObject = ReturnType<KoffiModule['struct']>;
type Ptr = unknown;

/** CK_RV values (pkcs11t.h), by name: the ones a module may answer to what the worker calls. */
const CKR: Record<number, string> = {
  0: 'CKR_OK',
  1: 'CKR_CANCEL',
  2: 'CKR_HOST_MEMORY',
  3: 'CKR_SLOT_ID_INVALID',
  5: 'CKR_GENERAL_ERROR',
  6: 'CKR_FUNCTION_FAILED',
  7: 'CKR_ARGUMENTS_BAD',
  8: 'CKR_NO_EVENT',
  9: 'CKR_NEED_TO_CREATE_THREADS',
  10: 'CKR_CANT_LOCK',
  16: 'CKR_ATTRIBUTE_READ_ONLY',
  17: 'CKR_ATTRIBUTE_SENSITIVE',
  18: 'CKR_ATTRIBUTE_TYPE_INVALID',
  19: 'CKR_ATTRIBUTE_VALUE_INVALID',
  27: 'CKR_ACTION_PROHIBITED',
  32: 'CKR_DATA_INVALID',
  33: 'CKR_DATA_LEN_RANGE',
  48: 'CKR_DEVICE_ERROR',
  49: 'CKR_DEVICE_MEMORY',
  50: 'CKR_DEVICE_REMOVED',
  80: 'CKR_FUNCTION_CANCELED',
  81: 'CKR_FUNCTION_NOT_PARALLEL',
  84: 'CKR_FUNCTION_NOT_SUPPORTED',
  96: 'CKR_KEY_HANDLE_INVALID',
  98: 'CKR_KEY_SIZE_RANGE',
  99: 'CKR_KEY_TYPE_INCONSISTENT',
  104: 'CKR_KEY_FUNCTION_NOT_PERMITTED',
  112: 'CKR_MECHANISM_INVALID',
  113: 'CKR_MECHANISM_PARAM_INVALID',
  130: 'CKR_OBJECT_HANDLE_INVALID',
  144: 'CKR_OPERATION_ACTIVE',
  145: 'CKR_OPERATION_NOT_INITIALIZED',
  160: 'CKR_PIN_INCORRECT',
  161: 'CKR_PIN_INVALID',
  162: 'CKR_PIN_LEN_RANGE',
  163: 'CKR_PIN_EXPIRED',
  164: 'CKR_PIN_LOCKED',
  176: 'CKR_SESSION_CLOSED',
  177: 'CKR_SESSION_COUNT',
  179: 'CKR_SESSION_HANDLE_INVALID',
  180: 'CKR_SESSION_PARALLEL_NOT_SUPPORTED',
  181: 'CKR_SESSION_READ_ONLY',
  182: 'CKR_SESSION_EXISTS',
  183: 'CKR_SESSION_READ_ONLY_EXISTS',
  184: 'CKR_SESSION_READ_WRITE_SO_EXISTS',
  192: 'CKR_SIGNATURE_INVALID',
  193: 'CKR_SIGNATURE_LEN_RANGE',
  208: 'CKR_TEMPLATE_INCOMPLETE',
  209: 'CKR_TEMPLATE_INCONSISTENT',
  224: 'CKR_TOKEN_NOT_PRESENT',
  225: 'CKR_TOKEN_NOT_RECOGNIZED',
  226: 'CKR_TOKEN_WRITE_PROTECTED',
  256: 'CKR_USER_ALREADY_LOGGED_IN',
  257: 'CKR_USER_NOT_LOGGED_IN',
  258: 'CKR_USER_PIN_NOT_INITIALIZED',
  259: 'CKR_USER_TYPE_INVALID',
  260: 'CKR_USER_ANOTHER_ALREADY_LOGGED_IN',
  261: 'CKR_USER_TOO_MANY_TYPES',
  336: 'CKR_BUFFER_TOO_SMALL',
  400: 'CKR_CRYPTOKI_NOT_INITIALIZED',
  401: 'CKR_CRYPTOKI_ALREADY_INITIALIZED',
  416: 'CKR_MUTEX_BAD',
  417: 'CKR_MUTEX_NOT_LOCKED',
  512: 'CKR_FUNCTION_REJECTED',
};

export const CKA = { CLASS: 0x0, LABEL: 0x3, VALUE: 0x11, ID: 0x102 } as const;
export const CKO = { CERTIFICATE: 1, PRIVATE_KEY: 3 } as const;
export const CKU = { SO: 0, USER: 1 } as const;
export const CKF_TOKEN_PRESENT = 0x1;
const CKF_RW_SESSION = 0x2;
const CKF_SERIAL_SESSION = 0x4;
/** The mechanisms the worker signs with, by the names the CLI sends (pkcs11t.h). */
export const CKM: Record<string, number> = {
  RSA_PKCS: 0x1,
  SHA1_RSA_PKCS: 0x6,
  SHA256_RSA_PKCS: 0x40,
  SHA384_RSA_PKCS: 0x41,
  SHA512_RSA_PKCS: 0x42,
};

/** A failed PKCS#11 call: the function and the CKR_ name (or the number), as `C_Login: CKR_PIN_INCORRECT`. */
export class CkError extends Error {
  constructor(
    readonly fn: string,
    readonly rv: number,
  ) {
    super(`${fn}: ${CKR[rv] ?? `CKR_0x${rv.toString(16).toUpperCase()}`}`);
    this.name = 'CkError';
  }
}

/** The order of CK_FUNCTION_LIST (pkcs11f.h): the index of each function after the version. */
const FUNCTIONS = [
  'C_Initialize',
  'C_Finalize',
  'C_GetInfo',
  'C_GetFunctionList',
  'C_GetSlotList',
  'C_GetSlotInfo',
  'C_GetTokenInfo',
  'C_GetMechanismList',
  'C_GetMechanismInfo',
  'C_InitToken',
  'C_InitPIN',
  'C_SetPIN',
  'C_OpenSession',
  'C_CloseSession',
  'C_CloseAllSessions',
  'C_GetSessionInfo',
  'C_GetOperationState',
  'C_SetOperationState',
  'C_Login',
  'C_Logout',
  'C_CreateObject',
  'C_CopyObject',
  'C_DestroyObject',
  'C_GetObjectSize',
  'C_GetAttributeValue',
  'C_SetAttributeValue',
  'C_FindObjectsInit',
  'C_FindObjects',
  'C_FindObjectsFinal',
  'C_EncryptInit',
  'C_Encrypt',
  'C_EncryptUpdate',
  'C_EncryptFinal',
  'C_DecryptInit',
  'C_Decrypt',
  'C_DecryptUpdate',
  'C_DecryptFinal',
  'C_DigestInit',
  'C_Digest',
  'C_DigestUpdate',
  'C_DigestKey',
  'C_DigestFinal',
  'C_SignInit',
  'C_Sign',
] as const;
type FnName = (typeof FUNCTIONS)[number];

export interface ModuleInfo {
  manufacturerID: string;
  libraryDescription: string;
}
export interface SlotFacts {
  id: number;
  description: string;
  manufacturerID: string;
  flags: number;
}
export interface TokenFacts {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
  minPinLen: number;
  maxPinLen: number;
}

/** The fixed-size, blank-padded UTF-8 text fields of the PKCS#11 structures. */
function text(bytes: number[] | Uint8Array): string {
  return Buffer.from(bytes)
    .toString('utf8')
    .replace(/[\s\0]+$/, '');
}

/** PKCS#11 handles (CK_ULONG) as numbers: a module's handles and slot ids fit in 53 bits. */
function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

let typesDefined = false;
const T: Record<string, TypeObject> = {};

function defineTypes(koffi: KoffiModule): void {
  if (typesDefined) return;
  typesDefined = true;
  const packed = process.platform === 'win32';
  // koffi's own field type (TypeSpecWithAlignment) is not exported by name
  type Fields = Record<string, Parameters<KoffiModule['sizeof']>[0]>;
  const define = (name: string, fields: Record<string, unknown>): TypeObject =>
    packed ? koffi.pack(name, fields as Fields) : koffi.struct(name, fields as Fields);
  const U = 'unsigned long';
  T.version = define('CK_VERSION', { major: 'uint8', minor: 'uint8' });
  T.info = define('CK_INFO', {
    cryptokiVersion: 'CK_VERSION',
    manufacturerID: koffi.array('uint8', 32, 'Array'),
    flags: U,
    libraryDescription: koffi.array('uint8', 32, 'Array'),
    libraryVersion: 'CK_VERSION',
  });
  T.slot = define('CK_SLOT_INFO', {
    slotDescription: koffi.array('uint8', 64, 'Array'),
    manufacturerID: koffi.array('uint8', 32, 'Array'),
    flags: U,
    hardwareVersion: 'CK_VERSION',
    firmwareVersion: 'CK_VERSION',
  });
  T.token = define('CK_TOKEN_INFO', {
    label: koffi.array('uint8', 32, 'Array'),
    manufacturerID: koffi.array('uint8', 32, 'Array'),
    model: koffi.array('uint8', 16, 'Array'),
    serialNumber: koffi.array('uint8', 16, 'Array'),
    flags: U,
    ulMaxSessionCount: U,
    ulSessionCount: U,
    ulMaxRwSessionCount: U,
    ulRwSessionCount: U,
    ulMaxPinLen: U,
    ulMinPinLen: U,
    ulTotalPublicMemory: U,
    ulFreePublicMemory: U,
    ulTotalPrivateMemory: U,
    ulFreePrivateMemory: U,
    hardwareVersion: 'CK_VERSION',
    firmwareVersion: 'CK_VERSION',
    utcTime: koffi.array('uint8', 16, 'Array'),
  });
  T.attribute = define('CK_ATTRIBUTE', { type: U, pValue: 'void *', ulValueLen: U });
  T.mechanism = define('CK_MECHANISM', { mechanism: U, pParameter: 'void *', ulParameterLen: U });
  const fields: Record<string, unknown> = { version: 'CK_VERSION' };
  for (const f of FUNCTIONS) fields[f] = 'void *';
  // the list goes on past C_Sign; only the part read is declared
  T.list = define('CK_FUNCTION_LIST_HEAD', fields);
  const P = (decl: string): TypeObject => koffi.proto(decl) as TypeObject;
  const R = 'unsigned long';
  T.C_Initialize = P(`${R} CK_Initialize(void *args)`);
  T.C_Finalize = P(`${R} CK_Finalize(void *reserved)`);
  T.C_GetInfo = P(`${R} CK_GetInfo(_Out_ CK_INFO *info)`);
  T.C_GetSlotList = P(`${R} CK_GetSlotList(uint8_t present, _Out_ ${U} *list, _Inout_ ${U} *count)`);
  T.C_GetSlotInfo = P(`${R} CK_GetSlotInfo(${U} slot, _Out_ CK_SLOT_INFO *info)`);
  T.C_GetTokenInfo = P(`${R} CK_GetTokenInfo(${U} slot, _Out_ CK_TOKEN_INFO *info)`);
  T.C_InitPIN = P(`${R} CK_InitPIN(${U} session, const uint8_t *pin, ${U} len)`);
  T.C_SetPIN = P(`${R} CK_SetPIN(${U} session, const uint8_t *old, ${U} oldLen, const uint8_t *pin, ${U} len)`);
  T.C_OpenSession = P(`${R} CK_OpenSession(${U} slot, ${U} flags, void *app, void *notify, _Out_ ${U} *session)`);
  T.C_CloseSession = P(`${R} CK_CloseSession(${U} session)`);
  T.C_Login = P(`${R} CK_Login(${U} session, ${U} user, const uint8_t *pin, ${U} len)`);
  T.C_Logout = P(`${R} CK_Logout(${U} session)`);
  T.C_GetAttributeValue = P(`${R} CK_GetAttributeValue(${U} session, ${U} object, _Inout_ CK_ATTRIBUTE *tmpl, ${U} count)`);
  T.C_FindObjectsInit = P(`${R} CK_FindObjectsInit(${U} session, CK_ATTRIBUTE *tmpl, ${U} count)`);
  T.C_FindObjects = P(`${R} CK_FindObjects(${U} session, _Out_ ${U} *objects, ${U} max, _Out_ ${U} *count)`);
  T.C_FindObjectsFinal = P(`${R} CK_FindObjectsFinal(${U} session)`);
  T.C_SignInit = P(`${R} CK_SignInit(${U} session, CK_MECHANISM *mechanism, ${U} key)`);
  T.C_Sign = P(`${R} CK_Sign(${U} session, const uint8_t *data, ${U} len, _Out_ uint8_t *signature, _Inout_ ${U} *sigLen)`);
}

/** A PKCS#11 module, loaded and initialized. Synchronous, as the worker is. */
export class Pkcs11Module {
  private readonly koffi: KoffiModule;
  private readonly lib: Native;
  private readonly fns: Record<string, Ptr>;
  private readonly ulongSize: number;

  constructor(path: string) {
    this.koffi = requireKoffi();
    const koffi = this.koffi;
    defineTypes(koffi);
    this.ulongSize = koffi.sizeof('unsigned long');
    this.lib = koffi.load(path);
    const getList = this.lib.func('unsigned long C_GetFunctionList(_Out_ void **list)');
    const out: Ptr[] = [null];
    const rv = num(getList(out));
    if (rv !== 0) throw new CkError('C_GetFunctionList', rv);
    if (!out[0]) throw new Error('C_GetFunctionList: the module gave no function list');
    this.fns = koffi.decode(out[0], T.list!) as Record<string, Ptr>;
  }

  private call(name: FnName, ...args: unknown[]): void {
    const ptr = this.fns[name];
    if (!ptr) throw new CkError(name, 0x54); // CKR_FUNCTION_NOT_SUPPORTED: the module left it NULL
    const rv = num(this.koffi.call(ptr, T[name]!, ...args));
    if (rv !== 0) throw new CkError(name, rv);
  }

  initialize(): void {
    try {
      this.call('C_Initialize', null);
    } catch (e) {
      // the process loaded it already: the same module, usable as it is
      if (!(e instanceof CkError && e.rv === 0x191)) throw e;
    }
  }

  finalize(): void {
    this.call('C_Finalize', null);
  }

  info(): ModuleInfo {
    const info: Record<string, unknown> = {};
    this.call('C_GetInfo', info);
    return {
      manufacturerID: text(info.manufacturerID as number[]),
      libraryDescription: text(info.libraryDescription as number[]),
    };
  }

  slots(): SlotFacts[] {
    const count = [0];
    this.call('C_GetSlotList', 0, null, count);
    const n = num(count[0]);
    if (n === 0) return [];
    const ids = new Array<number>(n).fill(0);
    count[0] = n;
    this.call('C_GetSlotList', 0, ids, count);
    return ids.slice(0, num(count[0])).map((id) => {
      const s: Record<string, unknown> = {};
      this.call('C_GetSlotInfo', id, s);
      return {
        id: num(id),
        description: text(s.slotDescription as number[]),
        manufacturerID: text(s.manufacturerID as number[]),
        flags: num(s.flags),
      };
    });
  }

  token(slot: number): TokenFacts {
    const t: Record<string, unknown> = {};
    this.call('C_GetTokenInfo', slot, t);
    return {
      label: text(t.label as number[]),
      manufacturerID: text(t.manufacturerID as number[]),
      model: text(t.model as number[]),
      serialNumber: text(t.serialNumber as number[]),
      flags: num(t.flags),
      minPinLen: num(t.ulMinPinLen),
      maxPinLen: num(t.ulMaxPinLen),
    };
  }

  openSession(slot: number): number {
    const out = [0];
    this.call('C_OpenSession', slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null, out);
    return num(out[0]);
  }

  closeSession(session: number): void {
    this.call('C_CloseSession', session);
  }

  login(session: number, user: number, pin: string): void {
    const p = Buffer.from(pin, 'utf8');
    try {
      this.call('C_Login', session, user, p, p.length);
    } finally {
      p.fill(0);
    }
  }

  logout(session: number): void {
    this.call('C_Logout', session);
  }

  setPin(session: number, oldPin: string, newPin: string): void {
    const o = Buffer.from(oldPin, 'utf8');
    const n = Buffer.from(newPin, 'utf8');
    try {
      this.call('C_SetPIN', session, o, o.length, n, n.length);
    } finally {
      o.fill(0);
      n.fill(0);
    }
  }

  initPin(session: number, pin: string): void {
    const p = Buffer.from(pin, 'utf8');
    try {
      this.call('C_InitPIN', session, p, p.length);
    } finally {
      p.fill(0);
    }
  }

  /** The handles of the objects of one class. */
  find(session: number, objectClass: number): number[] {
    const value = this.koffi.alloc('unsigned long', 1);
    try {
      this.koffi.encode(value, 'unsigned long', objectClass);
      this.call('C_FindObjectsInit', session, [{ type: CKA.CLASS, pValue: value, ulValueLen: this.ulongSize }], 1);
      const found: number[] = [];
      try {
        for (;;) {
          const batch = new Array<number>(16).fill(0);
          const count = [0];
          this.call('C_FindObjects', session, batch, batch.length, count);
          const n = num(count[0]);
          found.push(...batch.slice(0, n).map(num));
          if (n < batch.length) break;
        }
      } finally {
        this.call('C_FindObjectsFinal', session);
      }
      return found;
    } finally {
      this.koffi.free(value);
    }
  }

  /**
   * Attributes of an object as bytes; one the object does not have (or keeps secret) is null.
   * Two calls per attribute, as the standard says: its length, then its value.
   */
  attributes(session: number, object: number, types: number[]): (Buffer | null)[] {
    return types.map((type) => {
      const probe = [{ type, pValue: null, ulValueLen: 0 }];
      try {
        this.call('C_GetAttributeValue', session, object, probe, 1);
      } catch (e) {
        if (e instanceof CkError && (e.rv === 0x11 || e.rv === 0x12)) return null; // sensitive, or not this object's
        throw e;
      }
      const len = num(probe[0]!.ulValueLen);
      // CK_UNAVAILABLE_INFORMATION (all ones) or an absurd size: nothing to read
      if (len === 0) return Buffer.alloc(0);
      if (len > 1 << 20) return null;
      const buf = this.koffi.alloc('uint8', len);
      try {
        const tmpl = [{ type, pValue: buf, ulValueLen: len }];
        this.call('C_GetAttributeValue', session, object, tmpl, 1);
        const got = Math.min(num(tmpl[0]!.ulValueLen), len);
        return Buffer.from(this.koffi.view(buf, len).slice(0, got));
      } finally {
        this.koffi.free(buf);
      }
    });
  }

  sign(session: number, mechanism: string, key: number, data: Buffer): Buffer {
    const m = CKM[mechanism];
    if (m === undefined) throw new Error(`unknown mechanism ${mechanism}`);
    this.call('C_SignInit', session, { mechanism: m, pParameter: null, ulParameterLen: 0 }, key);
    const len = [0];
    this.call('C_Sign', session, data, data.length, null, len);
    const out = Buffer.alloc(num(len[0]));
    len[0] = out.length;
    this.call('C_Sign', session, data, data.length, out, len);
    return out.subarray(0, num(len[0]));
  }
}
