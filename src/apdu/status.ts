/** ISO 7816-4 status words: names and meanings. */
export interface StatusInfo {
  name: string;
  meaning: string;
  /** the number a dynamic status word carries (61xx, 6Cxx: bytes; 63Cx: tries) */
  n?: number;
}

const EXACT: Record<number, StatusInfo> = {
  36864: { name: 'SUCCESS', meaning: 'normal processing' },
  25088: { name: 'WARNING_NO_INFO', meaning: 'warning, non-volatile memory unchanged' },
  25217: { name: 'DATA_CORRUPTED', meaning: 'part of the returned data may be corrupted' },
  25218: { name: 'END_OF_FILE', meaning: 'end of file reached before reading Ne bytes' },
  25219: { name: 'FILE_DEACTIVATED', meaning: 'selected file deactivated' },
  25985: { name: 'MEMORY_FAILURE', meaning: 'memory failure' },
  26368: { name: 'WRONG_LENGTH', meaning: 'wrong length' },
  26753: { name: 'LOGICAL_CHANNEL_NOT_SUPPORTED', meaning: 'logical channel not supported' },
  26754: { name: 'SECURE_MESSAGING_NOT_SUPPORTED', meaning: 'secure messaging not supported' },
  27009: { name: 'INCOMPATIBLE_FILE_STRUCTURE', meaning: 'command incompatible with file structure' },
  27010: { name: 'SECURITY_STATUS_NOT_SATISFIED', meaning: 'security status not satisfied' },
  27011: { name: 'AUTH_METHOD_BLOCKED', meaning: 'authentication method blocked' },
  27012: { name: 'REFERENCE_DATA_NOT_USABLE', meaning: 'reference data not usable' },
  27013: { name: 'CONDITIONS_NOT_SATISFIED', meaning: 'conditions of use not satisfied' },
  27014: { name: 'COMMAND_NOT_ALLOWED', meaning: 'command not allowed (no current EF)' },
  27264: { name: 'WRONG_DATA', meaning: 'incorrect parameters in the data field' },
  27265: { name: 'FUNCTION_NOT_SUPPORTED', meaning: 'function not supported' },
  27266: { name: 'FILE_NOT_FOUND', meaning: 'file or application not found' },
  27268: { name: 'NOT_ENOUGH_MEMORY', meaning: 'not enough memory space in the file' },
  27270: { name: 'INCORRECT_P1P2', meaning: 'incorrect parameters P1-P2' },
  27272: { name: 'REFERENCE_NOT_FOUND', meaning: 'referenced data not found' },
  27392: { name: 'WRONG_P1P2', meaning: 'wrong parameters P1-P2 (offset outside the EF)' },
  27904: { name: 'INS_NOT_SUPPORTED', meaning: 'instruction code not supported' },
  28160: { name: 'CLA_NOT_SUPPORTED', meaning: 'class not supported' },
  28416: { name: 'UNKNOWN_ERROR', meaning: 'no precise diagnosis' },
};

export const SW = {
  SUCCESS: 0x9000,
  END_OF_FILE: 0x6282,
  WRONG_LENGTH: 0x6700,
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCE_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export function describeStatus(sw: number): StatusInfo {
  const exact = EXACT[sw];
  if (exact) return exact;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return { name: 'MORE_DATA', meaning: `${sw2 || 256} more bytes available (GET RESPONSE)`, n: sw2 || 256 };
  if (sw1 === 0x6c) return { name: 'WRONG_LE', meaning: `wrong Le; exact length is ${sw2 || 256}`, n: sw2 || 256 };
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    return { name: 'VERIFY_FAILED', meaning: `verification failed, ${sw2 & 0x0f} tries left`, n: sw2 & 0x0f };
  }
  if (sw1 === 0x62 || sw1 === 0x63) return { name: 'WARNING', meaning: 'warning' };
  if (sw1 === 0x64 || sw1 === 0x65) return { name: 'EXECUTION_ERROR', meaning: 'execution error' };
  return { name: 'UNKNOWN', meaning: 'unknown status word' };
}

/** 63Cx: the number of tries left, or undefined for any other status word. */
export function triesFromStatus(sw: number): number | undefined {
  return (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : undefined;
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
