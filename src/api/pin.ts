import type { Card, Keyset, SecretKind, TriesState } from '../card/card.js';
import { checkSecretFormat, gateTries, requireKeyset, type SecretAuth } from '../card/pinGate.js';
import { CnsError } from '../util/codes.js';
import { toCnsError } from './errors.js';

export type { SecretAuth } from '../card/pinGate.js';

export interface PinOutcome {
  /** The PIN's tries after the operation; null where they could not be read back (the operation itself succeeded). */
  pin: TriesState | null;
  /** unblockPin: the PUK's. */
  puk?: TriesState | null;
  /** Why the tries could not be read back, where they could not (the operation itself succeeded). */
  unread?: CnsError;
}

/**
 * The one command that carries a secret, sent once and never again: a wrong secret, a lost card
 * or any failure is reported, not retried. A card lost after it was sent leaves the outcome
 * unknown (`outcomeUnknown`): read the tries again to know. Every error of that command says so
 * (`secretCommand`), as apart from those met before it (the tries, the prompts).
 */
async function sendOnce(op: () => Promise<void>): Promise<void> {
  try {
    await op();
  } catch (e) {
    const ce = toCnsError(e);
    const lost = ['CARD_REMOVED', 'CARD_NOT_ANSWERING', 'CARD_BAD_ANSWER'].includes(ce.code) && ce.facts.unsent !== true;
    throw new CnsError(ce.code, { ...ce.facts, secretCommand: true, ...(lost ? { outcomeUnknown: true } : {}) }, { cause: e });
  }
}

async function after(card: Card, keyset: Keyset, kinds: SecretKind[]): Promise<PinOutcome> {
  let unread: CnsError | undefined;
  const read = (k: SecretKind) =>
    card.tries(k, keyset).catch((e: unknown) => {
      unread ??= toCnsError(e);
      return null;
    });
  const pin = await read('pin');
  const puk = kinds.includes('puk') ? { puk: await read('puk') } : {};
  return { pin, ...puk, ...(unread ? { unread } : {}) };
}

/** Where the reader's keypad is used: it has one, and the caller did not ask for keyboard entry. */
export interface PadChoice {
  /** false: never the reader's keypad (default: use it where the reader has one). */
  pinpad?: boolean;
  /** The keypad is about to wait for the person (after the tries and the last-try gate): say where to type. */
  onPinpad?(op: 'verify' | 'change'): void;
}

/** Whether this operation will use the reader's keypad (what a caller asks before loading secrets). */
export async function usesPinpad(card: Card, choice: PadChoice = {}, op: 'verify' | 'change' = 'verify'): Promise<boolean> {
  if (choice.pinpad === false || !card.pinpad || !card.onPad) return false;
  const pad = await card.pinpad();
  return pad !== null && (op === 'verify' || pad.canModify);
}

function noSecret(kind: 'pin' | 'puk' = 'pin'): () => Promise<string> {
  return () => Promise.reject(new CnsError('NO_SECRET_SOURCE', { kind }));
}

/** The rules a new PIN meets: another than the current one and, unless allowed, not easy to guess. */
export interface NewPinRules {
  /** Accept a PIN easy to guess (12345, 11111, the holder's birth date). Default: refused, WEAK_PIN with `facts.why`. */
  allowWeak?: boolean;
}

/** A new PIN the card would take but the citizen should not: INVALID_INPUT (the same PIN) or WEAK_PIN; nothing is sent. */
async function checkNewPin(card: Card, next: string, rules: NewPinRules, current?: string): Promise<void> {
  if (current !== undefined && next === current) throw new CnsError('INVALID_INPUT', { what: 'newPin', reason: 'same-pin' });
  if (rules.allowWeak) return;
  const why = (await weakPinCheck(card))(next);
  if (why) throw new CnsError('WEAK_PIN', { why });
}

/** Why a new PIN is easy to guess on this card (a digit repeated, a run, the holder's birth date), or null: the birth date read once. */
export async function weakPinCheck(card: Card): Promise<(pin: string) => 'repeated' | 'sequence' | 'birthdate' | null> {
  const { weakPinReason } = await import('../card/pinPolicy.js');
  const { holderBirthDate } = await import('../report/birthDate.js');
  const birth = await holderBirthDate(card);
  return (pin) => weakPinReason(pin, birth);
}

/**
 * verify and change: the keyset, where the PIN is typed (pad or caller), the tries and the
 * last-try gate, then the one command: on the reader's keypad, or with the caller's secrets.
 */
async function padOrKeyboard(
  card: Card,
  auth: SecretAuth & PadChoice,
  op: 'verify' | 'change',
  keyboard: (keyset: Keyset) => Promise<void>,
) {
  const keyset = auth.keyset ?? 'auth';
  await requireKeyset(card, keyset);
  const pad = await usesPinpad(card, auth, op);
  await gateTries(card, 'pin', auth);
  if (pad) {
    auth.onPinpad?.(op);
    await sendOnce(() => card.onPad!(op, keyset));
  } else await keyboard(keyset);
  return after(card, keyset, ['pin']);
}

/** VERIFY the PIN, with every rule of `cns pin verify`; on the reader's keypad where it has one. */
export function verifyPin(card: Card, auth: SecretAuth & PadChoice & { pin?(): Promise<string> } = {}): Promise<PinOutcome> {
  return padOrKeyboard(card, auth, 'verify', async (keyset) => {
    const pin = await (auth.pin ?? noSecret())();
    checkSecretFormat('pin', pin);
    await sendOnce(() => card.verify('pin', pin, keyset));
  });
}

/** CHANGE REFERENCE DATA: the current PIN and the new one, with every rule of `cns pin change`; on the keypad where it can. */
export function changePin(
  card: Card,
  auth: SecretAuth & PadChoice & NewPinRules & { currentPin?(): Promise<string>; newPin?(): Promise<string> } = {},
): Promise<PinOutcome> {
  return padOrKeyboard(card, auth, 'change', async (keyset) => {
    const current = await (auth.currentPin ?? noSecret())();
    checkSecretFormat('pin', current);
    const next = await (auth.newPin ?? noSecret())();
    checkSecretFormat('pin', next);
    await checkNewPin(card, next, auth, current);
    await sendOnce(() => card.changePin(current, next, keyset));
  });
}

/** RESET RETRY COUNTER: the PUK and a new PIN, with every rule of `cns pin unblock`. */
export async function unblockPin(
  card: Card,
  auth: SecretAuth & NewPinRules & { puk(): Promise<string>; newPin(): Promise<string> },
): Promise<PinOutcome> {
  const keyset = auth?.keyset ?? 'auth';
  await requireKeyset(card, keyset);
  await gateTries(card, 'puk', auth ?? {});
  const puk = await (auth?.puk ?? noSecret('puk'))();
  checkSecretFormat('puk', puk);
  const next = await (auth?.newPin ?? noSecret())();
  checkSecretFormat('pin', next);
  await checkNewPin(card, next, auth);
  await sendOnce(() => card.unblockPin(puk, next, keyset));
  return after(card, keyset, ['pin', 'puk']);
}
