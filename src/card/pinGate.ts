import { CnsError } from '../util/codes.js';
import type { Card, Keyset, SecretKind, TriesState } from './card.js';
import { PIN_MAX, PIN_MIN, PUK_LENGTH } from './files.js';

/**
 * What the one safety sequence before a PIN or PUK needs from its caller (the library's PIN
 * functions, the extension flow, the CLI through them).
 */
export interface SecretAuth {
  /** The authentication keyset (default) or the signature one. */
  keyset?: Keyset;
  /** The tries, read without spending one, before anything is asked: to show them. */
  onTries?(tries: TriesState, kind: SecretKind): void;
  /**
   * One try left, or a PUK whose counter the card does not tell: whether to go on. Without it the
   * operation stops with LAST_ATTEMPT_REFUSED; a kiosk asks its user, a script passes its flag.
   */
  lastAttempt?(tries: TriesState, kind: SecretKind): Promise<boolean>;
  /**
   * The card was reached by a backend that cannot read the PIN's counter and the user did not
   * choose it (PKCS#11 as a fallback): an unknown PIN counter is then a last try too.
   */
  blind?: boolean;
}

/**
 * The safety sequence shared by every PIN/PUK operation: the tries read without spending one and
 * handed to `onTries` before any secret is asked; blocked: stop (saying whether the PUK is
 * blocked too, where "unblock it with the PUK" would send the citizen nowhere); one try left, or
 * an unknown counter where a wrong guess may end the card: only with `lastAttempt`'s consent.
 * Errors are CnsError with the CLI's codes; the facts carry `keyset`, `kind`, `pukToo`.
 */
export async function gateTries(card: Card, kind: SecretKind, g: SecretAuth): Promise<TriesState> {
  const keyset = g.keyset ?? 'auth';
  const t = await card.tries(kind, keyset);
  if (t.blocked) {
    const pukToo = kind === 'pin' && keyset === 'auth' && (await card.tries('puk', keyset).catch(() => undefined))?.blocked === true;
    throw new CnsError(kind === 'pin' ? 'PIN_BLOCKED' : 'PUK_BLOCKED', { triesLeft: 0, keyset, ...(pukToo ? { pukToo } : {}) });
  }
  g.onTries?.(t, kind);
  const unknown = t.triesLeft === null && !t.verified && t.atLeast === undefined && (kind === 'puk' || g.blind === true);
  if ((t.triesLeft === 1 || unknown) && !(await g.lastAttempt?.(t, kind)))
    throw new CnsError('LAST_ATTEMPT_REFUSED', { kind, triesLeft: t.triesLeft, keyset });
  return t;
}

/** A PIN (5-8 digits) or PUK (8 digits) checked here, before the card sees anything. */
export function checkSecretFormat(kind: 'pin' | 'puk', value: string): void {
  // a caller's callback may hand anything over (a number, undefined): a string of digits only
  const ok =
    typeof value !== 'string'
      ? false
      : kind === 'puk'
        ? new RegExp(`^\\d{${PUK_LENGTH}}$`).test(value)
        : new RegExp(`^\\d{${PIN_MIN},${PIN_MAX}}$`).test(value);
  if (!ok)
    throw new CnsError(
      kind === 'puk' ? 'INVALID_PUK_FORMAT' : 'INVALID_PIN_FORMAT',
      kind === 'puk' ? { length: PUK_LENGTH } : { min: PIN_MIN, max: PIN_MAX },
    );
}

/**
 * `--signature` on a card read through APDUs: the card must carry a signature keyset (either
 * layout); through PKCS#11 the card says so itself when the keyset is used.
 */
export async function requireKeyset(card: Card, keyset: Keyset): Promise<void> {
  if (keyset === 'signature' && card.files && !(await card.hasSignatureKeyset()))
    throw new CnsError('USAGE', { reason: 'noSignatureKeyset' });
}
