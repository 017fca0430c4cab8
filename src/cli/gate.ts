import type { Keyset, SecretKind, TriesState } from '../card/card.js';
import type { SecretAuth } from '../card/pinGate.js';
import type { Context } from './context.js';
import { toCliError } from './render.js';
import type { Secrets } from './secrets.js';

/**
 * The person's side of the library's safety sequence (card/pinGate.ts): the tries said before
 * any prompt, and a last try (or a counter the card does not tell) only with --last-attempt or
 * the typed confirmation word. `named` is the keyset the secret is called by (on the InfoCamere
 * layout --signature works on the CNS's own PIN).
 */
export function pinAuth(
  ctx: Context,
  secrets: Secrets,
  lastAttempt: boolean | undefined,
  keyset: Keyset = 'auth',
  named: () => Keyset = () => keyset,
): Required<Pick<SecretAuth, 'onTries' | 'lastAttempt'>> & { keyset: Keyset } {
  return {
    keyset,
    onTries: (t: TriesState, kind: SecretKind) => ctx.note(triesText(ctx, t, secretName(ctx, kind, named()))),
    lastAttempt: async (t: TriesState, kind: SecretKind) => {
      // refused: the CLI's own error, with its words
      await secrets.confirmLastAttempt(secretName(ctx, kind, named()), lastAttempt, t.triesLeft !== 1);
      return true;
    },
  };
}

/** "3 PIN tries left", or what is known of the counter. */
export function triesText(ctx: Context, t: TriesState, what: string): string {
  if (t.triesLeft !== null) return ctx.t('triesLeft', { what, tries: t.triesLeft });
  if (t.atLeast !== undefined) return ctx.t('triesRange', { what, n: t.atLeast });
  return ctx.t(t.verified ? 'triesVerified' : 'triesUnknown', { what });
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

/**
 * While the reader's keypad waits for the person, Ctrl-C is answered at once. The reader itself
 * cannot be stopped from the computer (pcsc-lite runs the entry to its end; CCID readers have no
 * abort for it), so a first Ctrl-C says so: press Cancel on the reader, and cns ends with the
 * reader's own outcome (PINPAD_CANCELLED, nothing spent). A second one leaves now (exit 130),
 * saying that a PIN still typed on the reader would reach the card. Returns the undo.
 */
function padInterrupts(ctx: Context): () => void {
  let pressed = 0;
  const onInt = (): void => {
    pressed++;
    if (pressed === 1) {
      ctx.note(ctx.c.yellow(ctx.t('pinpadInterrupt')));
      return;
    }
    ctx.note(ctx.c.yellow(ctx.t('pinpadLeft')));
    // the reader's call still holds a thread that a normal exit would wait for: leave without it
    void import('../pcsc/winscard.js').then((w) => {
      w.exitHardWhenDone();
      process.exit(130);
    });
  };
  process.on('SIGINT', onInt);
  return () => process.removeListener('SIGINT', onInt);
}

/** The reader's keypad, for the person: where to type, said when it starts waiting; Ctrl-C answered while it does. */
export function padWait(ctx: Context): { onPinpad(op: 'verify' | 'change'): void; done(): void } {
  let undo = (): void => {};
  return {
    onPinpad(op) {
      ctx.note(ctx.c.bold(ctx.t(op === 'verify' ? 'pinpadVerify' : 'pinpadChange')));
      undo = padInterrupts(ctx);
    },
    done: () => undo(),
  };
}
