import { changePin, type PinOutcome, unblockPin, usesPinpad, verifyPin, weakPinCheck } from '../api/pin.js';
import type { Card, Keyset } from '../card/card.js';
import { requireKeyset } from '../card/pinGate.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { fallbackText, padWait, pinAuth } from '../cli/gate.js';
import { describeError, onSecretCommand, renderError } from '../cli/render.js';
import { type SecretName, type SecretOptions, Secrets } from '../cli/secrets.js';
import { withCard } from '../device/open.js';
import { triesJson } from '../report/report.js';

export interface PinCommandOptions extends SecretOptions {
  lastAttempt?: boolean;
  /** false (--no-pinpad): the keyboard even where the reader has a keypad. */
  pinpad?: boolean;
  signTest?: boolean;
  /** Accept a new PIN that is easy to guess (one digit, a run, the birth date). */
  allowWeak?: boolean;
  /** The signature keyset's PIN (1A) and PUK (1B) instead of the authentication ones. */
  signature?: boolean;
}

/** Refuse (or, at a prompt, ask again for) a new PIN that is easy to guess, unless --allow-weak. */
async function guardNewPin(ctx: Context, card: Card, secrets: Secrets, allowWeak: boolean | undefined): Promise<void> {
  if (allowWeak) return;
  const weak = await weakPinCheck(card);
  secrets.checkNewPin((v) => {
    const why = weak(v);
    return why ? new CliError('WEAK_PIN', { why: ctx.t(`weak_${why}`) }) : undefined;
  });
}

type Op = 'verify' | 'change' | 'unblock';

const SECRETS: Record<Op, SecretName[]> = {
  verify: ['pin'],
  change: ['currentPin', 'newPin'],
  unblock: ['puk', 'newPin'],
};

