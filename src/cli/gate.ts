import type { Card, Keyset, SecretKind, TriesState } from '../card/card.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import { toCliError } from './render.js';
import type { Secrets } from './secrets.js';

/**
 * The safety sequence shared by every PIN/PUK operation: tries read without spending one and
 * shown before any prompt; blocked -> stop; one try left -> --last-attempt or typed
 * confirmation; then exactly one command to the card, never repeated.
 */
export async function gate(
  ctx: Context,
  card: Card,
  kind: SecretKind,
  secrets: Secrets,
  lastAttempt: boolean | undefined,
  /** The card was reached through a PKCS#11 fallback the user did not choose: no blind try. */
  blind = false,
  keyset: Keyset = 'auth',
  /** The keyset the secret is called by (InfoCamere: --signature is the CNS's own PIN). */
  named: Keyset = keyset,
): Promise<TriesState> {
  const what = secretName(ctx, kind, named);
  const t = await card.tries(kind, keyset);
  if (t.blocked) {
    // PIN and PUK both blocked: "unblock it with the PUK" would send the citizen nowhere
    if (kind === 'pin' && keyset === 'auth') {
      const puk = await card.tries('puk', keyset).catch(() => undefined);
      if (puk?.blocked) throw new CliError('PIN_BLOCKED', { pukToo: 1 }, { triesLeft: 0 });
    }
    throw new CliError(kind === 'pin' ? 'PIN_BLOCKED' : 'PUK_BLOCKED', named === 'signature' ? { keyset } : {}, { triesLeft: 0 });
  }
  if (t.triesLeft !== null) ctx.note(ctx.t('triesLeft', { what, tries: t.triesLeft }));
  else if (t.atLeast !== undefined) ctx.note(ctx.t('triesRange', { what, n: t.atLeast }));
  else if (t.verified) ctx.note(ctx.t('triesVerified', { what }));
  else ctx.note(ctx.t('triesUnknown', { what }));
  // An unknown counter is treated as a last try for the PUK (three wrong PUKs end the card), and
  // for the PIN when the user did not choose the backend that cannot read it.
  const unknown = t.triesLeft === null && !t.verified && t.atLeast === undefined && (kind === 'puk' || blind);
  if (t.triesLeft === 1 || unknown) await secrets.confirmLastAttempt(what, lastAttempt, unknown);
  return t;
}

/**
 * `--signature` on a card read through APDUs: the card must carry a signature keyset (either
 * layout); through PKCS#11 the card says so itself when the keyset is used.
 */
export async function requireKeyset(card: Card, keyset: Keyset): Promise<void> {
  if (keyset === 'signature' && card.files && !(await card.hasSignatureKeyset()))
    throw new CliError('USAGE', { detailKey: 'noSignatureKeyset' });
}

/** "PIN", "PUK", or the signature keyset's "PIN di firma" / "PUK di firma". */
export function secretName(ctx: Context, kind: SecretKind, keyset: Keyset = 'auth'): string {
  if (keyset === 'signature') return ctx.t(kind === 'pin' ? 'sigPinName' : 'sigPukName');
  return kind === 'pin' ? 'PIN' : 'PUK';
}

/** What to tell the user when PC/SC failed and the card is reached through PKCS#11 instead. */
export function fallbackText(ctx: Context, cause: unknown): string {
  const ce = toCliError(cause, ctx.t.bind(ctx));
  const detail = String(ce.params.detail ?? ce.code);
  const hint = ctx.t(ce.params.reason === 'module-missing' ? 'pcscInstall' : ce.code === 'NO_READER' ? 'NO_READER' : 'pcscStart');
  return ctx.t('fallbackPkcs11', { detail, hint });
}
