import type { ReaderState } from './client.js';

export type Selection =
  | { kind: 'ok'; reader: ReaderState }
  | { kind: 'ambiguous'; candidates: ReaderState[] }
  | { kind: 'no-readers' }
  | { kind: 'unknown-reader'; readers: ReaderState[] }
  | { kind: 'no-card'; reader?: ReaderState }
  | { kind: 'not-cns'; reader: ReaderState };

/**
 * `--reader` against a list (PC/SC readers, PKCS#11 slots): an exact name, then an index, then a
 * unique case-insensitive part of any of the names.
 */
export function matchSpec<T extends { index: number }>(
  items: T[],
  spec: string,
  names: (t: T) => string[],
): { kind: 'ok'; item: T } | { kind: 'ambiguous'; list: T[] } | { kind: 'none' } {
  const exact = items.find((i) => names(i).includes(spec));
  if (exact) return { kind: 'ok', item: exact };
  if (/^\d+$/.test(spec)) {
    const byIndex = items.find((i) => i.index === Number(spec));
    if (byIndex) return { kind: 'ok', item: byIndex };
  }
  const sub = items.filter((i) => names(i).some((n) => n.toLowerCase().includes(spec.toLowerCase())));
  if (sub.length === 1) return { kind: 'ok', item: sub[0]! };
  return sub.length > 1 ? { kind: 'ambiguous', list: sub } : { kind: 'none' };
}

/**
 * Which reader a command uses. `--reader`: an exact name, a unique case-insensitive substring,
 * or an index from `cns readers`. Without it: the only reader holding a CNS card.
 */
export function selectReader(readers: ReaderState[], spec: string | undefined, isCns: (atr: Buffer) => boolean): Selection {
  if (readers.length === 0) return { kind: 'no-readers' };
  if (spec !== undefined) {
    const m = matchSpec(readers, spec, (r) => [r.name]);
    if (m.kind === 'ambiguous') return { kind: 'ambiguous', candidates: m.list };
    if (m.kind === 'none') return { kind: 'unknown-reader', readers };
    if (!m.item.present || !m.item.atr) return { kind: 'no-card', reader: m.item };
    return { kind: 'ok', reader: m.item };
  }
  const withCard = readers.filter((r) => r.present && r.atr);
  const cns = withCard.filter((r) => isCns(r.atr!));
  if (cns.length === 1) return { kind: 'ok', reader: cns[0]! };
  if (cns.length > 1) return { kind: 'ambiguous', candidates: cns };
  if (withCard.length === 1) return { kind: 'not-cns', reader: withCard[0]! };
  if (withCard.length > 1) return { kind: 'ambiguous', candidates: withCard };
  return { kind: 'no-card' };
}
