import { toHex } from '../apdu/bytes.js';

/** Mask (card OS) manufacturers in the CNS historical bytes (H4), per OpenSC's itacns table. */
const MASK_MANUFACTURERS: Record<number, string> = {
  1: 'Kaitech',
  2: 'Gemplus',
  3: 'Ghirlanda',
  4: 'Giesecke & Devrient',
  5: 'IDEMIA (Oberthur)',
  6: 'Orga',
  7: 'Axalto',
  8: 'Siemens',
  9: 'STIncard',
  10: 'GEP',
  11: 'EPS Corp',
  12: 'Athena',
  13: 'Gemalto',
};

/** IC manufacturers (ISO/IEC 7816-6 registration), the ones seen on CNS cards and a few more. */
const IC_MANUFACTURERS: Record<number, string> = {
  1: 'Motorola',
  2: 'STMicroelectronics',
  3: 'Hitachi',
  4: 'NXP (Philips)',
  5: 'Infineon (Siemens)',
  6: 'Cylink',
  7: 'Texas Instruments',
  8: 'Fujitsu',
  9: 'Matsushita',
  10: 'NEC',
  11: 'Oki',
  12: 'Toshiba',
  13: 'Mitsubishi',
  14: 'Samsung',
  15: 'Hyundai',
  16: 'LG',
  21: 'Atmel',
};

export const MASK_STINCARD = 9;

export interface AtrStructure {
  bytes: Buffer;
  historical: Buffer;
  protocols: number[];
  tckPresent: boolean;
  tckValid: boolean | null;
}

export interface CnsAtrInfo {
  atr: string;
  isCns: boolean;
  /** Why a card was not recognised, when isCns is false. */
  reason?: 'malformed' | 'not-cns' | 'cie';
  icManufacturerCode?: number;
  icManufacturer?: string;
  maskManufacturerCode?: number;
  maskManufacturer?: string;
  osVersion?: string;
  /** "1.0", "1.1" ... */
  cnsVersion?: string;
  cnsVersionByte?: number;
  keyBits?: 1024 | 2048;
  extendedLength: boolean;
  /** What the card is, where its ATR is known (pcsc-tools' list): a TS-CNS, another CNS card, a signature device. */
  kind?: CnsKind;
  /** Where the ATR says the authentication keyset is, when not in the classic place (files.ts AUTH_LAYOUTS). */
  layoutHint?: 'idemia2021' | 'ace2025';
  /** Generation or family, where the ATR pins it down. */
  generation?: string;
  /** Middleware a holder needed for this family (2023 advice), where known. */
  middleware?: string;
  /** The known-ATR table entry, where the ATR matches one exactly. */
  knownAs?: string;
  model: string;
  contactless: boolean;
  protocols: number[];
  tckValid: boolean | null;
  /**
   * How the card was identified as a CNS: by its ATR, or by its application (read-only SELECTs
   * of the CNS files, when the ATR does not decide); absent while it is not one.
   */
  identifiedBy?: 'atr' | 'application';
  /** The ATR neither says CNS nor says something else: read-only probing of the CNS files may tell. */
  probe: boolean;
}

/**
 * What a CNS-tagged ATR is on: a Tessera Sanitaria / regional service card (`ts-cns`), another card
 * that carries a CNS (chambers of commerce, ministries, universities: `other-cns`), or a signature
 * device with a CNS application (Bit4id, Aruba, J-SIGN, ANPR tokens: `signature-device`), which needs
 * no TS-CNS middleware advice. Unknown ATRs say "CNS" and nothing more.
 */
export type CnsKind = 'ts-cns' | 'other-cns' | 'signature-device';

interface KnownAtr {
  atr: string;
  label: string;
  kind: CnsKind;
  generation?: string;
  middleware?: string;
  keyBits?: 1024 | 2048;
  layoutHint?: 'idemia2021' | 'ace2025';
}

const XPKI = 'bit4id xPKI';
const ATHENA = 'Athena IDProtect';
const OPENSC_XPKI = 'OpenSC / bit4id xPKI';

/** The ATRs below are written as the lists quote them, some with spaces: read without (no regular expression, util/text.ts says why). */
const withoutSpaces = (s: string): string => s.split(' ').join('');

