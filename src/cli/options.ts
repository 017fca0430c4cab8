import { CliError } from './errors.js';

/** `--warn-days`: days before expiry that count as "expiring" (default 30). */
export function parseWarnDays(v: string | undefined): number {
  if (v === undefined) return 30;
  if (!/^\d{1,5}$/.test(v)) throw new CliError('USAGE', { detail: `--warn-days must be a whole number of days, not "${v}"` });
  return Number(v);
}
