import type { ErrorCode } from './exitCodes.js';

/** An error the user can cause: carries a stable code and the parameters of its message. */
export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly extra: { triesLeft?: number | null; hint?: string; data?: Record<string, unknown> } = {},
  ) {
    super(code);
    this.name = 'CliError';
  }
}
