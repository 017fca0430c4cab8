import { CnsError } from '../util/codes.js';
import type { Eligibility } from './rules.js';

/**
 * The codes the extension flow raises: the CLI's own (`cns --json` error codes and their exit
 * codes), so a program and a script read the same thing.
 */
export type ExtensionErrorCode =
  | 'PKCS11_NOT_SUPPORTED'
  | 'CARD_UNSUPPORTED'
  | 'NOT_ELIGIBLE'
  | 'SERVICE_ERROR'
  | 'EXTENSION_PENDING'
  | 'NOTHING_TO_RESUME'
  | 'WRITE_VERIFY_FAILED'
  | 'INVALID_INPUT'
  | 'INVALID_PIN_FORMAT'
  | 'INVALID_PUK_FORMAT'
  | 'PIN_BLOCKED'
  | 'PUK_BLOCKED'
  | 'LAST_ATTEMPT_REFUSED'
  | 'DECLINED';

/**
 * Why, within a code (`facts.reason`):
 * - PKCS11_NOT_SUPPORTED `needsApdu`: writing EF 1101 needs raw APDUs, which PKCS#11 does not give;
 * - CARD_UNSUPPORTED `noCardId` (EF_ID_Carta is not 16 digits), `layout` (not the classic layout; `layout`, `atr`);
 * - NOT_ELIGIBLE `rules` (this side's `eligibility`), `service` (the service said so; `service` is its code);
 * - SERVICE_ERROR `service` (its code, `status`), or the answer refused: `notCertificate`, `otherKey`,
 *   `otherSubject`, `wrongEnd` (`notAfter`), `otherCa`, `notSigned`, `tooBig` (`size`, `room`);
 * - NOTHING_TO_RESUME `nothing`, `noCopy` (a half-written EF whose certificate only a backup has);
 * - INVALID_INPUT `otherCard` (`other`, `card`), `tooBig` (`size`, `room`): a certificate to restore.
 * Other facts: `journal` (the journal's folder), `card` (the card id), `triesLeft`, `kind`, `pukToo`.
 */
export type ExtensionFacts = Readonly<Record<string, string | number | boolean>>;

/**
 * An error of the extension flow: a stable code and facts, never a sentence for people. A
 * CnsError (the library's errors' root), with the codes narrowed to the flow's.
 */
export class ExtensionError extends CnsError {
  declare readonly code: ExtensionErrorCode;
  /** NOT_ELIGIBLE on this side: the rules as evaluated. */
  readonly eligibility?: Eligibility;

  constructor(code: ExtensionErrorCode, facts: ExtensionFacts = {}, options: { cause?: unknown; eligibility?: Eligibility } = {}) {
    super(code, facts, { cause: options.cause });
    this.name = 'ExtensionError';
    this.eligibility = options.eligibility;
  }
}

/**
 * The card stopped answering (or left) while EF 1101 was being written: `cause` is the card's
 * own error (CARD_REMOVED, CARD_NOT_ANSWERING...); the journal in `journal` says how to finish
 * (`resumeExtension`).
 */
export class WriteInterruptedError extends Error {
  readonly interrupted = true;
  constructor(
    override readonly cause: unknown,
    readonly journal: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'WriteInterruptedError';
  }
}