/**
 * Real ATRs with a CNS tag, named as pcsc-tools' smartcard_list.txt names them (upstream list,
 * docs/card.md), each with what it is. A generation is given only where the list or OpenSC ties
 * the ATR to it; the family of other cards comes from their mask byte alone.
 */
export const KNOWN_ATRS: KnownAtr[] = (
  [
    // Athena (Actalis "AC" cards)
    {
      atr: '3BDF18008131FE7D006B150C0181011101434E53103180E8',
      label: 'TS-CNS, CRS Lombardia / Toscana (Atmel / Athena)',
      kind: 'ts-cns',
      generation: 'AC 2014/2018 (Athena)',
      middleware: ATHENA,
    },
    {
      atr: '3BDF18008131FE7D006B020C0182011101434E53103180FC',
      label: 'TS-CNS (ST / Athena)',
      kind: 'ts-cns',
      generation: 'AC (Athena)',
      middleware: ATHENA,
    },
    {
      atr: '3BDF18008131FE7D006B040C0184011101434E53103180FC',
      label: 'TS-CNS Toscana (NXP / Athena)',
      kind: 'ts-cns',
      generation: 'AC (Athena)',
      middleware: ATHENA,
    },
    {
      atr: '3BDF18008131FE7D006B150C0180011101434E53103180E9',
      label: 'Actalis CNS card AT00006181 (Atmel / Athena)',
      kind: 'ts-cns',
      generation: 'AC (Athena)',
      middleware: ATHENA,
    },
    // Oberthur / IDEMIA
    {
      atr: '3BFF1800008131FE45006B040501000111 01434E5310318069',
      label: 'Friuli Venezia Giulia health card (NXP / Oberthur)',
      kind: 'ts-cns',
      generation: 'OT (Oberthur)',
      middleware: XPKI,
    },
    {
      atr: '3BFF1800008131FE45006B04050100012101434E5310318059',
      label: 'TS-CNS Sardegna / Emilia-Romagna (NXP / Oberthur)',
      kind: 'ts-cns',
      generation: 'OT (Oberthur)',
      middleware: XPKI,
    },
    {
      atr: '3BFF1800008131FE45006B05051017012101434E531031805E',
      label: 'TS-CRS Liguria / Veneto (Infineon / Oberthur)',
      kind: 'ts-cns',
      generation: 'OT (Oberthur)',
      middleware: XPKI,
    },
    {
      atr: '3BFF1800008131FE45006B05052000012101434E5310318079',
      label: 'TS-CNS Sardegna (Infineon / IDEMIA, firmware 0x20)',
      kind: 'ts-cns',
      generation: 'ID (IDEMIA, 2048-bit)',
      middleware: XPKI,
      keyBits: 2048,
      layoutHint: 'idemia2021',
    },
    {
      atr: '3BFF1800008131FE45006B050520 0001F101434E53103180A9',
      label: 'TS-CNS (Infineon / IDEMIA, firmware 0x20; Aruba middleware)',
      kind: 'ts-cns',
      generation: 'ID (IDEMIA, 2048-bit)',
      middleware: XPKI,
      keyBits: 2048,
      layoutHint: 'idemia2021',
    },
    {
      atr: '3BFF1800008131FE45006B05059120 01F101434E531031 8038',
      label: 'IDEMIA ID-One CNS v2 on Cosmo 9.1',
      kind: 'ts-cns',
      generation: 'ID 2021 (IDEMIA)',
      middleware: XPKI,
      keyBits: 2048,
      layoutHint: 'idemia2021',
    },
    {
      atr: '3BFF1800008131FE45006B11050700011101434E531131807B',
      label: 'Italian National Fire Corps identification card',
      kind: 'other-cns',
    },
    {
      atr: '3BFF1800008131FE45006B11050700012101434E531031804A',
      label: 'Oberthur ID-One Cosmo V7 (Izenpe citizen certificate)',
      kind: 'other-cns',
    },
    // Actalis 2025 on NXP / G&D: 2048-bit behind a CNS 1.0 ATR, files behind an application (OpenSC issue 3804)
    {
      atr: '3BFF1800FF8131FE4D006B0404B85B01F101434E531031809D',
      label: 'ACe 2025 (Actalis; NXP / Giesecke & Devrient)',
      kind: 'ts-cns',
      generation: 'ACe 2025 (Actalis)',
      middleware: 'Cyberneid',
      keyBits: 2048,
      layoutHint: 'ace2025',
    },
    // STIncard
    {
      atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D',
      label: 'TS-CNS (ST / STIncard, CNS 1.1)',
      kind: 'ts-cns',
      generation: 'ST 2021',
      middleware: OPENSC_XPKI,
    },
    {
      atr: '3BFF1800FF8131FE55006B02091717011101434E531131808C',
      label: 'Provincia di Trento health and service card, CPS (ST / STIncard, CNS 1.1)',
      kind: 'ts-cns',
      middleware: OPENSC_XPKI,
    },
    {
      atr: '3BFF1800FF8131FE55006B02090200011101434E53103180 8F',
      label: 'CRS Regione Lombardia (ST / STIncard)',
      kind: 'ts-cns',
      generation: 'STIncard',
      middleware: OPENSC_XPKI,
    },
    { atr: '3BFF1800FF8131FE55006B02090200010101434E531031809F', label: 'InfoCamere CNS (chambers of commerce)', kind: 'other-cns' },
    { atr: '3BFF1800FF8131FE55006B02090200011101434E531131808E', label: 'InfoCamere CNS 1.1 (chambers of commerce)', kind: 'other-cns' },
    {
      atr: '3BFF1800FF8131FE55006B02090300011101434E531131808F',
      label: 'Arma dei Carabinieri multiservice card (CMCC)',
      kind: 'other-cns',
    },
    { atr: '3BFF1800FF8131FE55006B02090303010101434E531031809D', label: 'Aruba CNS (Regione Toscana / InfoCamere)', kind: 'other-cns' },
    { atr: '3BFF1800FF8131FE55006B02090303011101434E531131808C', label: 'InfoCert 1205 card (Università di Torino)', kind: 'other-cns' },
    { atr: '3BFF1800FF8131FE55006B02091301011101434E531131809E', label: 'Ministry of Defence service card', kind: 'other-cns' },
    { atr: '3BFF1800FF8131FE55006B02091303011101434E531131809C', label: 'Politecnico di Torino student card', kind: 'other-cns' },
    { atr: '3BFF1800008131FE55006B02090403010101434E5310318065', label: 'InfoCamere CNS (chambers of commerce)', kind: 'other-cns' },
    {
      atr: '3BFF1800008131FE55006B02091717010101434E5310318062',
      label: 'CNS of the Centro Servizi Territoriali, Padova',
      kind: 'other-cns',
    },
    { atr: '3BFF1800008131FE45006B150C0302010101434E5310318061', label: 'Bit4id Digital-DNA Key', kind: 'signature-device' },
    { atr: '3BFF1800008131FE55006B02090503010101434E5310318064', label: 'Bit4id J-SIGN 2048', kind: 'signature-device', keyBits: 2048 },
    { atr: '3BFF1800008131FE55006B02090603010101434E5310318067', label: 'ST JSign3', kind: 'signature-device' },
    { atr: '3BFF1800008131FE55006B02090703010101434E5310318066', label: 'Aruba digital signing card', kind: 'signature-device' },
    { atr: '3BFF1800008131FE55006B02091403010101434E5310318075', label: 'InfoCert digital key (CST Padova)', kind: 'signature-device' },
    { atr: '3BFF1800008131FE55006B02091613010101434E5310318067', label: "ANPR card (Ministero dell'Interno)", kind: 'signature-device' },
    { atr: '3BFF1800FF8131FE55006B02090403010101434E531031809A', label: 'bit4id CryptoKey', kind: 'signature-device' },
    { atr: '3BFF1800FF8131FE55006B02091303010101434E531031808D', label: 'Aruba digital signature card', kind: 'signature-device' },
    {
      atr: '3BFF9600008131FE55006B02090403010101434E53103180EB',
      label: 'Aruba PEC digital signature card (Incard)',
      kind: 'signature-device',
    },
    { atr: '3BFF9600FF8131FE55006B02090403010101434E5310318014', label: 'Bit4id JavaCard', kind: 'signature-device' },
    // Siemens
    {
      atr: '3BFF1800FFC10A31FE55006B0508C80C011101434E5310318005',
      label: 'TS-CNS Trento / Repubblica Italiana (Infineon / Siemens)',
      kind: 'ts-cns',
    },
    { atr: '3BFF1800FFC10A31FE55006B0508C805011101434E531031800C', label: 'CRS Regione Lombardia (Infineon / Siemens)', kind: 'ts-cns' },
    { atr: '3BFF1800FFC10A31FE55006B0508C80A011101434E5310318003', label: 'CRS Regione Lombardia (Infineon / Siemens)', kind: 'ts-cns' },
    { atr: '3BFF1800FFC10A31FE55006B0508C809011101434E5310318000', label: 'CRS Regione Sicilia (Infineon / Siemens)', kind: 'ts-cns' },
  ] as KnownAtr[]
).map((k) => (k.atr.includes(' ') ? { ...k, atr: withoutSpaces(k.atr) } : k));

