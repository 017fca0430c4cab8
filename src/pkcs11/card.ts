import { ApduTransportError } from '../apdu/response.js';
import type { Card, CardOrigin, Keyset, SecretKind, TriesState } from '../card/card.js';
import { CardError, SecretBlockedError, WrongSecretError } from '../card/errors.js';
import type { HashName } from '../card/pkcs1.js';
import { Pkcs11CallError, type Pkcs11Client } from './client.js';
import { CKF, type SlotInfo, type TokenInfo } from './protocol.js';

const MECHANISM: Record<HashName, string> = {
  sha1: 'SHA1_RSA_PKCS',
  sha256: 'SHA256_RSA_PKCS',
  sha384: 'SHA384_RSA_PKCS',
  sha512: 'SHA512_RSA_PKCS',
};

/**
 * The card as a PKCS#11 module shows it. It knows only what the module says: tries come from
 * the token flags (exact only for "final try" and "locked"), there is no EF_Dati_personali.
 */
export class Pkcs11Card implements Card {
  readonly name: string;
  readonly origin: CardOrigin;
  /** PKCS#11 reaches no file: no EF_Dati_personali, no raw writes. */
  readonly files = null;
  securityStateChanged = false;

  constructor(
    readonly client: Pkcs11Client,
    readonly slot: SlotInfo & { token: TokenInfo },
    readonly module: { path: string; description: string; manufacturerID: string },
  ) {
    this.name = `pkcs11:${slot.description}`;
    const t = slot.token;
    this.origin = {
      kind: 'token',
      token: {
        label: t.label,
        manufacturerID: t.manufacturerID,
        model: t.model,
        serialNumber: t.serialNumber,
        slot: slot.description,
        module,
        flagsReliable: this.flagsReliable,
      },
    };
  }

  private async flags(): Promise<number> {
    return (await this.client.call({ op: 'tokenFlags', slot: this.slot.index })) as number;
  }

  /**
   * OpenSC's CNS emulation (token manufacturer "IC: ...; mask: ...") never reads the counters
   * (it sends no empty VERIFY to a CNS) and leaves tries_left at 0, so it flags every CNS PIN as
   * locked. Those flags say nothing about the card.
   */
  get flagsReliable(): boolean {
    return !(/opensc/i.test(this.module.manufacturerID + this.module.description) && this.slot.token.manufacturerID.startsWith('IC: '));
  }

  /** Tries from the token flags. PKCS#11 has no counter: only low / final / locked. */
  /** The signature keyset is another token slot or PIN of the module, not reached by this backend. */
  async hasSignatureKeyset(): Promise<boolean> {
    return false;
  }

  private onlyAuth(keyset: Keyset | undefined, operation: string): void {
    if (keyset === 'signature')
      throw new CardError('NOT_SUPPORTED', 'the signature keyset is reached through PC/SC only', {
        operation,
        said: { id: 'cP11NoSignature' },
      });
  }

  async tries(kind: SecretKind, keyset?: Keyset): Promise<TriesState> {
    this.onlyAuth(keyset, 'tries');
    if (!this.flagsReliable) return { triesLeft: null, blocked: null, verified: false, sw: 0, exact: false };
    const f = await this.flags();
    const [low, final, locked] =
      kind === 'pin'
        ? [CKF.USER_PIN_COUNT_LOW, CKF.USER_PIN_FINAL_TRY, CKF.USER_PIN_LOCKED]
        : [CKF.SO_PIN_COUNT_LOW, CKF.SO_PIN_FINAL_TRY, CKF.SO_PIN_LOCKED];
    if (f & locked) return { triesLeft: 0, blocked: true, verified: false, sw: 0, exact: true };
    if (f & final) return { triesLeft: 1, blocked: false, verified: false, sw: 0, exact: true };
    if (f & low) return { triesLeft: null, blocked: false, verified: false, sw: 0, exact: false, atLeast: 2 };
    return { triesLeft: null, blocked: null, verified: false, sw: 0, exact: false };
  }

  private async fail(e: unknown, kind: SecretKind, operation: string): Promise<never> {
    if (!(e instanceof Pkcs11CallError)) throw e;
    switch (e.ckr) {
      case 'CKR_PIN_INCORRECT': {
        // the counter after the fact, from the flags (never by another attempt)
        const t = await this.tries(kind).catch(() => undefined);
        throw new WrongSecretError(kind, t?.blocked ? 0 : (t?.triesLeft ?? null), { operation });
      }
      case 'CKR_PIN_LOCKED':
        throw new SecretBlockedError(kind, { operation });
      case 'CKR_PIN_LEN_RANGE':
      case 'CKR_PIN_INVALID':
        throw new CardError('INVALID_PIN_FORMAT', `the module refused the ${kind === 'pin' ? 'PIN' : 'PUK'} format (${e.ckr})`, {
          operation,
        });
      default:
        throw translate(e, operation);
    }
  }

