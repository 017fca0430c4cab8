import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAtr, isContactlessPseudoAtr, parseAtr } from '../card/atr.js';
import type { SignatureLayout } from '../card/card.js';
import { checkCodiceFiscale, codiceFiscaleCheckChar, decodeCodiceFiscale, luhnCheckDigit, luhnValid } from '../card/checks.js';
import { romeDate } from '../card/dates.js';
import { encodeDatiPersonali, isoToCardDate } from '../card/efDatiPersonali.js';
import type { AuthLayout } from '../card/files.js';
import { buildCnsCommonName } from '../cert/cnsSubject.js';
import { issueCertificate } from '../cert/issue.js';
import { findFixturesDir } from '../cert/issuers.js';
import { fromPem } from '../cert/pem.js';
import { parseCertificate } from '../cert/x509.js';
import { GENERATIONS, type Generation, generationNamed } from './generations.js';
import { type CardImage, IMAGE_FORMAT, IMAGE_VERSION, type ImageFile } from './image.js';

/** The STIncard TS-CNS ATR (CNS 1.1) from docs/card.md. */
export const DEFAULT_ATR = '3BFF1800FF8131FE55006B02091617011101434E531131808D';

/** Capacity of EF 1101: room for a 2048-bit certificate and its renewal. */
const CERT_EF_SIZE = 2048;
/** Where each layout keeps the authentication certificate in a card image (card/files.ts AUTH_LAYOUTS). */
export const CERTIFICATE_PATH: Record<AuthLayout['name'], string> = {
  cns: '3F00/1100/1101',
  idemia2021: '3F00/1400/9001/2002',
  ace2025: '3F00/DA01/C001',
};
/** The ACe 2025 CNS application (OpenSC issue 3804). */
const ACE2025_AID = 'A000000530000B104001021A';
/** EF_Dati_personali on a real card: 400 bytes. */
const DATI_PERSONALI_EF_SIZE = 400;

export class CreateError extends Error {
  constructor(
    message: string,
    readonly field: string,
    /** The message catalogue's key (cr_<key>) and its values: what a person reads. */
    readonly key?: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'CreateError';
  }
}

export interface CreateOptions {
  pin?: string;
  puk?: string;
  pinTries?: number;
  pukTries?: number;
  /** Tries left now (default: all of them; 0 makes a blocked PIN or PUK, for training). */
  pinTriesLeft?: number;
  pukTriesLeft?: number;
  atr?: string;
  keySize?: 1024 | 2048;
  notBefore?: Date;
  notAfter?: Date;
  surname?: string;
  givenName?: string;
  codiceFiscale?: string;
  cardId?: string;
  /** PEM or DER certificate and its PKCS#8/PKCS#1 PEM key, instead of generating them. */
  certificate?: Buffer;
  privateKey?: Buffer;
  caCert?: Buffer;
  caKey?: Buffer;
  label?: string;
  /** A generation of the table (sim/generations.ts): its ATR, key size, extended length, response size. */
  generation?: string;
  /** The card as seen through a contactless (NFC) reader: a PC/SC pseudo-ATR. */
  contactless?: boolean;
  /** The most data one response carries (more through GET RESPONSE). */
  maxResponse?: number;
  /** Add the second (signature) keyset: certificate 3F00/1400/9010, PIN 1A, PUK 1B. */
  signatureKeyset?: boolean;
  /** cns1 (default: 1400/9010, PIN 1A, PUK 1B) or infocamere (2FFF/8228 from offset 5, CNS PIN). */
  signatureLayout?: SignatureLayout;
  sigPin?: string;
  sigPuk?: string;
}

/** The package's fixtures/ folder (cert/issuers.ts finds it). */
export function fixturesDir(): string {
  const dir = findFixturesDir();
  if (!dir) throw new CreateError('the test CA (fixtures/test-ca.pem) is missing from this installation', 'ca-cert');
  return dir;
}

export function defaultCa(): { cert: Buffer; key: Buffer } {
  const dir = fixturesDir();
  return { cert: readFileSync(join(dir, 'test-ca.pem')), key: readFileSync(join(dir, 'test-ca.key')) };
}

