/** The TS-CNS file map (docs/card.md). Paths are from the MF, without 3F00. */
export const CNS_PATHS = {
  DATI_PROCESSORE: [0x1000, 0x1002],
  ID_CARTA: [0x1000, 0x1003],
  CERTIFICATE: [0x1100, 0x1101],
  DATI_PERSONALI: [0x1100, 0x1102],
  /** The second (signature) keyset's certificate (OpenSC pkcs15-itacns.c, "CNS1"). */
  SIGNATURE_CERTIFICATE: [0x1400, 0x9010],
  /** The older InfoCamere 1204 layout ("CNS01"): the certificate inside this EF, from offset 5. */
  INFOCAMERE_CERTIFICATE: [0x2fff, 0x8228],
} as const;

/**
 * Where a generation keeps its authentication certificate and key (docs/card.md). The PIN is 0x10
 * on all of them.
 * - `cns`: the classic TS-CNS, certificate 3F00/1100/1101, key 01 (OpenSC "CNS0").
 * - `idemia2021`: IDEMIA 2021 / ACe 2021, certificate 3F00/1400/9001/2002, key 02 in the DF
 *   3F00/1400/9002, which is selected before MSE SET (OpenSC pkcs15-itacns.c, a4eed9597); EF
 *   1100/1101 is there but holds no certificate.
 * - `ace2025`: Actalis ACe 2025, no EF 1100/1101 (6A82); the certificate is EF C001 in DF DA01 of
 *   the application A0 00 00 05 30 00 0B 10 40 01 02 1A, which the card's own middleware selects by
 *   name and then by path from it (`00 A4 09 00 04 DA 01 C0 01`), as a pcscd log in OpenSC issue
 *   3804 shows; the application answers with FID 3F00. Key 01 (the thread's pkcs15 dump: CNS0).
 */
export interface AuthLayout {
  name: 'cns' | 'idemia2021' | 'ace2025';
  /** Path of the certificate EF: from the MF, or from `application` when there is one. */
  certificate: readonly number[];
  /** The application (AID) selected first; the certificate's path is then from it (SELECT P1 09). */
  application?: Buffer;
  keyReference: number;
  /** The DF the key is in, selected before MSE SET. */
  keyDf?: readonly number[];
}

export const AUTH_LAYOUTS: Record<AuthLayout['name'], AuthLayout> = {
  cns: { name: 'cns', certificate: [0x1100, 0x1101], keyReference: 0x01 },
  idemia2021: { name: 'idemia2021', certificate: [0x1400, 0x9001, 0x2002], keyReference: 0x02, keyDf: [0x1400, 0x9002] },
  ace2025: {
    name: 'ace2025',
    application: Buffer.from('A000000530000B104001021A', 'hex'),
    certificate: [0xda01, 0xc001],
    keyReference: 0x01,
  },
};

/** Where the InfoCamere 1204 EF keeps its certificate: its length in bytes 1-2, the DER from byte 5. */
export const INFOCAMERE_CERT_OFFSET = 5;

/** The signature keyset's PIN and PUK (its PUK is the next reference, as for CNS0). */
export const SIGNATURE_PIN_REFERENCE = 0x1a;
export const SIGNATURE_PUK_REFERENCE = 0x1b;

export const PIN_REFERENCE = 0x10;
export const PUK_REFERENCE = 0x11;
export const AUTH_KEY_REFERENCE = 0x01;
export const PIN_PAD_LENGTH = 8;

export const PIN_MIN = 5;
export const PIN_MAX = 8;
export const PUK_LENGTH = 8;

/** ASCII digits padded with 0xFF to 8 bytes, as the CNS stores them. */
export function padPin(pin: string): Buffer {
  const b = Buffer.alloc(PIN_PAD_LENGTH, 0xff);
  b.write(pin, 'ascii');
  return b;
}
