import { OPENSC_CNS_ATRS } from '../src/browser/minidriver.js';

/** `reg query HKLM\...\Calais\SmartCards /s` as Windows prints it (OpenSC installed, and Windows' own generic entry). */
export const REG = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\Identity Device (Microsoft Generic Profile)',
  '    80000001    REG_SZ    msclmd.dll',
  '    ATR    REG_BINARY    3B8D0180FBA000000397425446590301C8',
  '    ATRMask    REG_BINARY    FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00',
  '    Crypto Provider    REG_SZ    Microsoft Base Smart Card Crypto Provider',
  '',
  ...OPENSC_CNS_ATRS.flatMap((k) => [
    `HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\\Calais\\SmartCards\\${k.name}`,
    '    Crypto Provider    REG_SZ    Microsoft Base Smart Card Crypto Provider',
    '    Smart Card Key Storage Provider    REG_SZ    Microsoft Smart Card Key Storage Provider',
    '    80000001    REG_SZ    C:\\Program Files\\OpenSC Project\\OpenSC\\minidriver\\opensc-minidriver.dll',
    `    ATR    REG_BINARY    ${k.atr}`,
    `    ATRMask    REG_BINARY    ${'FF'.repeat(k.atr.length / 2)}`,
    '    InstalledBy    REG_SZ    OpenSC',
    '',
  ]),
].join('\r\n');

export const ARUBA_CNS = '3BFF1800FF8131FE55006B02090303010101434E531031809D'; // OpenSC's "Italian CNS (d)"
export const ST_2021_TS_CNS = '3BFF1800FF8131FE55006B02091617011101434E531131808D';
export const MINIDRIVER = 'C:\\Program Files\\OpenSC Project\\OpenSC\\minidriver\\opensc-minidriver.dll';
