import type { Said } from '../apdu/said.js';
export class CertificateError extends Error {
  constructor(
    message: string,
    readonly said?: Said,
  ) {
    super(message);
    this.name = 'CertificateError';
  }
}
