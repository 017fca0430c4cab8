import type { AuthLayout } from '../card/files.js';
import type { CardAnswers } from './image.js';

/**
 * The card generations the tool knows, as virtual cards: each with a real ATR of that family
 * (pcsc-tools' list, docs/card.md), its key size, whether it takes extended-length APDUs, and the
 * largest response it returns at once (longer data come through 61xx / GET RESPONSE). The
 * response limit is a modelling choice (256: one short response; no public source gives the
 * real cards' figure), kept per generation so that a family with a smaller one can be added.
 */
export interface Generation {
  name: string;
  label: string;
  atr: string;
  keyBits: 1024 | 2048;
  extendedLength: boolean;
  maxResponse: number;
  /** Where the authentication keyset is (card/files.ts AUTH_LAYOUTS); default the classic one. */
  layout?: AuthLayout['name'];
  /** How it answers where real generations differ (FCI 6F, no size, 9000 past the end, GET CHALLENGE limit). */
  answers?: CardAnswers;
}

export const GENERATIONS: Generation[] = [
  {
    name: 'st2021',
    label: 'ST 2021 (STMicroelectronics / STIncard, CNS 1.1)',
    atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D',
    keyBits: 2048,
    extendedLength: true,
    maxResponse: 256,
  },
  {
    name: 'stincard',
    label: 'STIncard (CRS Lombardia, CNS 1.0)',
    atr: '3BFF1800FF8131FE55006B02090200011101434E53103180 8F',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    name: 'athena',
    label: 'AC 2014/2018 (Atmel / Athena, CNS 1.0)',
    atr: '3BDF18008131FE7D006B150C0181011101434E53103180E8',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    // OpenSC a4eed9597 / issue 2445: certificate 1400/9001/2002, key 02 in DF 1400/9002, EF 1101
    // no certificate; takes extended APDUs (its own driver chains); GET CHALLENGE of 32 bytes at most
    name: 'idemia2021',
    label: 'ID 2021 (IDEMIA ID-One CNS v2 on Cosmo 9.1; certificate in 1400/9001/2002, key 02)',
    atr: '3BFF1800008131FE45006B05059120 01F101434E5310318038',
    keyBits: 2048,
    extendedLength: true,
    maxResponse: 256,
    layout: 'idemia2021',
    answers: { challengeMax: 32 },
  },
  {
    // OpenSC issue 3804: files behind an application, FCI 6F, 9000 past the end and 6B00 at it
    name: 'ace2025',
    label: 'ACe 2025 (Actalis, NXP / G&D; 2048-bit behind a CNS 1.0 ATR, certificate in application DA01/C001)',
    atr: '3BFF1800FF8131FE4D006B0404B85B01F101434E531031809D',
    keyBits: 2048,
    extendedLength: false,
    maxResponse: 256,
    layout: 'ace2025',
    answers: { fcpTag: '6F', pastEnd: '9000' },
  },
  {
    // pcsc-tools: a signature device with a CNS tag; its 2048-bit key behind a CNS 1.0 ATR (OpenSC signs by chaining)
    name: 'jsign2048',
    label: 'Bit4id J-SIGN 2048 (a signature device, not a TS-CNS; 2048-bit key behind a CNS 1.0 ATR)',
    atr: '3BFF1800008131FE55006B02090503010101434E5310318064',
    keyBits: 2048,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    // OpenSC f83f8d28d: some cards give no size in their FCP; the behaviour on the CRS Lombardia ATR
    name: 'nosize',
    label: 'A CNS whose FCP gives no file size (OpenSC f83f8d28d), on the STIncard CRS Lombardia ATR',
    atr: '3BFF1800FF8131FE55006B02090200011101434E53103180 8F',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
    answers: { fcpSize: false },
  },
  {
    name: 'oberthur',
    label: 'OT (NXP / Oberthur, CNS 1.0)',
    atr: '3BFF1800008131FE45006B040501000111 01434E5310318069',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    name: 'siemens',
    label: 'Infineon / Siemens (Trento, Repubblica Italiana; CNS 1.0)',
    atr: '3BFF1800FFC10A31FE55006B0508C80C011101434E5310318005',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    name: 'idemia-nfc',
    label: 'IDEMIA TS-CNS read over NFC (contactless pseudo-ATR, known to OpenSC)',
    atr: '3B8B80010031C1640892335400900 0F3',
    keyBits: 2048,
    extendedLength: true,
    maxResponse: 256,
    layout: 'idemia2021',
    answers: { challengeMax: 32 },
  },
  {
    name: 'nfc',
    label: 'TS-CNS read over NFC (a pseudo-ATR that does not say CNS: identified by its files; short APDUs only)',
    atr: '3B88800100000000038191001A',
    keyBits: 2048,
    extendedLength: false,
    maxResponse: 256,
  },
  {
    name: 'hpc',
    label: 'Health professional card, Trento ("HPC" tag: identified by its files)',
    atr: '3BFF18000081 31FE45006B040501000112024850431031806C',
    keyBits: 1024,
    extendedLength: false,
    maxResponse: 256,
  },
].map((g) => ({ ...g, atr: g.atr.replace(/\s/g, '') }) as Generation);

export function generationNamed(name: string): Generation | undefined {
  return GENERATIONS.find((g) => g.name === name.toLowerCase());
}
