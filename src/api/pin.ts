import type { Card, Keyset, SecretKind, TriesState } from '../card/card.js';
import { PIN_MAX, PIN_MIN, PUK_LENGTH } from '../card/files.js';
import { CnsError } from '../util/codes.js';
import { toCnsError } from './errors.js';

/**
 * What a PIN operation needs from its caller. The secrets are asked for only once the card's
 * tries were read and allowed it, each at most once, and checked (digits, length) before the card
 * sees anything.
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

export interface PinOutcome {
  /** The PIN's tries after the operation; null where they could not be read back (the operation itself succeeded). */
  pin: TriesState | null;
  /** unblockPin: the PUK's. */
  puk?: TriesState | null;
}

function checkFormat(kind: 'pin' | 'puk', value: string): void {
  if (kind === 'puk' ? !new RegExp(`^\\d{${PUK_LENGTH}}$`).test(value) : !new RegExp(`^\\d{${PIN_MIN},${PIN_MAX}}$`).test(value))
    throw new CnsError(
      kind === 'puk' ? 'INVALID_PUK_FORMAT' : 'INVALID_PIN_FORMAT',
      kind === 'puk' ? { length: PUK_LENGTH } : { min: PIN_MIN, max: PIN_MAX },
    );
}

/** Tries first, never spending one; blocked: stop; last (or unknown PUK) try: only with consent. */
async function gate(card: Card, kind: SecretKind, auth: SecretAuth): Promise<TriesState> {
  const keyset = auth.keyset ?? 'auth';
  const t = await card.tries(kind, keyset);
  if (t.blocked) {
    let pukToo = false;
    if (kind === 'pin' && keyset === 'auth') pukToo = (await card.tries('puk', keyset).catch(() => undefined))?.blocked === true;
    throw new CnsError(kind === 'pin' ? 'PIN_BLOCKED' : 'PUK_BLOCKED', { triesLeft: 0, keyset, ...(pukToo ? { pukToo } : {}) });
  }
  auth.onTries?.(t, kind);
  const unknown = t.triesLeft === null && !t.verified && t.atLeast === undefined && (kind === 'puk' || auth.blind === true);
  if ((t.triesLeft === 1 || unknown) && !(await auth.lastAttempt?.(t, kind)))
    throw new CnsError('LAST_ATTEMPT_REFUSED', { kind, triesLeft: t.triesLeft, keyset });
  return t;
}

/**
 * The one command that carries a secret, sent once and never again: a wrong secret, a lost card
 * or any failure is reported, not retried. A card lost after it was sent leaves the outcome
 * unknown (`outcomeUnknown`): read the tries again to know.
 */
async function sendOnce(op: () => Promise<void>): Promise<void> {
  try {
    await op();
  } catch (e) {
    const ce = toCnsError(e);
    if ((ce.code === 'CARD_REMOVED' || ce.code === 'CARD_NOT_ANSWERING') && ce.facts.unsent !== true)
      throw new CnsError(ce.code, { ...ce.facts, outcomeUnknown: true }, { cause: e });
    throw ce;
  }
}

async function after(card: Card, keyset: Keyset, kinds: SecretKind[]): Promise<PinOutcome> {
  const read = (k: SecretKind) => card.tries(k, keyset).catch(() => null);
  const pin = await read('pin');
  return kinds.includes('puk') ? { pin, puk: await read('puk') } : { pin };
}

/** VERIFY the PIN, with every rule of `cns pin verify`. */
export async function verifyPin(card: Card, auth: SecretAuth & { pin(): Promise<string> }): Promise<PinOutcome> {
  const keyset = auth.keyset ?? 'auth';
  await gate(card, 'pin', auth);
  const pin = await auth.pin();
  checkFormat('pin', pin);
  await sendOnce(() => card.verify('pin', pin, keyset));
  return after(card, keyset, ['pin']);
}

/** CHANGE REFERENCE DATA: the current PIN and the new one, with every rule of `cns pin change`. */
export async function changePin(
  card: Card,
  auth: SecretAuth & { currentPin(): Promise<string>; newPin(): Promise<string> },
): Promise<PinOutcome> {
  const keyset = auth.keyset ?? 'auth';
  await gate(card, 'pin', auth);
  const current = await auth.currentPin();
  checkFormat('pin', current);
  const next = await auth.newPin();
  checkFormat('pin', next);
  await sendOnce(() => card.changePin(current, next, keyset));
  return after(card, keyset, ['pin']);
}

/** RESET RETRY COUNTER: the PUK and a new PIN, with every rule of `cns pin unblock`. */
export async function unblockPin(
  card: Card,
  auth: SecretAuth & { puk(): Promise<string>; newPin(): Promise<string> },
): Promise<PinOutcome> {
  const keyset = auth.keyset ?? 'auth';
  await gate(card, 'puk', auth);
  const puk = await auth.puk();
  checkFormat('puk', puk);
  const next = await auth.newPin();
  checkFormat('pin', next);
  await sendOnce(() => card.unblockPin(puk, next, keyset));
  return after(card, keyset, ['pin', 'puk']);
}
