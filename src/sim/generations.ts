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
    name: 'idemia2021',
    label: 'ID 2021 (IDEMIA ID-One CNS v2 on Cosmo 9.1)',
    atr: '3BFF1800008131FE45006B05059120 01F101434E5310318038',
    keyBits: 2048,
    extendedLength: true,
    maxResponse: 256,
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
  },
  {
    name: 'nfc',
    label: 'TS-CNS read over NFC (a pseudo-ATR that does not say CNS: identified by its files)',
    atr: '3B88800100000000038191001A',
    keyBits: 2048,
    extendedLength: true,
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
