// The error of a card image, apart from image.ts: the CLI's error rendering names it without
// loading node:crypto, which image.ts needs and most commands do not.

/** What is wrong with an image, for the message a person reads (the English message is for logs). */
export type ImageProblem =
  | 'missing'
  | 'not-file'
  | 'not-json'
  | 'not-image'
  | 'version'
  | 'field'
  | 'busy'
  | 'attached'
  | 'read-only'
  | 'symlink'
  | 'io';

export class ImageError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'corrupt' | 'foreign' | 'busy' | 'io',
    readonly problem: ImageProblem = reason === 'corrupt' ? 'field' : reason === 'foreign' ? 'not-image' : reason,
    readonly facts: { path?: string; field?: string } = {},
  ) {
    super(message);
    this.name = 'ImageError';
  }
}