function randomCardId(): string {
  let s = '5';
  for (let i = 0; i < 14; i++) s += String(randomInt(10));
  return s + luhnCheckDigit(s);
}

function ef(path: string, content: Buffer, size: number, update = 0xff): ImageFile {
  if (content.length > size) throw new CreateError(`${path}: ${content.length} bytes do not fit in ${size}`, path);
  const data = Buffer.alloc(size);
  content.copy(data);
  return { path, type: 'EF', data: data.toString('hex').toUpperCase(), read: 0x00, update };
}

function checkSecret(v: string, name: string, min: number, max: number): void {
  if (!new RegExp(`^\\d{${min},${max}}$`).test(v))
    throw new CreateError(`${name} must be ${min === max ? min : `${min}-${max}`} digits`, name, 'digits', {
      n: min === max ? min : `${min}-${max}`,
    });
}

function checkTries(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 1 || v > 15)
    throw new CreateError(`${name} must be a whole number from 1 to 15`, name, 'range', { from: 1, to: 15 });
}

function triesLeft(v: number | undefined, max: number, name: string): number {
  if (v === undefined) return max;
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new CreateError(`${name} must be a whole number from 0 to ${max}`, name, 'range', { from: 0, to: max });
  return v;
}

export async function createImage(o: CreateOptions = {}): Promise<{ image: CardImage; certificate: Buffer }> {
  const pin = o.pin ?? '12345';
  const puk = o.puk ?? '12345678';
  checkSecret(pin, 'pin', 5, 8);
  checkSecret(puk, 'puk', 8, 8);
  const pinTries = o.pinTries ?? 3;
  const pukTries = o.pukTries ?? 10;
  checkTries(pinTries, 'pin-tries');
  checkTries(pukTries, 'puk-tries');
  let gen: Generation | undefined;
  if (o.generation !== undefined || o.contactless) {
    if (o.atr !== undefined) throw new CreateError('--atr and --generation/--contactless exclude each other', 'atr', 'atrGeneration');
    gen = generationNamed(o.generation ?? 'nfc');
    if (!gen)
      throw new CreateError(`unknown generation ${o.generation}`, 'generation', 'generation', {
        names: GENERATIONS.map((g) => g.name).join(', '),
      });
    if (o.contactless && !isContactlessPseudoAtr(gen.atr))
      throw new CreateError(`${gen.name} is a contact card`, 'contactless', 'contactlessGeneration', {
        names: GENERATIONS.filter((g) => isContactlessPseudoAtr(g.atr))
          .map((g) => g.name)
          .join(', '),
      });
  }
  if (o.maxResponse !== undefined && (!Number.isInteger(o.maxResponse) || o.maxResponse < 16 || o.maxResponse > 65536))
    throw new CreateError('max-response must be a whole number from 16 to 65536', 'max-response', 'range', { from: 16, to: 65536 });
  const atrHex = (gen?.atr ?? o.atr ?? DEFAULT_ATR).replace(/[\s:]/g, '').toUpperCase();
  if (!/^([0-9A-F]{2})+$/.test(atrHex) || !parseAtr(Buffer.from(atrHex, 'hex')))
    throw new CreateError('atr is not a well-formed ATR', 'atr', 'atr');
  const atrInfo = decodeAtr(Buffer.from(atrHex, 'hex'));
  const surname = (o.surname ?? 'ROSSI').toUpperCase();
  const givenName = (o.givenName ?? 'MARIO').toUpperCase();
  const codiceFiscale = (o.codiceFiscale ?? 'RSSMRA80A01H501U').toUpperCase();
  if (checkCodiceFiscale(codiceFiscale) !== 'valid')
    throw new CreateError(
      `codice fiscale ${codiceFiscale} is not valid (check character ${codiceFiscaleCheckChar(codiceFiscale.slice(0, 15))} expected)`,
      'codice-fiscale',
      'cf',
      { cf: codiceFiscale, check: codiceFiscaleCheckChar(codiceFiscale.slice(0, 15)) },
    );
  const cardId = o.cardId ?? randomCardId();
  if (!/^\d{16}$/.test(cardId) || !luhnValid(cardId))
    throw new CreateError('card id must be 16 digits with a valid Luhn check digit', 'card-id', 'cardId');

  let keyPem: string;
  let certDer: Buffer | undefined;
  if (o.certificate || o.privateKey) {
    if (!o.certificate || !o.privateKey) throw new CreateError('--cert and --key go together', 'cert', 'certKey');
    certDer = fromPem(o.certificate);
    const parsed = parseCertificate(certDer);
    const key = createPrivateKey(o.privateKey);
    const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!pub.equals(parsed.spki)) throw new CreateError('the key does not match the certificate', 'key', 'keyMismatch');
    if (key.asymmetricKeyType !== 'rsa') throw new CreateError('the key must be RSA', 'key', 'keyRsa');
    keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } else {
    const bits = o.keySize ?? gen?.keyBits ?? atrInfo.keyBits ?? 2048;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
    keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  const now = Date.now();
  const notBefore = o.notBefore ?? new Date(now - 86400000);
  const notAfter = o.notAfter ?? new Date(now + 6 * 365 * 86400000);
  if (notAfter <= notBefore) throw new CreateError('not-after must be later than not-before', 'not-after', 'dates');
  const fromCf = decodeCodiceFiscale(codiceFiscale);
  const validFrom = certDer ? parseCertificate(certDer).notBefore : notBefore;
  const validTo = certDer ? parseCertificate(certDer).notAfter : notAfter;
  const record = encodeDatiPersonali({
    issuerCode: '6090',
    issueDate: isoToCardDate(romeDate(validFrom)),
    expiryDate: isoToCardDate(romeDate(validTo)),
    surname,
    givenName,
    // what the codice fiscale says, so that the card's data agree with it
    birthDate: fromCf ? isoToCardDate(fromCf.birthDate) : '01011980',
    sex: fromCf?.sex ?? 'M',
    codiceFiscale,
    birthMunicipality: fromCf?.birthPlace ?? 'H501',
    residenceMunicipality: fromCf?.birthPlace ?? 'H501',
  });

  // the holder's certificates (authentication, and signature when asked), from the same test CA
  const issueFor = async (cn: string, key: KeyObject, from: Date, to: Date, nonRepudiation = false): Promise<Buffer> => {
    const ca = o.caCert && o.caKey ? { cert: o.caCert, key: o.caKey } : defaultCa();
    return issueCertificate({
      subject: [
        { type: 'C', value: 'IT' },
        { type: 'O', value: 'cns virtual card (TEST, not a real TS-CNS)' },
        { type: 'SN', value: surname },
        { type: 'GN', value: givenName },
        { type: 'serialNumber', value: `TINIT-${codiceFiscale}` },
        { type: 'CN', value: cn },
      ],
      subjectPublicKey: key,
      notBefore: from,
      notAfter: to,
      issuerCert: fromPem(ca.cert),
      issuerKey: createPrivateKey(ca.key),
      nonRepudiation,
    });
  };
  certDer ??= await issueFor(buildCnsCommonName(codiceFiscale, cardId, record), createPublicKey(keyPem), notBefore, notAfter);

  const layout = gen?.layout ?? 'cns';
  const files: ImageFile[] = [
    ...(layout === 'ace2025' ? [{ path: '3F00', type: 'DF' as const, aid: ACE2025_AID }] : []),
    { path: '3F00/1000', type: 'DF' },
    ef('3F00/1000/1002', Buffer.from('cns-virtual-card', 'ascii'), 32),
    ef('3F00/1000/1003', Buffer.from(cardId, 'ascii'), 16),
    { path: '3F00/1100', type: 'DF' },
    ef('3F00/1100/1102', record, DATI_PERSONALI_EF_SIZE),
    ef('3F00/3F01', createPublicKey(keyPem).export({ type: 'spki', format: 'der' }), 300),
    { path: '3F00/1200', type: 'DF' },
    ef('3F00/1200/1201', Buffer.alloc(0), 256),
    ef('3F00/1200/1202', Buffer.alloc(0), 64),
    ef('3F00/1200/1203', Buffer.alloc(0), 64),
  ];
  const certPath = CERTIFICATE_PATH[layout];
  let keyPlace: Pick<CardImage, 'authKeyRef' | 'authKeyDf'> = {};
  if (layout === 'cns') {
    // Updatable only after the PUK (reference 11) is verified: the extension flow writes here.
    files.push(ef(certPath, certDer, Math.max(CERT_EF_SIZE, certDer.length), 0x11));
  } else if (layout === 'idemia2021') {
    // EF 1101 is there but holds no certificate (OpenSC 5115785ac); the certificate and the key
    // (reference 02, in DF 9002) are under 1400 (OpenSC a4eed9597)
    files.push(
      ef('3F00/1100/1101', Buffer.alloc(0), CERT_EF_SIZE),
      { path: '3F00/1400', type: 'DF' },
      { path: '3F00/1400/9001', type: 'DF' },
      ef(certPath, certDer, Math.max(CERT_EF_SIZE, certDer.length)),
      { path: '3F00/1400/9002', type: 'DF' },
    );
    keyPlace = { authKeyRef: 0x02, authKeyDf: '3F00/1400/9002' };
  } else {
    // ACe 2025: no EF 1101; the certificate EF in DF DA01 is exactly as long as the certificate
    // (its FCI size 075D is the DER's 4 + 0759 in the log of OpenSC issue 3804)
    files.push({ path: '3F00/DA01', type: 'DF' }, ef(certPath, certDer, certDer.length));
  }
  let signature: CardImage['signature'];
  if (o.signatureKeyset) {
    const sigPin = o.sigPin ?? '24681357';
    const sigPuk = o.sigPuk ?? '97531864';
    checkSecret(sigPin, 'sig-pin', 5, 8);
    checkSecret(sigPuk, 'sig-puk', 8, 8);
    const bits = createPublicKey(keyPem).asymmetricKeyDetails?.modulusLength ?? 2048;
    const { privateKey: sigKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
    const sigCert = await issueFor(`${surname} ${givenName} (firma)`, createPublicKey(sigKey), validFrom, validTo, true);
    if (o.signatureLayout === 'infocamere') {
      // the certificate's length in bytes 1-2, the DER from byte 5 (OpenSC pkcs15-itacns.c)
      const head = Buffer.from([0x00, sigCert.length >> 8, sigCert.length & 0xff, 0x00, 0x00]);
      const content = Buffer.concat([head, sigCert]);
      files.push({ path: '3F00/2FFF', type: 'DF' }, ef('3F00/2FFF/8228', content, Math.max(CERT_EF_SIZE, content.length)));
    } else
      files.push(
        ...(files.some((f) => f.path === '3F00/1400') ? [] : [{ path: '3F00/1400', type: 'DF' as const }]),
        ef('3F00/1400/9010', sigCert, Math.max(CERT_EF_SIZE, sigCert.length)),
        { path: '3F00/1400/8110', type: 'DF' },
        ef('3F00/1400/8110/8010', createPublicKey(sigKey).export({ type: 'spki', format: 'der' }), 300),
      );
    signature = {
      ...(o.signatureLayout === 'infocamere' ? { layout: 'infocamere' as const } : {}),
      pin: { value: sigPin, triesLeft: 3, maxTries: 3 },
      puk: { value: sigPuk, triesLeft: 10, maxTries: 10 },
      key: sigKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
  const image: CardImage = {
    format: IMAGE_FORMAT,
    version: IMAGE_VERSION,
    label: o.label ?? 'cns virtual TS-CNS (test card)',
    atr: atrHex,
    pin: { value: pin, triesLeft: triesLeft(o.pinTriesLeft, pinTries, 'pin-tries-left'), maxTries: pinTries },
    puk: { value: puk, triesLeft: triesLeft(o.pukTriesLeft, pukTries, 'puk-tries-left'), maxTries: pukTries },
    authKey: keyPem,
    ...keyPlace,
    files,
    ...(gen ? { generation: gen.name, extendedLength: gen.extendedLength, maxResponse: gen.maxResponse } : {}),
    ...(gen?.answers ? { answers: { ...gen.answers } } : {}),
    ...(o.maxResponse !== undefined ? { maxResponse: o.maxResponse } : {}),
    ...(signature ? { signature } : {}),
  };
  return { image, certificate: certDer };
}
