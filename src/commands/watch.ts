import { decodeAtr } from '../card/atr.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { EXIT } from '../cli/exitCodes.js';
import { out } from '../cli/stdio.js';
import { DeviceError } from '../device/errors.js';
import { openNamedReader, parseReaderSpec } from '../device/open.js';
import type { ReaderState } from '../pcsc/client.js';

type Json = Record<string, unknown>;

/** A card that does not answer within this is reported without its id (the event still goes out). */
const WATCH_APDU_MS = 3000;

/**
 * `cns watch`: one JSON line per event on stdout, flushed at once, for kiosks:
 * reader-added, reader-removed, card-inserted (ATR, model, card id when readable),
 * card-removed; at start, card-present for cards already inserted. Ends on SIGINT/SIGTERM
 * (exit 0) or when the smart-card service goes away (exit 5). `--once`: the next insertion.
 */
export async function watchCommand(ctx: Context, o: { once?: boolean }): Promise<number> {
  // a kiosk reads one document per line: the error that may end the stream too
  ctx.oneLine = true;
  // watch follows the PC/SC readers: the virtual card in-process is in none of them (it printed
  // another reader's events, or waited forever)
  if (parseReaderSpec(ctx.reader, ctx.env).kind === 'sim') throw new CliError('USAGE', { detailKey: 'uWatchSim' });
  const { PcscClient } = await import('../pcsc/client.js');
  const client = await PcscClient.open();
  const emit = (event: string, data: Json): void => {
    out(`${JSON.stringify({ schemaVersion: 1, event, time: new Date().toISOString(), ...data })}\n`);
  };
  const present = new Map<string, boolean>();
  // one queue per reader: a card that is slow or mute delays the events of its own reader only
  const queues = new Map<string, Promise<void>>();
  const enqueue = (reader: string, job: () => Promise<void>): void => {
    const next = (queues.get(reader) ?? Promise.resolve()).then(job).catch(() => {});
    queues.set(reader, next);
  };
  let stopped = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const finish = (code: number): void => {
    stopped = true;
    resolveDone(code);
  };

  const cardEvent = async (event: 'card-inserted' | 'card-present', s: ReaderState): Promise<void> => {
    // the same verdict as status: an ATR that does not decide is settled by the card's files
    // (read-only, no PIN), as opening it for a command does
    let info = s.atr ? decodeAtr(s.atr) : undefined;
    let cardId: string | null = null;
    if (info?.isCns || info?.probe) {
      try {
        // on a PC/SC context of its own, so that a mute card holds up nobody else's reads
        const { card, close } = await openNamedReader(s.name, { busyWaitMs: 500, transmitTimeoutMs: WATCH_APDU_MS });
        try {
          if (card.origin.kind === 'atr') info = card.origin.atr;
          cardId = (await card.readCardId()).id;
        } finally {
          await close();
        }
      } catch (e) {
        // its files say it is no CNS; or unreadable now (in use, pulled already): the event still goes out
        if (e instanceof DeviceError && e.code === 'NOT_CNS' && info) info = { ...info, probe: false };
        cardId = null;
      }
    }
    emit(event, {
      reader: s.name,
      atr: info?.atr ?? null,
      model: info?.model ?? null,
      isCns: info?.isCns ?? false,
      kind: info?.kind ?? null,
      identifiedBy: info?.identifiedBy ?? null,
      cardId,
    });
    if (o.once) finish(0);
  };

  const initial = await client.readerStates();
  for (const s of initial) {
    present.set(s.name, s.present);
    if (!o.once) emit('reader-added', { reader: s.name });
  }
  for (const s of initial) if (!o.once && s.present) enqueue(s.name, () => cardEvent('card-present', s));
  // --once is "a card now": one already in the reader is that card (issue 23 item 10)
  const already = o.once ? initial.find((s) => s.present) : undefined;
  if (already) {
    await cardEvent('card-present', already);
    finish(0);
  }
  client.onEvent((e) => {
    if (stopped) return; // closing the context ends every reader: not events for the user
    enqueue(e.reader, async () => {
      if (stopped) return;
      if (e.type === 'reader-added') {
        if (!o.once) emit('reader-added', { reader: e.reader });
      } else if (e.type === 'reader-removed') {
        if (present.get(e.reader) && !o.once) emit('card-removed', { reader: e.reader });
        present.delete(e.reader);
        if (!o.once) emit('reader-removed', { reader: e.reader });
      } else if (e.state) {
        const was = present.get(e.reader) ?? false;
        present.set(e.reader, e.state.present);
        if (e.state.present && !was) await cardEvent('card-inserted', e.state);
        else if (!e.state.present && was && !o.once) emit('card-removed', { reader: e.reader });
      }
    });
  });
  const stop = (): void => finish(0);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void client.lost().then(() => {
    emit('service-lost', {});
    finish(EXIT.NO_SERVICE);
  });
  const code = await done;
  await Promise.all(queues.values());
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  client.close();
  if (code === EXIT.NO_SERVICE) throw new CliError('PCSC_UNAVAILABLE', { detailKey: 'pcscStopped', reason: 'service-down' });
  return code;
}
