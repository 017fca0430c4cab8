/** Messages between the CLI and its PKCS#11 worker process (structured-clone IPC). */
export interface TokenInfo {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
  minPinLen: number;
  maxPinLen: number;
}

export interface SlotInfo {
  /** Index in the module's slot list (stable for one worker). */
  index: number;
  slotId: string;
  description: string;
  manufacturerID: string;
  tokenPresent: boolean;
  token: TokenInfo | null;
  /** A token error such as CKR_TOKEN_NOT_RECOGNIZED, when the slot has a card the module cannot use. */
  tokenError: string | null;
}

export interface CertObject {
  id: string;
  label: string;
  value: Buffer;
}

export type Request =
  | { op: 'open'; module: string }
  | { op: 'slots' }
  | { op: 'certs'; slot: number }
  | { op: 'login'; slot: number; user: 'user' | 'so'; pin: string }
  | { op: 'setPin'; slot: number; oldPin: string; newPin: string }
  | { op: 'initPin'; slot: number; soPin: string; newPin: string }
  | { op: 'sign'; slot: number; data: Buffer; mechanism: string }
  | { op: 'tokenFlags'; slot: number }
  | { op: 'close' };

export interface Envelope {
  id: number;
  req: Request;
}

export interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { ckr: string | null; message: string };
}

/** Token flags (PKCS#11 v2.40, CK_TOKEN_INFO.flags). */
export const CKF = {
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
  SO_PIN_COUNT_LOW: 0x100000,
  SO_PIN_FINAL_TRY: 0x200000,
  SO_PIN_LOCKED: 0x400000,
  SO_PIN_TO_BE_CHANGED: 0x800000,
} as const;
