import { CliError } from './errors.js';

/** `--warn-days`: days before expiry that count as "expiring" (default 30). */
export function parseWarnDays(v: string | undefined): number {
  if (v === undefined) return 30;
  if (!/^\d{1,5}$/.test(v)) throw new CliError('USAGE', { detailKey: 'uWarnDays', value: v });
  return Number(v);
}
