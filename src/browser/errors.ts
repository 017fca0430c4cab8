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

/**
 * Why cns did not change a browser's module list (pkcs11.txt) itself, where NSS's tools are not
 * there to do it (Windows, macOS): nothing to change (no-file), a library path NSS could not read
 * back (bad-library), or a file that did not read back as written (not-verified: the old one is
 * put back).
 */
export type ModuleListFault = 'no-file' | 'bad-library' | 'not-verified';

export class ModuleListError extends Error {
  constructor(
    readonly reason: ModuleListFault,
    readonly file: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ModuleListError';
  }
}