/** The CIE 1.0 ATR (OpenSC card-itacns.c). */
const CIE_V1 = withoutSpaces('3BF4180 0FF8131805500318000C7');
/** CIE 2.0 historical bytes 7-15 (OpenSC): 02 "ITID" 20 20 31 80. */
const CIE_V2_H7 = Buffer.from([0x02, 0x49, 0x54, 0x49, 0x44, 0x20, 0x20, 0x31, 0x80]);
/** A TS-CNS read over NFC by IDEMIA (OpenSC's masked match: 3B 8B 80 01 00 31 C1 64, the rest free). */
const IDEMIA_NFC_PREFIX = '3B8B80010031C164';
export const ICMAN_INFINEON = 5;
export const MASKMAN_IDEMIA = 5;

/** A PC/SC contactless pseudo-ATR (PC/SC part 3): 3B 8n 80 01, historical bytes, TCK. */
export function isContactlessPseudoAtr(hex: string): boolean {
  const n = hex[3] ?? '';
  return hex.startsWith('3B8') && ((n >= '0' && n <= '9') || (n >= 'A' && n <= 'F')) && hex.startsWith('8001', 4);
}

/** Parse the ATR structure (ISO 7816-3): interface bytes, historical bytes, TCK. */
export function parseAtr(bytes: Uint8Array): AtrStructure | undefined {
  const atr = Buffer.from(bytes);
  if (atr.length < 2 || (atr[0] !== 0x3b && atr[0] !== 0x3f)) return undefined;
  const t0 = atr[1]!;
  const k = t0 & 0x0f;
  let y = t0 >> 4;
  let i = 2;
  const protocols: number[] = [];
  while (y) {
    for (const bit of [0x1, 0x2, 0x4]) if (y & bit) i++;
    if (y & 0x8) {
      if (i >= atr.length) return undefined;
      const td = atr[i++]!;
      protocols.push(td & 0x0f);
      y = td >> 4;
    } else y = 0;
  }
  if (i + k > atr.length) return undefined;
  const historical = atr.subarray(i, i + k);
  const tckPresent = protocols.some((p) => p !== 0);
  let tckValid: boolean | null = null;
  if (tckPresent) {
    if (atr.length !== i + k + 1) return undefined;
    let x = 0;
    for (let j = 1; j < atr.length; j++) x ^= atr[j]!;
    tckValid = x === 0;
  } else if (atr.length !== i + k) return undefined;
  return { bytes: atr, historical, protocols: protocols.length ? protocols : [0], tckPresent, tckValid };
}

