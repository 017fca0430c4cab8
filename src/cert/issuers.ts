import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seaFile } from '../util/sea.js';
import { fromPem } from './pem.js';
import { type ParsedCertificate, parseCertificate, signatureHolds } from './x509.js';

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

let known: ParsedCertificate[] | undefined;

/** Issuers whose certificates the tool has: the project's test CA (the virtual cards'). */
function knownIssuers(): ParsedCertificate[] {
  if (known) return known;
  known = [];
  const dir = findFixturesDir();
  if (dir) {
    try {
      known.push(parseCertificate(fromPem(readFileSync(join(dir, 'test-ca.pem')))));
    } catch {
      /* no usable test CA: nothing known */
    }
  }
  return known;
}

/** Read the issuers' certificates now (a command does it while the card answers). */
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
