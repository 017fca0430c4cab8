// Writes src/cert/testCa.ts from fixtures/test-ca.pem: the test CA's name, RSA key and DER, which
// cns keeps in its code so that checking a virtual card's certificate reads no file (issue 27).
// scripts/make-test-ca.mjs runs it after making a new CA; test/cert-verify.test.ts fails when
// the two disagree. Run after `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fromPem } from '../dist/cert/pem.js';
import { parseCertificate } from '../dist/cert/x509.js';

const ca = parseCertificate(fromPem(readFileSync(new URL('../fixtures/test-ca.pem', import.meta.url))));
if (!ca.modulus || !ca.publicExponent) throw new Error('fixtures/test-ca.pem: not an RSA key');
const b64 = ca.der.toString('base64');
const lines = (s, n) => s.match(new RegExp(`.{1,${n}}`, 'g')).map((l) => `    '${l}'`);
const text = `// Written by scripts/known-issuers.mjs from fixtures/test-ca.pem: do not edit.
/**
 * The project's TEST certification authority (fixtures/test-ca.pem), which signs the virtual
 * cards' certificates: its name as parseCertificate() writes a certificate's issuer, its RSA key
 * (hex) and its DER (base64). In the code, so that checking a certificate it signed reads and
 * parses no file (issue 27); test/cert-verify.test.ts checks every field against the fixture.
 */
export const TEST_CA = {
  subject: ${JSON.stringify(ca.subjectString).replace(/'/g, "\\'").replace(/^"|"$/g, "'")},
  modulus:
${lines(ca.modulus.toString('hex'), 96).join(' +\n')},
  exponent: '${ca.publicExponent.toString('hex')}',
  der:
${lines(b64, 96).join(' +\n')},
} as const;
`;
writeFileSync(new URL('../src/cert/testCa.ts', import.meta.url), text);
console.log('wrote src/cert/testCa.ts');
