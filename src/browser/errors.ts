/** What NSS's own tools did wrong, as types: kept apart so that rendering an error loads no process code. */

export type NssTool = 'modutil' | 'certutil' | 'tstclnt';

export class NssToolMissingError extends Error {
  constructor(readonly tool: NssTool) {
    super(`${tool} (libnss3-tools) is not installed`);
    this.name = 'NssToolMissingError';
  }
}

export class NssToolError extends Error {
  constructor(
    readonly tool: NssTool,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${tool} failed (exit ${exitCode ?? 'signal'})`);
    this.name = 'NssToolError';
  }
}
