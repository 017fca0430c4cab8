// Regenerates fixtures/test-ca.pem and fixtures/test-ca.key: the project's TEST certification
// authority for virtual cards. Never trust it anywhere. Run after `npm run build`; it then writes
// src/cert/testCa.ts (the CA as cns keeps it in its code) with scripts/known-issuers.mjs.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { issueCertificate } from '../dist/cert/issue.js';
import { toPem } from '../dist/cert/pem.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const der = await issueCertificate({
  subject: [
    { type: 'C', value: 'IT' },
    { type: 'O', value: 'cns project TEST CA - not a real authority' },
    { type: 'CN', value: 'cns Virtual TS-CNS Test CA (DO NOT TRUST)' },
  ],
  subjectPublicKey: publicKey,
  notBefore: new Date('2010-01-01T00:00:00Z'),
  notAfter: new Date('2049-12-31T23:59:59Z'),
  issuerKey: privateKey,
  ca: true,
});
writeFileSync(new URL('../fixtures/test-ca.pem', import.meta.url), toPem(der));
writeFileSync(new URL('../fixtures/test-ca.key', import.meta.url), privateKey.export({ type: 'pkcs8', format: 'pem' }));
console.log('wrote fixtures/test-ca.pem and fixtures/test-ca.key');
await import('./known-issuers.mjs');