export function decodeAtr(bytes: Uint8Array): CnsAtrInfo {
  const hex = toHex(bytes, '');
  const compact = hex;
  const known = KNOWN_ATRS.find((k) => k.atr === compact);
  const s = parseAtr(bytes);
  if (!s) {
    return {
      atr: hex,
      isCns: false,
      reason: 'malformed',
      model: 'unreadable ATR',
      extendedLength: false,
      contactless: false,
      protocols: [],
      tckValid: null,
      probe: false,
    };
  }
  const h = s.historical;
  const contactless = isContactlessPseudoAtr(hex);
  const base = { atr: hex, protocols: s.protocols, tckValid: s.tckValid, contactless, probe: false };
  // OpenSC's rule: exactly 15 historical bytes and "CNS" in bytes 10-12.
  const cnsTag = h.length === 15 && h.subarray(9, 12).toString('latin1') === 'CNS';
  if (!cnsTag) {
    if (hex.startsWith(IDEMIA_NFC_PREFIX)) {
      return {
        ...base,
        isCns: true,
        identifiedBy: 'atr',
        knownAs: 'TS-CNS over NFC (IDEMIA, contactless)',
        model: 'TS-CNS over NFC (IDEMIA, contactless)',
        generation: 'ID 2021 (IDEMIA)',
        middleware: 'bit4id xPKI',
        layoutHint: 'idemia2021',
        extendedLength: true,
        keyBits: 2048,
      };
    }
    // positively something else: the CIE (OpenSC's two rules); never probed into a CNS
    const cie = hex === CIE_V1 || (h.length === 15 && h.subarray(6, 15).equals(CIE_V2_H7));
    if (cie)
      return { ...base, isCns: false, reason: 'cie', model: "CIE (Carta d'Identità Elettronica), not a TS-CNS", extendedLength: false };
    // a CNS-like layout with another tag (HPC: professional cards), a contactless pseudo-ATR, or
    // an ATR never seen: the card's files may tell
    const hpc = h.length === 15 && h.subarray(9, 12).toString('latin1') === 'HPC';
    return {
      ...base,
      isCns: false,
      reason: 'not-cns',
      model: hpc ? 'health professional card (HPC)' : contactless ? 'contactless card' : 'not a TS-CNS by its ATR',
      extendedLength: false,
      probe: true,
    };
  }
  const icCode = h[2]!;
  const maskCode = h[3]!;
  const versionByte = h[12]!;
  const cnsVersion = `${versionByte >> 4}.${versionByte & 0x0f}`;
  // OpenSC: an Infineon IC with the IDEMIA mask and firmware major >= 32 is the 2021 generation
  const idemia2021 = icCode === ICMAN_INFINEON && maskCode === MASKMAN_IDEMIA && h[4]! >= 32;
  // OpenSC's rule for extended length and 2048-bit keys; a known ATR may say 2048 behind CNS 1.0
  const modern = versionByte >= 0x11 || idemia2021;
  const mask = MASK_MANUFACTURERS[maskCode];
  const ic = IC_MANUFACTURERS[icCode];
  let generation = known?.generation;
  let middleware = known?.middleware;
  if (!known) {
    // the family from the mask byte alone; never a year the ATR does not say
    if (maskCode === 12) {
      generation = 'AC (Athena)';
      middleware = 'Athena IDProtect';
    } else if (maskCode === MASKMAN_IDEMIA) {
      generation = idemia2021 ? 'ID (IDEMIA, 2048-bit)' : 'OT (Oberthur)';
      middleware = 'bit4id xPKI';
    } else if (maskCode === MASK_STINCARD) {
      generation = 'STIncard';
      middleware = 'OpenSC / bit4id xPKI';
    }
  }
  const layoutHint = known?.layoutHint ?? (idemia2021 ? 'idemia2021' : undefined);
  const model = known?.label ?? `CNS ${cnsVersion} card (${ic ?? `IC ${icCode}`} / ${mask ?? `mask ${maskCode}`})`;
  return {
    ...base,
    isCns: true,
    identifiedBy: 'atr',
    icManufacturerCode: icCode,
    icManufacturer: ic,
    maskManufacturerCode: maskCode,
    maskManufacturer: mask,
    osVersion: `${h[4]!.toString(16).padStart(2, '0')}${h[5]!.toString(16).padStart(2, '0')}`.toUpperCase(),
    cnsVersion,
    cnsVersionByte: versionByte,
    keyBits: known?.keyBits ?? (modern ? 2048 : 1024),
    extendedLength: modern,
    generation,
    middleware,
    ...(known ? { kind: known.kind } : {}),
    ...(layoutHint ? { layoutHint } : {}),
    knownAs: known?.label,
    model,
  };
}
