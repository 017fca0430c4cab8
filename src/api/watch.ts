import { decodeAtr } from '../card/atr.js';
import { DeviceError } from '../device/errors.js';
import { openNamedReader } from '../device/open.js';
import type { ReaderState } from '../pcsc/client.js';

/** A card in a reader, as `cns watch` reports it. */
export interface CardSeen {
  reader: string;
  /** The ATR (hex), null when the reader gave none. */
  atr: string | null;
  model: string | null;
  isCns: boolean;
  kind: string | null;
  identifiedBy: string | null;
  /** The card id from EF_ID_Carta, null where it could not be read (within 3 s). */
  cardId: string | null;
}

/** The events of `cns watch`, in the same order and with the same fields. */
export type WatchEvent =
  | { event: 'reader-added' | 'reader-removed' | 'card-removed'; time: Date; reader: string }
  | ({ event: 'card-inserted' | 'card-present'; time: Date } & CardSeen)
  /** The PC/SC service went away: the last event. */
  | { event: 'service-lost'; time: Date };

export interface WatchOptions {
  /** Only the next card: one already present, else the next insertion; then the watch ends. */
  once?: boolean;
  /** Ends the watch (its iterator returns once the events under way are out). */
  signal?: AbortSignal;
}

/** A card that does not answer within this is reported without its id (the event still goes out). */
const WATCH_APDU_MS = 3000;

/**
 * The readers and the cards going in and out, as an async iterator: reader-added for each reader
 * at the start (and card-present for the cards in them), then every change, until `signal`
 * aborts, the iterator is left (break), `once` is satisfied, or the service is lost (its event
 * comes last). Events of one reader keep their order; a card's id is read while its event waits.
 * Throws what opening PC/SC throws (the service missing or stuck).
 */
export async function* watchReaders(o: WatchOptions = {}): AsyncGenerator<WatchEvent, void, undefined> {
  const { PcscClient } = await import('../pcsc/client.js');
  const client = await PcscClient.open();
  const ready: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  const push = (e: WatchEvent): void => {
    ready.push(e);
    wake?.();
  };
  const finish = (): void => {
    stopped = true;
    wake?.();
  };
  const present = new Map<string, boolean>();
  const queues = new Map<string, Promise<void>>();
  const enqueue = (reader: string, job: () => Promise<void>): void => {
    queues.set(
      reader,
      (queues.get(reader) ?? Promise.resolve()).then(job).catch(() => {}),
    );
  };
  const cardEvent = async (event: 'card-inserted' | 'card-present', s: ReaderState): Promise<void> => {
    let info = s.atr ? decodeAtr(s.atr) : undefined;
    let cardId: string | null = null;
    if (info?.isCns || info?.probe) {
      try {
        const { card, close } = await openNamedReader(s.name, { busyWaitMs: 500, transmitTimeoutMs: WATCH_APDU_MS });
        try {
          if (card.origin.kind === 'atr') info = card.origin.atr;
          cardId = (await card.readCardId()).id;
        } finally {
          await close();
        }
      } catch (e) {
        if (e instanceof DeviceError && e.code === 'NOT_CNS' && info) info = { ...info, probe: false };
        cardId = null;
      }
    }
    push({
      event,
      time: new Date(),
      reader: s.name,
      atr: info?.atr ?? null,
      model: info?.model ?? null,
      isCns: info?.isCns ?? false,
      kind: info?.kind ?? null,
      identifiedBy: info?.identifiedBy ?? null,
      cardId,
    });
    if (o.once) finish();
  };
  const simple = (event: 'reader-added' | 'reader-removed' | 'card-removed', reader: string): void =>
    push({ event, time: new Date(), reader });

  const onAbort = (): void => finish();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const initial = await client.readerStates();
    for (const s of initial) {
      present.set(s.name, s.present);
      if (!o.once) simple('reader-added', s.name);
    }
    for (const s of initial) if (!o.once && s.present) enqueue(s.name, () => cardEvent('card-present', s));
    const already = o.once ? initial.find((s) => s.present) : undefined;
    if (already) await cardEvent('card-present', already);
    client.onEvent((e) => {
      if (stopped) return; // closing the context ends every reader: not events for the caller
      enqueue(e.reader, async () => {
        if (stopped) return;
        if (e.type === 'reader-added') {
          if (!o.once) simple('reader-added', e.reader);
        } else if (e.type === 'reader-removed') {
          if (present.get(e.reader) && !o.once) simple('card-removed', e.reader);
          present.delete(e.reader);
          if (!o.once) simple('reader-removed', e.reader);
        } else if (e.state) {
          const was = present.get(e.reader) ?? false;
          present.set(e.reader, e.state.present);
          if (e.state.present && !was) await cardEvent('card-inserted', e.state);
          else if (!e.state.present && was && !o.once) simple('card-removed', e.reader);
        }
      });
    });
    void client.lost().then(() => {
      if (stopped) return;
      push({ event: 'service-lost', time: new Date() });
      finish();
    });
    if (o.signal?.aborted) finish();
    for (;;) {
      while (ready.length) yield ready.shift() as WatchEvent;
      if (stopped) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    await Promise.all(queues.values());
    while (ready.length) yield ready.shift() as WatchEvent;
  } finally {
    stopped = true;
    o.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
