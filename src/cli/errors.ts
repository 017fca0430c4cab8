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

/** Any error, with data for the JSON error document (e.g. what a listing found before failing). */
export class ErrorWithData extends Error {
  constructor(
    override readonly cause: unknown,
    readonly data: Record<string, unknown>,
    /** Said after the error's own message: what to do now. */
    readonly hint?: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ErrorWithData';
  }
}
