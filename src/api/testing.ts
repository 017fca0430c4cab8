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

/** What the card holds (every field optional). */
export type CardImageOptions = CreateOptions;
export type { CreateOptions };

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
 * `cns sim create --force` does). Defaults: PIN 12345, PUK 12345678, 3 and 10 tries, a 2048-bit
 * key and a certificate valid for six years from now (as a new card's), issued by the project's
 * own test CA. Errors: CnsError INVALID_INPUT (`facts.what`: the option, `facts.reason`: why, as
 * a stable id), IO_ERROR (the file could not be written).
 */
export async function createCardImage(path: string, o: CardImageOptions = {}): Promise<CardImage> {
  const { createImage, CreateError } = await import('../sim/create.js');
  const { DatiPersonaliError } = await import('../card/efDatiPersonali.js');
  const invalid = (what: string, reason: string) => new CnsError('INVALID_INPUT', { what, reason });
  if (o.keySize !== undefined && o.keySize !== 1024 && o.keySize !== 2048) throw invalid('keySize', 'key-size');
  for (const what of ['notBefore', 'notAfter'] as const) {
    const d = o[what];
    if (d !== undefined && !(d instanceof Date && Number.isFinite(d.getTime()))) throw invalid(what, 'not-a-date');
  }
  let made: Awaited<ReturnType<typeof createImage>>;
  try {
    made = await createImage(o);
  } catch (e) {
    // the option as this API names it (cardId), not as the CLI does (--card-id)
    const option = (field: string) => field.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (e instanceof CreateError) throw new CnsError('INVALID_INPUT', { what: option(e.field), reason: e.key ?? 'invalid' }, { cause: e });
    if (e instanceof DatiPersonaliError)
      throw new CnsError('INVALID_INPUT', { what: String(e.said?.facts?.name ?? 'holder'), reason: e.said?.id ?? 'invalid' }, { cause: e });
    throw toCnsError(e);
  }
  try {
    const { saveImage } = await import('../sim/image.js');
    saveImage(path, made.image);
  } catch (e) {
    throw new CnsError('IO_ERROR', { op: 'write', path }, { cause: e });
  }
  const id = made.image.files.find((f) => f.path === '3F00/1000/1003')?.data ?? '';
  return { path, atr: made.image.atr, cardId: Buffer.from(id, 'hex').toString('latin1'), certificate: made.certificate };
}
