import { watchReaders } from '../api/watch.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { out } from '../cli/stdio.js';
import { parseReaderSpec } from '../device/open.js';
import { fewerMallocArenas } from '../util/koffi.js';

/**
 * `cns watch`: one JSON line per event on stdout, flushed at once, for kiosks:
 * reader-added, reader-removed, card-inserted (ATR, model, card id when readable),
 * card-removed; at start, card-present for cards already inserted. Ends on SIGINT/SIGTERM
 * (exit 0) or when the smart-card service goes away (exit 5). `--once`: the next insertion.
 * The events are the library's (api/watch.ts), written as they come.
 */
export async function watchCommand(ctx: Context, o: { once?: boolean }): Promise<number> {
  // a kiosk reads one document per line: the error that may end the stream too
  ctx.oneLine = true;
  // watch follows the PC/SC readers: the virtual card in-process is in none of them (it printed
  // another reader's events, or waited forever)
  if (parseReaderSpec(ctx.reader, ctx.env).kind === 'sim') throw new CliError('USAGE', { detailKey: 'uWatchSim' });
  // it runs for weeks: before its PC/SC calls start libuv's threads (their own malloc arenas)
  fewerMallocArenas();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lost = false;
  try {
    for await (const { event, time, ...data } of watchReaders({ once: o.once, signal: stop.signal })) {
      out(`${JSON.stringify({ schemaVersion: 1, event, time: time.toISOString(), ...data })}\n`);
      if (event === 'service-lost') lost = true;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (lost) throw new CliError('PCSC_UNAVAILABLE', { detailKey: 'pcscStopped', reason: 'service-down' });
  return 0;
}
