import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seaFile } from '../util/sea.js';
import { TEST_CA } from './testCa.js';
import { type IssuerKey, type ParsedCertificate, signatureHolds } from './x509.js';

/** The package's fixtures/ folder, found upwards from this module (src/, dist/ or a bundle); undefined if absent. */
export function findFixturesDir(): string | undefined {
  // the single executable writes them to the user's cache
  const sea = seaFile('fixtures/test-ca.pem');
  if (sea) {
    seaFile('fixtures/test-ca.key');
    seaFile('fixtures/opensc-unblock.conf');
    return dirname(sea);
  }
  // __filename in the bundle: import.meta.url costs a URL there (~0.5 ms)
  let dir = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'fixtures', 'test-ca.pem'))) return join(dir, 'fixtures');
    dir = dirname(dir);
  }
  return undefined;
}

/** What checking a signature needs of an issuer: its name, its RSA key, its certificate. */
interface KnownIssuer extends IssuerKey {
  subjectString: string;
}

let known: KnownIssuer[] | undefined;

/**
 * Issuers whose certificates the tool has: the project's test CA (the virtual cards'), kept in the
 * code (src/cert/testCa.ts): no file is read nor certificate parsed for it at each command.
 */
function knownIssuers(): KnownIssuer[] {
  known ??= [
    {
      subjectString: TEST_CA.subject,
      modulus: Buffer.from(TEST_CA.modulus, 'hex'),
      publicExponent: Buffer.from(TEST_CA.exponent, 'hex'),
      der: Buffer.from(TEST_CA.der, 'base64'),
    },
  ];
  return known;
}

/** Make the issuers ready now (a command does it while the card answers). */
export function loadKnownIssuers(): void {
  knownIssuers();
}

/**
 * Where the issuer is known, whether its signature on `cert` holds. A certificate whose signed
 * part and signature come from two certificates (a write cut short by an older version) is valid
 * DER, and only this tells it apart. undefined: the issuer is not one the tool has.
 */
export function issuerSignatureHolds(cert: ParsedCertificate): boolean | undefined {
  const issuer = knownIssuers().find((k) => k.subjectString === cert.issuerString);
  return issuer ? signatureHolds(cert, issuer) : undefined;
}
