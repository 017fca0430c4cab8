import { isDigits } from '../util/text.js';
import { CliError } from './errors.js';

/** `--warn-days`: days before expiry that count as "expiring" (default 30). */
export function parseWarnDays(v: string | undefined): number {
  if (v === undefined) return 30;
  if (!isDigits(v, 1, 5)) throw new CliError('USAGE', { detailKey: 'uWarnDays', value: v });
  return Number(v);
}