export async function pinCommand(ctx: Context, op: Op, o: PinCommandOptions): Promise<number> {
  // the test signature is made with the authentication key only: never a signature with the
  // qualified signature key as a test (it was silently skipped)
  if (o.signTest && o.signature) throw new CliError('USAGE', { detailKey: 'uSignTestSignature' });
  const secrets = new Secrets(ctx, o, SECRETS[op]);
  // a PIN typed on the reader's keypad needs no source here: known once the reader is read. A
  // PIN given with --stdin or --env is used as given.
  const mayPad = o.pinpad !== false && secrets.interactive && op !== 'unblock';
  if (!mayPad) await secrets.preload();
  const secretOp = op === 'unblock' ? 'PUK' : 'PIN';
  // the card answered 9000 to the PIN command: whatever fails afterwards, that is settled
  let confirmed = false;
  const doneKey = op === 'verify' ? 'pinVerified' : op === 'change' ? 'pinChanged' : 'pinUnblocked';
  const keyset: Keyset = o.signature ? 'signature' : 'auth';
  // what the messages call the secret: on the InfoCamere layout --signature works on the CNS's
  // own PIN and PUK, so a wrong one is "wrong PIN", not "wrong signature PIN"
  let named: Keyset = keyset;
  const keypad = padWait(ctx);
  try {
    const out = await withCard(ctx.cardOptions, async (s, opened) => {
      await requireKeyset(s, keyset);
      if (keyset === 'signature' && s.signatureLayout === 'infocamere') {
        named = 'auth';
        ctx.note(ctx.t('sigSharesPinNote'));
      }
      if (opened.fallback) ctx.note(ctx.c.yellow(fallbackText(ctx, opened.fallback.cause)));
      const pad = mayPad && (await usesPinpad(s, {}, op === 'verify' ? 'verify' : 'change'));
      if (mayPad && !pad) await secrets.preload();
      if (op === 'unblock' && o.pinpad !== false && secrets.interactive && (await s.pinpad?.()))
        ctx.note(ctx.c.dim(ctx.t('pinpadUnblockKeyboard')));
      if (secrets.interactive && !pad) ctx.note(ctx.c.dim(ctx.t('pinExplain')));
      // a write over NFC: say that the contact slot is the safe place for it
      if (op !== 'verify' && s.origin.kind === 'atr' && s.origin.atr.contactless) ctx.note(ctx.c.yellow(ctx.t('nfcNote')));
      // --sign-test: the certificate first, as OpenSC reads it before a login: where it cannot be
      // found no PIN is sent for nothing, and a card whose certificate is behind an application
      // (ACe 2025) has it selected before the PIN, not between the PIN and the signature
      const certificate = op === 'verify' && o.signTest && keyset === 'auth' ? await s.readCertificate() : undefined;
      // and decoded: a certificate that cannot be checked against is no reason to send the PIN
      if (certificate) await decodable(certificate);
      const auth = {
        ...pinAuth(ctx, secrets, o.lastAttempt, keyset, () => named),
        blind: opened.fallback !== undefined,
        allowWeak: o.allowWeak,
        pinpad: pad,
        onPinpad: keypad.onPinpad,
      };
      // a new PIN easy to guess is refused before the first secret is asked
      const guarded =
        <T>(get: () => Promise<T>) =>
        async () => {
          await guardNewPin(ctx, s, secrets, o.allowWeak);
          return get();
        };
      let result: PinOutcome;
      if (op === 'unblock') {
        if ((await s.tries('pin', keyset)).blocked === false) ctx.note(ctx.t('pinNotBlockedNote'));
        result = await unblockPin(s, { ...auth, puk: guarded(() => secrets.get('puk')), newPin: () => secrets.get('newPin') });
      } else if (op === 'verify') result = await verifyPin(s, { ...auth, pin: () => secrets.get('pin') });
      else
        result = await changePin(s, { ...auth, currentPin: guarded(() => secrets.get('currentPin')), newPin: () => secrets.get('newPin') });
      confirmed = true;
      const signature = certificate ? await signTest(s, certificate) : undefined;
      if (result.unread || !result.pin) {
        // done on the card; only the counters could not be read back: say both
        ctx.note(ctx.c.yellow(ctx.t('followUpFailed', { detail: describeError(ctx, result.unread).text })));
        return { pin: { triesLeft: null, blocked: false, verified: op === 'verify' }, signature, followUp: 'tries-unreadable' };
      }
      const puk = result.puk ? triesJson(result.puk) : undefined;
      return {
        pin: triesJson(result.pin),
        puk,
        signature,
        ...(keyset === 'signature' ? { keyset } : {}),
        ...(pad ? { pinpad: true } : {}),
      };
    });
    ctx.result({ operation: `pin.${op}`, ...out });
    ctx.print(ctx.c.green(ctx.t(doneKey)));
    if (out.signature) ctx.print(ctx.c.green(ctx.t('signatureOk')));
    return 0;
  } catch (e) {
    // After the card's 9000, the outcome is known: say it, then what failed after it.
    if (confirmed) ctx.note(ctx.c.green(ctx.t(doneKey)));
    // an error of the secret's own command (the library says which): a lost card leaves its
    // outcome unknown, and one stopped before it left never reached the card; errors met before
    // it (the tries, the prompts) are plain
    return renderError(ctx, e, !confirmed && onSecretCommand(e) ? secretOp : undefined, named);
  } finally {
    keypad.done();
  }
}

async function decodable(der: Buffer): Promise<void> {
  const { X509Certificate } = await import('node:crypto');
  try {
    new X509Certificate(der);
  } catch {
    throw new CliError('NO_CERTIFICATE', { detailKey: der.every((b) => b === 0 || b === 0xff) ? 'efEmpty' : 'efNoDer', ef: '1101' });
  }
}

/** Sign a random challenge with the card's key and check it against the card's certificate. */
async function signTest(s: Card, der: Buffer): Promise<Record<string, unknown>> {
  const { randomBytes, createVerify, X509Certificate } = await import('node:crypto');
  const cert = new X509Certificate(der);
  const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 2048;
  const message = randomBytes(32);
  const sig = await s.sign(message, 'sha256', Math.ceil(bits / 8));
  const ok = createVerify('sha256').update(message).verify(cert.publicKey, sig);
  if (!ok) throw new CliError('CARD_ERROR', { detailKey: 'signNoVerify' });
  return { algorithm: 'RSASSA-PKCS1-v1_5/SHA-256', keyBits: bits, verified: true };
}
