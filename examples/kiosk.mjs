#!/usr/bin/env node
// A kiosk built on cns as a library (docs/api.md): it waits for a health card, shows the holder
// and the certificate's expiry, asks for the PIN on the kiosk's own keypad and verifies it, and
// says what to do for every error, in the kiosk's own words. Here the "keypad" is a line of
// standard input and the "screen" is standard output; `--once` ends after the first card.
//
//   node examples/kiosk.mjs [--once]
import { createInterface } from 'node:readline';
import { CnsError, readReport, verifyPin, watchReaders, withCard } from 'cns';

const once = process.argv.includes('--once');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const screen = (text) => process.stdout.write(`${text}\n`);

/** The keypad: the next line typed, or nothing when there is none. */
async function keypad() {
  const { value, done } = await lines.next();
  if (done) throw new CnsError('DECLINED');
  return value.trim();
}

/** Every code the library can raise, in the kiosk's words (the CLI has its own, in two languages). */
function explain(e) {
  const f = e.facts;
  switch (e.code) {
    case 'PIN_INCORRECT':
      return `Wrong PIN: ${f.triesLeft ?? 'some'} tries left.`;
    case 'PIN_BLOCKED':
      return f.pukToo ? 'PIN and PUK are blocked: ask your ASL for a new card.' : 'PIN blocked: unblock it with the PUK at the help desk.';
    case 'PUK_INCORRECT':
    case 'PUK_BLOCKED':
      return 'PUK problem: please see the help desk.';
    case 'LAST_ATTEMPT_REFUSED':
      return 'Only one PIN try is left: this kiosk will not use it. Please see the help desk.';
    case 'INVALID_PIN_FORMAT':
      return 'A PIN is 5 to 8 digits: nothing was sent to the card.';
    case 'CARD_REMOVED':
      return f.outcomeUnknown ? 'The card was taken out while checking the PIN: insert it again to see the tries left.' : 'The card was taken out.';
    case 'NO_CARD':
    case 'NO_READER':
    case 'READER_UNKNOWN':
      return 'Insert the health card in the reader.';
    case 'CARD_BUSY':
      return 'Another program is using the card: try again in a moment.';
    case 'CARD_NOT_ANSWERING':
    case 'CARD_BAD_ANSWER':
      return 'The card does not answer: take it out and insert it again, chip first.';
    case 'CARD_UNSUPPORTED':
    case 'CERT_LAYOUT_UNKNOWN':
    case 'IMAGE_INVALID':
      return 'This card is not a TS-CNS this kiosk can read.';
    case 'PCSC_UNAVAILABLE':
    case 'PKCS11_UNAVAILABLE':
    case 'PKCS11_MODULE_ERROR':
      return 'The card reader service is not working: call the operator.';
    case 'DECLINED':
      return 'No PIN typed: nothing was sent.';
    default:
      return `Something went wrong (${e.code}): call the operator.`;
  }
}

async function serve(reader) {
  await withCard({ reader }, async (card) => {
    const report = await readReport(card);
    const name = [report.holder?.givenName, report.holder?.surname].filter(Boolean).join(' ') || 'the holder';
    screen(`Hello ${name}.`);
    if (report.certificate) screen(`Your card's certificate is valid until ${report.certificate.notAfter.slice(0, 10)} (${report.certificate.state}).`);
    await verifyPin(card, {
      onTries: (t) => screen(t.triesLeft === null ? 'Type your PIN.' : `Type your PIN (${t.triesLeft} tries left).`),
      // a kiosk never spends the last try: the holder does that at the help desk
      lastAttempt: async () => false,
      pin: keypad,
    });
    screen('PIN OK.');
  });
}

for await (const event of watchReaders({ once })) {
  if (event.event !== 'card-inserted' && event.event !== 'card-present') {
    if (event.event === 'service-lost') screen(explain(new CnsError('PCSC_UNAVAILABLE')));
    continue;
  }
  if (!event.isCns) {
    screen('This is not a health card: please insert the Tessera Sanitaria.');
    continue;
  }
  try {
    await serve(event.reader);
  } catch (e) {
    if (!(e instanceof CnsError)) throw e;
    screen(explain(e));
    process.exitCode = 1;
  }
}
