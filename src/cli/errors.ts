import { statSync } from 'node:fs';
import type { ErrorCode } from './exitCodes.js';

/** An error the user can cause: carries a stable code and the parameters of its message. */
export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly extra: {
      triesLeft?: number | null;
      hint?: string;
      /** Details of the failure: inside the JSON document's `error`. */
      data?: Record<string, unknown>;
      /** What the command found before its verdict (a certificate, the checks): top-level fields of the JSON document. */
      result?: Record<string, unknown>;
    } = {},
  ) {
    super(code);
    this.name = 'CliError';
  }
}

/** Any error, with details for the JSON document's `error`, or what a listing found before failing. */
export class ErrorWithData extends Error {
  constructor(
    override readonly cause: unknown,
    readonly data: Record<string, unknown>,
    /** Said after the error's own message: what to do now. */
    readonly hint?: string,
    /** What the command found before it failed: top-level fields of the JSON document. */
    readonly result?: Record<string, unknown>,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ErrorWithData';
  }
}

/**
 * A path given for a file to write that is a folder: said at once, the same way everywhere
 * (not "already exists, use --force", then "it is a folder").
 */
export function refuseFolder(path: string, what: string): void {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    return;
  }
  if (folder) throw new CliError('INVALID_INPUT', { what, detailKey: 'uIsFolder', path });
}