  async verify(kind: SecretKind, secret: string, keyset?: Keyset): Promise<void> {
    this.onlyAuth(keyset, 'C_Login');
    try {
      await this.client.call({ op: 'login', slot: this.slot.index, user: kind === 'pin' ? 'user' : 'so', pin: secret });
      this.securityStateChanged = true;
    } catch (e) {
      if (e instanceof Pkcs11CallError && e.ckr === 'CKR_USER_ALREADY_LOGGED_IN') return;
      await this.fail(e, kind, 'C_Login');
    }
  }

  async changePin(current: string, next: string, keyset?: Keyset): Promise<void> {
    this.onlyAuth(keyset, 'C_SetPIN');
    try {
      await this.client.call({ op: 'setPin', slot: this.slot.index, oldPin: current, newPin: next });
    } catch (e) {
      await this.fail(e, 'pin', 'C_SetPIN');
    }
  }

  /** SO login with the PUK, then C_InitPIN: how PKCS#11 unblocks, where the module allows it. */
  async unblockPin(puk: string, newPin: string, keyset?: Keyset): Promise<void> {
    this.onlyAuth(keyset, 'C_InitPIN');
    try {
      await this.client.call({ op: 'initPin', slot: this.slot.index, soPin: puk, newPin });
    } catch (e) {
      if (e instanceof Pkcs11CallError && (e.ckr === 'CKR_FUNCTION_NOT_SUPPORTED' || e.ckr === 'CKR_USER_TYPE_INVALID')) {
        const opensc = /opensc/i.test(this.module.manufacturerID + this.module.description)
          ? ' (OpenSC does it when its opensc.conf sets user_pin_unblock_style = init_pin_in_so_session)'
          : '';
        throw new CardError(
          'NOT_SUPPORTED',
          `${this.module.description} refuses to unblock a PIN through PKCS#11 (${e.ckr})${opensc}; nothing was sent to the card`,
          {
            operation: 'C_InitPIN',
            said: { id: opensc ? 'cP11NoUnblockOpensc' : 'cP11NoUnblock', facts: { module: this.module.description, ckr: e.ckr } },
          },
        );
      }
      await this.fail(e, 'puk', 'C_Login(SO)/C_InitPIN');
    }
  }

  /** The first X.509 certificate object (a CNS token has one: CNS0). */
  async readCertificate(keyset?: Keyset): Promise<Buffer> {
    this.onlyAuth(keyset, 'C_FindObjects');
    try {
      const certs = await this.client.certs(this.slot.index);
      if (certs.length === 0) throw new CardError('FILE_NOT_FOUND', 'the token has no certificate object', { said: { id: 'cP11NoCert' } });
      return certs[0]!.value;
    } catch (e) {
      throw e instanceof Pkcs11CallError ? translate(e, 'C_FindObjects') : e;
    }
  }

  /** The module pads and knows the key size. */
  async sign(message: Uint8Array, hash: HashName): Promise<Buffer> {
    try {
      return (await this.client.call({
        op: 'sign',
        slot: this.slot.index,
        data: Buffer.from(message),
        mechanism: MECHANISM[hash],
      })) as Buffer;
    } catch (e) {
      throw e instanceof Pkcs11CallError ? translate(e, 'C_Sign') : e;
    }
  }
}

/** CKR codes that are not about a PIN, as the errors the CLI already renders. */
export function translate(e: Pkcs11CallError, operation: string): Error {
  switch (e.ckr) {
    case 'CKR_TOKEN_NOT_PRESENT':
    case 'CKR_DEVICE_REMOVED':
    case 'CKR_SESSION_HANDLE_INVALID':
    case 'CKR_SESSION_CLOSED':
      return new ApduTransportError(`${operation}: ${e.ckr}`, 'removed', { id: 'cP11Failed', facts: { operation, ckr: e.ckr ?? '' } });
    case 'CKR_TOKEN_NOT_RECOGNIZED':
      return new CardError('CARD_UNSUPPORTED', `the module does not recognise this card (${e.ckr})`, {
        operation,
        said: { id: 'cP11Unrecognised', facts: { ckr: e.ckr ?? '' } },
      });
    case 'CKR_USER_NOT_LOGGED_IN':
      return new CardError('SECURITY_STATUS', 'the PIN must be verified first', { operation, said: { id: 'cNeedPin' } });
    default:
      return new CardError('CARD_ERROR', `${operation}: ${e.ckr ?? e.message}`, {
        operation,
        said: e.ckr ? { id: 'cP11Failed', facts: { operation, ckr: e.ckr } } : undefined,
      });
  }
}
