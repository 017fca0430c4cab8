#!/usr/bin/env node
// A PKCS#11 client that holds the card the way a browser does once its middleware is loaded:
// OpenSC's module loaded, a session open on the card's slot (OpenSC keeps its shared PC/SC
// connection for as long), optionally logged in. Driven by lines on stdin, answers one line each:
//   login        (the next line is the PIN)  -> "ok" | "error CKR_..."
//   cert                                     -> "ok <bytes>" | "error ..."
//   sign                                     -> "ok" | "error CKR_..."
//   quit
// argv: MODULE READER
import { createInterface } from 'node:readline';
import graphene from 'graphene-pk11';

const [modulePath, readerName] = process.argv.slice(2);
const mod = graphene.Module.load(modulePath);
mod.initialize();
const slots = mod.getSlots(true);
let slot;
for (let i = 0; i < slots.length; i++) if (slots.items(i).slotDescription.trim() === readerName) slot = slots.items(i);
if (!slot) {
  console.log(`error no slot for ${readerName}`);
  process.exit(1);
}
const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
const ckr = (e) => /CKR_[A-Z_]+/.exec(String(e?.message ?? e))?.[0] ?? String(e);
console.log('ready');
let wantPin = false;
for await (const line of createInterface({ input: process.stdin })) {
  try {
    if (wantPin) {
      wantPin = false;
      session.login(line, graphene.UserType.USER);
      console.log('ok');
    } else if (line === 'login') wantPin = true;
    else if (line === 'cert') {
      const found = session.find({ class: graphene.ObjectClass.CERTIFICATE });
      console.log(`ok ${found.length ? found.items(0).getAttribute('value').length : 0}`);
    } else if (line === 'sign') {
      const keys = session.find({ class: graphene.ObjectClass.PRIVATE_KEY });
      session.createSign('SHA256_RSA_PKCS', keys.items(0).toType()).once(Buffer.from('hello'));
      console.log('ok');
    } else if (line === 'quit') break;
  } catch (e) {
    console.log(`error ${ckr(e)}`);
  }
}
try {
  session.close();
  mod.finalize();
} catch {}
process.exit(0);
