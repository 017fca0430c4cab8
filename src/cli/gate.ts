import type { Card, SecretKind, TriesState } from '../card/card.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
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
): Promise<TriesState> {
  const what = kind === 'pin' ? 'PIN' : 'PUK';
  const t = await card.tries(kind);
  if (t.blocked) {
    throw new CliError(kind === 'pin' ? 'PIN_BLOCKED' : 'PUK_BLOCKED', {}, { triesLeft: 0 });
  }
  if (t.triesLeft !== null) ctx.note(ctx.t('triesLeft', { what, tries: t.triesLeft }));
  else if (t.atLeast !== undefined) ctx.note(ctx.t('triesRange', { what, n: t.atLeast }));
  else ctx.note(ctx.t('triesUnknown', { what }));
  // An unknown PUK counter is treated as a last try: three wrong PUKs end the card.
  const unknownPuk = kind === 'puk' && t.triesLeft === null && !t.verified && t.atLeast === undefined;
  if (t.triesLeft === 1 || unknownPuk) await secrets.confirmLastAttempt(what, lastAttempt, unknownPuk);
  return t;
}
