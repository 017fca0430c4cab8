import type { Card, Keyset } from '../card/card.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { fallbackText, gate, requireKeyset } from '../cli/gate.js';
import { describeError, renderError } from '../cli/render.js';
import { type SecretName, type SecretOptions, Secrets } from '../cli/secrets.js';
import { withCard } from '../device/open.js';
import { triesJson } from '../report/report.js';

export interface PinCommandOptions extends SecretOptions {
  lastAttempt?: boolean;
  signTest?: boolean;
  /** Accept a new PIN that is easy to guess (one digit, a run, the birth date). */
  allowWeak?: boolean;
  /** The signature keyset's PIN (1A) and PUK (1B) instead of the authentication ones. */
  signature?: boolean;
}

/** The holder's birth date (YYYY-MM-DD): EF_Dati_personali, else the codice fiscale in the certificate. */
async function holderBirthDate(card: Card): Promise<string | null> {
  try {
    if (card.files) {
      const { parseDatiPersonali } = await import('../card/efDatiPersonali.js');
      const d = parseDatiPersonali(await card.files.readDatiPersonaliRaw());
      if (d.birthDate) return d.birthDate;
    }
  } catch {
    /* unreadable: try the certificate */
  }
  try {
    const { parseCertificate } = await import('../cert/x509.js');
    const { parseCnsCommonName } = await import('../cert/cnsSubject.js');
    const { decodeCodiceFiscale } = await import('../card/checks.js');
    const cn = parseCertificate(await card.readCertificate()).subject.find((a) => a.type === 'CN')?.value ?? '';
    const cf = parseCnsCommonName(cn)?.codiceFiscale;
    return cf ? (decodeCodiceFiscale(cf)?.birthDate ?? null) : null;
  } catch {
    return null;
  }
}

/** Refuse (or, at a prompt, ask again for) a new PIN that is easy to guess, unless --allow-weak. */
async function guardNewPin(ctx: Context, card: Card, secrets: Secrets, allowWeak: boolean | undefined): Promise<void> {
  if (allowWeak) return;
  const { weakPinReason } = await import('../card/pinPolicy.js');
  const birth = await holderBirthDate(card);
  secrets.checkNewPin((v) => {
    const why = weakPinReason(v, birth);
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
  await secrets.preload();
  const secretOp = op === 'unblock' ? 'PUK' : 'PIN';
  let sent = false;
  // the card answered 9000 to the PIN command: whatever fails afterwards, that is settled
  let confirmed = false;
  const doneKey = op === 'verify' ? 'pinVerified' : op === 'change' ? 'pinChanged' : 'pinUnblocked';
  const keyset: Keyset = o.signature ? 'signature' : 'auth';
  // what the messages call the secret: on the InfoCamere layout --signature works on the CNS's
  // own PIN and PUK, so a wrong one is "wrong PIN", not "wrong signature PIN"
  let named: Keyset = keyset;
  try {
    const out = await withCard(ctx.cardOptions, async (s, opened) => {
      const blind = opened.fallback !== undefined;
      await requireKeyset(s, keyset);
      if (keyset === 'signature' && s.signatureLayout === 'infocamere') {
        named = 'auth';
        ctx.note(ctx.t('sigSharesPinNote'));
      }
      if (opened.fallback) ctx.note(ctx.c.yellow(fallbackText(ctx, opened.fallback.cause)));
      if (secrets.interactive) ctx.note(ctx.c.dim(ctx.t('pinExplain')));
      // a write over NFC: say that the contact slot is the safe place for it
      if (op !== 'verify' && s.origin.kind === 'atr' && s.origin.atr.contactless) ctx.note(ctx.c.yellow(ctx.t('nfcNote')));
      // --sign-test: the certificate first, as OpenSC reads it before a login: where it cannot be
      // found no PIN is sent for nothing, and a card whose certificate is behind an application
      // (ACe 2025) has it selected before the PIN, not between the PIN and the signature
      const certificate = op === 'verify' && o.signTest && keyset === 'auth' ? await s.readCertificate() : undefined;
      // and decoded: a certificate that cannot be checked against is no reason to send the PIN
      if (certificate) await decodable(certificate);
      if (op === 'unblock') {
        const pinState = await s.tries('pin', keyset);
        if (pinState.blocked === false) ctx.note(ctx.t('pinNotBlockedNote'));
        await gate(ctx, s, 'puk', secrets, o.lastAttempt, blind, keyset, named);
        await guardNewPin(ctx, s, secrets, o.allowWeak);
        const puk = await secrets.get('puk');
        const newPin = await secrets.get('newPin');
        sent = true;
        await s.unblockPin(puk, newPin, keyset);
        confirmed = true;
      } else {
        await gate(ctx, s, 'pin', secrets, o.lastAttempt, blind, keyset, named);
        if (op === 'verify') {
          const pin = await secrets.get('pin');
          sent = true;
          await s.verify('pin', pin, keyset);
          confirmed = true;
        } else {
          await guardNewPin(ctx, s, secrets, o.allowWeak);
          const cur = await secrets.get('currentPin');
          const next = await secrets.get('newPin');
          sent = true;
          await s.changePin(cur, next, keyset);
          confirmed = true;
        }
      }
      let signature: Record<string, unknown> | undefined;
      if (certificate) signature = await signTest(s, certificate);
      try {
        const pin = triesJson(await s.tries('pin', keyset));
        const puk = op === 'unblock' ? triesJson(await s.tries('puk', keyset)) : undefined;
        return { pin, puk, signature, ...(keyset === 'signature' ? { keyset } : {}) };
      } catch (e) {
        // done on the card; only the counters could not be read back: say both
        ctx.note(ctx.c.yellow(ctx.t('followUpFailed', { detail: describeError(ctx, e).text })));
        return { pin: { triesLeft: null, blocked: false, verified: op === 'verify' }, signature, followUp: 'tries-unreadable' };
      }
    });
    ctx.result({ operation: `pin.${op}`, ...out });
    ctx.print(ctx.c.green(ctx.t(doneKey)));
    if (out.signature) ctx.print(ctx.c.green(ctx.t('signatureOk')));
    return 0;
  } catch (e) {
    // Before the secret command went out, a lost card is a plain "card removed"; after, the
    // outcome is unknown and the user is told how to check it.
    // After the card's 9000, the outcome is known: say it, then what failed after it.
    if (confirmed) ctx.note(ctx.c.green(ctx.t(doneKey)));
    // a command stopped before it left (the card pulled at the prompt, the whole-command
    // deadline) never reached the card: said as such, not as an unknown outcome
    return renderError(ctx, e, sent && !confirmed ? secretOp : undefined, named);
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
