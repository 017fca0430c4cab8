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

interface KnownAtr {
  atr: string;
  label: string;
  generation?: string;
  middleware?: string;
}

/** Real ATRs (pcsc-tools smartcard_list, see docs/card.md). */
const KNOWN_ATRS: KnownAtr[] = [
  {
    atr: '3BFF1800FF8131FE55006B0209161701110143 4E53113180 8D',
    label: 'TS-CNS (ST / STIncard, CNS 1.1)',
    generation: 'ST 2021',
    middleware: 'OpenSC / bit4id xPKI',
  },
  {
    atr: '3BDF18008131FE7D006B150C0181011101434E53103180E8',
    label: 'TS-CNS, CRS Lombardia / Toscana (Atmel / Athena)',
    generation: 'AC 2014/2018 (Athena)',
    middleware: 'Athena IDProtect',
  },
  {
    atr: '3BDF18008131FE7D006B020C0182011101434E53103180FC',
    label: 'TS-CNS (ST / Athena)',
    generation: 'AC (Athena)',
    middleware: 'Athena IDProtect',
  },
  { atr: '3BFF1800FFC10A31FE55006B0508C80C011101434E5310318005', label: 'TS-CNS Trento / Repubblica Italiana (Infineon / Siemens)' },
  {
    atr: '3BFF1800008131FE45006B05059120 01F101434E531031 8038',
    label: 'IDEMIA ID-One CNS v2 on Cosmo 9.1',
    generation: 'ID 2021 (IDEMIA)',
    middleware: 'bit4id xPKI',
  },
  {
    atr: '3BFF1800008131FE45006B040501000111 01434E5310318069',
    label: 'Friuli Venezia Giulia health card (NXP / Oberthur)',
    generation: 'OT (Oberthur)',
    middleware: 'bit4id xPKI',
  },
  {
    atr: '3BFF1800FF8131FE55006B02090200011101434E53103180 8F',
    label: 'CRS Regione Lombardia (ST / STIncard)',
    generation: 'STIncard',
    middleware: 'OpenSC / bit4id xPKI',
  },
].map((k) => ({ ...k, atr: k.atr.replace(/\s/g, '') }));

/** The CIE 1.0 ATR (OpenSC card-itacns.c). */
const CIE_V1 = '3BF4180 0FF8131805500318000C7'.replace(/\s/g, '');
/** CIE 2.0 historical bytes 7-15 (OpenSC): 02 "ITID" 20 20 31 80. */
const CIE_V2_H7 = Buffer.from([0x02, 0x49, 0x54, 0x49, 0x44, 0x20, 0x20, 0x31, 0x80]);
/** A TS-CNS read over NFC by IDEMIA (OpenSC's masked match: 3B 8B 80 01 00 31 C1 64, the rest free). */
const IDEMIA_NFC_PREFIX = '3B8B80010031C164';
export const ICMAN_INFINEON = 5;
export const MASKMAN_IDEMIA = 5;

/** A PC/SC contactless pseudo-ATR (PC/SC part 3): 3B 8n 80 01, historical bytes, TCK. */
export function isContactlessPseudoAtr(hex: string): boolean {
  return /^3B8[0-9A-F]8001/.test(hex);
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
        extendedLength: true,
        keyBits: 2048,
      };
    }
    if (known) {
      return {
        ...base,
        isCns: true,
        identifiedBy: 'atr',
        knownAs: known.label,
        model: known.label,
        generation: known.generation,
        middleware: known.middleware,
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
  const modern = versionByte >= 0x11 || idemia2021;
  const mask = MASK_MANUFACTURERS[maskCode];
  const ic = IC_MANUFACTURERS[icCode];
  let generation = known?.generation;
  let middleware = known?.middleware;
  if (!generation) {
    if (maskCode === 12) {
      generation = 'AC (Athena)';
      middleware = 'Athena IDProtect';
    } else if (maskCode === 5) {
      generation = idemia2021 ? 'ID 2021 (IDEMIA)' : 'OT (Oberthur)';
      middleware = 'bit4id xPKI';
    } else if (maskCode === MASK_STINCARD) {
      generation = modern ? 'ST 2021' : 'STIncard';
      middleware = 'OpenSC / bit4id xPKI';
    }
  }
  const model = known?.label ?? `TS-CNS ${cnsVersion} (${ic ?? `IC ${icCode}`} / ${mask ?? `mask ${maskCode}`})`;
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
    keyBits: modern ? 2048 : 1024,
    extendedLength: modern,
    generation,
    middleware,
    knownAs: known?.label,
    model,
  };
}
