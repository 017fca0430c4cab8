/**
 * `import { createCardImage } from 'cns/testing'`: the virtual TS-CNS, for integrators' own tests.
 *
 * A card image is a file holding a whole TS-CNS (its files, certificate and key, PIN and PUK with
 * their counters) as `cns sim create` makes it. `openCard({ reader: 'sim:' + path })` then talks
 * to it in-process, with every rule of a real card (a wrong PIN counts, a blocked one stays
 * blocked; the file records it); `cns sim attach PATH` puts it in a vpcd reader, where every
 * PC/SC program sees it. Loading this entry starts nothing and prints nothing.
 */
import type { CreateOptions } from '../sim/create.js';
import { CnsError } from '../util/codes.js';
import { toCnsError } from './errors.js';

export type CardImageOptions = CreateOptions;

export interface CardImage {
  /** Where the image was written. */
  path: string;
  /** The card's ATR, hex. */
  atr: string;
  /** The card id, as EF_ID_Carta holds it. */
  cardId: string;
  /** The authentication certificate, DER. */
  certificate: Buffer;
}

/**
 * Make a virtual TS-CNS and write it to `path` (replaced if there; a link there is followed, as
 * `cns sim create --force` does). Defaults: PIN 12345, PUK 12345678, 3 and 10 tries, a
 * certificate valid for a year issued by the project's own test CA. Errors: CnsError
 * INVALID_INPUT (`facts.what`: the option, `facts.detail`: why), IO_ERROR.
 */
export async function createCardImage(path: string, o: CardImageOptions = {}): Promise<CardImage> {
  const { createImage, CreateError } = await import('../sim/create.js');
  const { saveImage } = await import('../sim/image.js');
  try {
    const made = await createImage(o);
    saveImage(path, made.image);
    const id = made.image.files.find((f) => f.path === '3F00/1000/1003')?.data ?? '';
    return { path, atr: made.image.atr, cardId: Buffer.from(id, 'hex').toString('latin1'), certificate: made.certificate };
  } catch (e) {
    if (e instanceof CreateError) throw new CnsError('INVALID_INPUT', { what: e.field, detail: e.message }, { cause: e });
    throw toCnsError(e);
  }
}
