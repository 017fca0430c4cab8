/** What a PKCS#11 module did wrong, as types: kept apart from the client so that rendering an error loads no child process code. */

export class Pkcs11ModuleError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-installed' | 'load' | 'crash' | 'timeout',
    /** what a user-facing text needs: the module, the call, the loader's or the module's own last words */
    readonly facts: { module?: string; op?: string; seconds?: number; signal?: string; exitCode?: number; said?: string } = {},
  ) {
    super(message);
    this.name = 'Pkcs11ModuleError';
  }
}

/** The module answered a call with a CKR_* error. */
export class Pkcs11CallError extends Error {
  constructor(
    readonly ckr: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs11CallError';
  }
}
