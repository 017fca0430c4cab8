import { romeDate } from '../card/dates.js';
import { LAST_ELIGIBLE_EXPIRY } from './constants.js';

export type RuleCode =
  | 'CARD_READABLE'
  | 'CERT_VALID_AT_DATE'
  | 'EXPIRY_BY_DEADLINE'
  | 'EXPIRY_MATCHES_CARD'
  | 'NOT_EXTENDED'
  | 'NOT_REVOKED'
  | 'PIN_USABLE'
  | 'PUK_USABLE';

export interface RuleResult {
  code: RuleCode;
  /** true: satisfied; false: not (makes the card ineligible unless advisory); null: cannot be told here. */
  ok: boolean | null;
  /** A disagreement worth reporting that does not decide eligibility. */
  advisory?: boolean;
  /**
   * Which of the rule's outcomes. No sentence here: the CLI (or an integrator) words the code,
   * the variant and the params (the CLI's catalogue has rule_<code>_<variant>).
   */
  variant: 'ok' | 'no' | 'unknown' | 'notYet' | 'expired' | 'noPukToo' | 'damaged';
  /** Dates (Italian days, YYYY-MM-DD) and serials the sentence names. */
  params?: Record<string, string>;
}

export interface EligibilityInput {
  at: Date;
  certificate: { notBefore: Date; notAfter: Date; extended: boolean; serialNumber: string } | null;
  /** Expiry printed in EF_Dati_personali (ISO day), when readable. */
  cardExpiry: string | null;
  /** From a local CRL: true revoked, false listed CRL does not contain it, null no CRL. */
  revoked: boolean | null;
  pin: { blocked: boolean | null };
  puk: { blocked: boolean | null };
  /** The certificate was read, and its issuer's signature does not hold: damaged, not missing. */
  certificateDamaged?: boolean;
}

export interface Eligibility {
  eligible: boolean;
  at: string;
  reasons: RuleResult[];
}

/** The rules of the 2023 extension, each reported with its code, outcome and facts. The service applies them too. */
export function evaluateEligibility(i: EligibilityInput): Eligibility {
  const r: RuleResult[] = [];
  const c = i.certificate;
  r.push(
    c
      ? { code: 'CARD_READABLE', ok: true, variant: 'ok' }
      : i.certificateDamaged
        ? { code: 'CARD_READABLE', ok: false, variant: 'damaged' }
        : { code: 'CARD_READABLE', ok: false, variant: 'no' },
  );
  if (c) {
    const atDay = romeDate(i.at);
    const expiryDay = romeDate(c.notAfter);
    if (i.at < c.notBefore)
      r.push({
        code: 'CERT_VALID_AT_DATE',
        ok: false,
        variant: 'notYet',
        params: { at: atDay, from: romeDate(c.notBefore) },
      });
    else if (i.at > c.notAfter)
      r.push({
        code: 'CERT_VALID_AT_DATE',
        ok: false,
        variant: 'expired',
        params: { expiry: expiryDay, at: atDay },
      });
    else r.push({ code: 'CERT_VALID_AT_DATE', ok: true, variant: 'ok', params: { at: atDay } });
    r.push(
      expiryDay <= LAST_ELIGIBLE_EXPIRY
        ? {
            code: 'EXPIRY_BY_DEADLINE',
            ok: true,
            variant: 'ok',
            params: { expiry: expiryDay, deadline: LAST_ELIGIBLE_EXPIRY },
          }
        : {
            code: 'EXPIRY_BY_DEADLINE',
            ok: false,
            variant: 'no',
            params: { expiry: expiryDay, deadline: LAST_ELIGIBLE_EXPIRY },
          },
    );
    if (i.cardExpiry) {
      r.push(
        i.cardExpiry === expiryDay
          ? {
              code: 'EXPIRY_MATCHES_CARD',
              ok: true,
              advisory: true,
              variant: 'ok',
              params: { card: i.cardExpiry },
            }
          : {
              code: 'EXPIRY_MATCHES_CARD',
              ok: false,
              advisory: true,
              variant: 'no',
              params: { card: i.cardExpiry, expiry: expiryDay },
            },
      );
    }
    r.push(c.extended ? { code: 'NOT_EXTENDED', ok: false, variant: 'no' } : { code: 'NOT_EXTENDED', ok: true, variant: 'ok' });
  }
  r.push(
    i.revoked === null
      ? { code: 'NOT_REVOKED', ok: null, variant: 'unknown' }
      : i.revoked
        ? {
            code: 'NOT_REVOKED',
            ok: false,
            variant: 'no',
            params: { serial: c?.serialNumber ?? '' },
          }
        : { code: 'NOT_REVOKED', ok: true, variant: 'ok' },
  );
  r.push(i.pin.blocked && i.puk.blocked ? { code: 'PIN_USABLE', ok: false, variant: 'noPukToo' } : secretUsable('PIN', i.pin.blocked));
  r.push(secretUsable('PUK', i.puk.blocked));
  return { eligible: r.every((x) => x.ok !== false || x.advisory), at: i.at.toISOString(), reasons: r };
}

/** PIN_USABLE / PUK_USABLE: blocked, not blocked, or unknown (null: the backend cannot tell). */
function secretUsable(what: 'PIN' | 'PUK', blocked: boolean | null): RuleResult {
  const code = `${what}_USABLE` as const;
  if (blocked) return { code, ok: false, variant: 'no' };
  return blocked === false ? { code, ok: true, variant: 'ok' } : { code, ok: null, variant: 'unknown' };
}
