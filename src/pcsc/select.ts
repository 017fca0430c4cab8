import type { ReaderState } from './client.js';

export type Selection =
  | { kind: 'ok'; reader: ReaderState }
  | { kind: 'ambiguous'; candidates: ReaderState[] }
  | { kind: 'no-readers' }
  | { kind: 'unknown-reader'; readers: ReaderState[] }
  | { kind: 'no-card'; reader?: ReaderState }
  | { kind: 'not-cns'; reader: ReaderState };

/**
 * Which reader a command uses. `--reader`: an exact name, a unique case-insensitive substring,
 * or an index from `cns readers`. Without it: the only reader holding a CNS card.
 */
export function selectReader(readers: ReaderState[], spec: string | undefined, isCns: (atr: Buffer) => boolean): Selection {
  if (readers.length === 0) return { kind: 'no-readers' };
  if (spec !== undefined) {
    let match = readers.find((r) => r.name === spec);
    if (!match && /^\d+$/.test(spec)) match = readers.find((r) => r.index === Number(spec));
    if (!match) {
      const sub = readers.filter((r) => r.name.toLowerCase().includes(spec.toLowerCase()));
      if (sub.length > 1) return { kind: 'ambiguous', candidates: sub };
      match = sub[0];
    }
    if (!match) return { kind: 'unknown-reader', readers };
    if (!match.present || !match.atr) return { kind: 'no-card', reader: match };
    return { kind: 'ok', reader: match };
  }
  const withCard = readers.filter((r) => r.present && r.atr);
  const cns = withCard.filter((r) => isCns(r.atr!));
  if (cns.length === 1) return { kind: 'ok', reader: cns[0]! };
  if (cns.length > 1) return { kind: 'ambiguous', candidates: cns };
  if (withCard.length === 1) return { kind: 'not-cns', reader: withCard[0]! };
  if (withCard.length > 1) return { kind: 'ambiguous', candidates: withCard };
  return { kind: 'no-card' };
}
