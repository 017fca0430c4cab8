#!/usr/bin/env node
// A PKCS#11 client that holds the card the way a browser does once its middleware is loaded:
// OpenSC's module loaded, a session open on the card's slot (OpenSC keeps its shared PC/SC
// connection for as long), optionally logged in. Driven by lines on stdin, answers one line each:
//   login        (the next line is the PIN)  -> "ok" | "error CKR_..."
//   cert                                     -> "ok <bytes>" | "error ..."
//   sign                                     -> "ok" | "error CKR_..."
//   quit
// argv: MODULE READER
// It loads the module with the project's own PKCS#11 calls (dist/pkcs11/ffi.js, through koffi):
// what it stands for is another program holding the card, not a judge of those calls.
import { createInterface } from 'node:readline';
import { CKA, CKF_TOKEN_PRESENT, CKO, CKU, Pkcs11Module } from '../../dist/pkcs11/ffi.js';

const [modulePath, readerName] = process.argv.slice(2);
const mod = new Pkcs11Module(modulePath);
mod.initialize();
const slot = mod.slots().find((s) => (s.flags & CKF_TOKEN_PRESENT) !== 0 && s.description.trim() === readerName);
if (!slot) {
  console.log(`error no slot for ${readerName}`);
  process.exit(1);
}
const session = mod.openSession(slot.id);
const ckr = (e) => /CKR_[A-Z0-9_]+/.exec(String(e?.message ?? e))?.[0] ?? String(e);
console.log('ready');
let wantPin = false;
for await (const line of createInterface({ input: process.stdin })) {
  try {
    if (wantPin) {
      wantPin = false;
      mod.login(session, CKU.USER, line);
      console.log('ok');
    } else if (line === 'login') wantPin = true;
    else if (line === 'cert') {
      const found = mod.find(session, CKO.CERTIFICATE);
      console.log(`ok ${found.length ? (mod.attributes(session, found[0], [CKA.VALUE])[0]?.length ?? 0) : 0}`);
    } else if (line === 'sign') {
      const keys = mod.find(session, CKO.PRIVATE_KEY);
      mod.sign(session, 'SHA256_RSA_PKCS', keys[0], Buffer.from('hello'));
      console.log('ok');
    } else if (line === 'quit') break;
  } catch (e) {
    console.log(`error ${ckr(e)}`);
  }
}
try {
  mod.closeSession(session);
  mod.finalize();
} catch {}
process.exit(0);
