import { VirtualCard } from '../sim/card.js';
import { loadImage } from '../sim/image.js';
import { onTime } from '../util/deadlines.js';
import { SCARD_E } from './errors.js';
import { parseMultiString, pcscPlatform, SCARD } from './platform.js';
import { loadWinscard, type ReaderStateEntry, useWinscard, type Winscard } from './winscard.js';

/**
 * The PC/SC library as pcsc-lite answers for one reader holding a virtual TS-CNS, in process: what
 * the build's code-cache training (scripts/code-cache.mjs) runs the commands through, so that the
 * code between a command and the system's PC/SC library (the client, reader choice, transactions,
 * transmits) is compiled in the cache as the sim reader's path already was (issue 27: ~3 ms of
 * every card command went to compiling it at run time). No pcscd at build time; nothing here is
 * used by a command a person runs.
 */
export function simWinscard(card: VirtualCard, reader: string): Winscard {
  const platform = pcscPlatform(process.platform, process.arch) ?? pcscPlatform('linux', 'x64')!;
  const CONTEXT = 1;
  const HANDLE = 2;
  const statesNow = (states: ReaderStateEntry[]): number => {
    let changed = false;
    for (const s of states) {
      const now = s.reader === reader ? SCARD.STATE_PRESENT : s.reader === SCARD.PNP_READER ? 0 : SCARD.STATE_UNKNOWN;
      const was = s.currentState & ~SCARD.STATE_CHANGED;
      s.eventState = now === was ? now : now | SCARD.STATE_CHANGED;
      s.atr = s.reader === reader ? Buffer.from(card.atr) : Buffer.alloc(0);
      changed ||= now !== was;
    }
    return changed ? 0 : SCARD_E.E_TIMEOUT;
  };
  const dispose = (disposition: number): number => {
    if (disposition === SCARD.RESET_CARD) card.reset();
    return 0;
  };
  return {
    platform,
    establishContext: () => ({ rv: 0, context: CONTEXT }),
    establishContextWithin: async () => ({ rv: 0, context: CONTEXT }),
    interrupt: () => {},
    releaseContext: () => 0,
    listReaders: async () => ({ rv: 0, readers: [reader] }),
    getStatusChange: async (_c, _ms, states) => statesNow(states),
    getStatusChangeNow: (_c, states) => statesNow(states),
    cancel: () => 0,
    connect: async (_c, name) =>
      name === reader ? { rv: 0, card: HANDLE, protocol: SCARD.PROTOCOL_T1 } : { rv: SCARD_E.E_UNKNOWN_READER, card: 0, protocol: 0 },
    beginTransaction: async () => 0,
    endTransaction: (_h, disposition) => dispose(disposition),
    transmit: async (_h, _p, command) => ({ rv: 0, response: card.transmit(command) }),
    disconnect: (_h, disposition) => dispose(disposition),
    // a reader without a keypad: no features
    control: async () => ({ rv: 0, output: Buffer.alloc(0) }),
  };
}

/** From now on, PC/SC is one reader, `reader`, holding the virtual card of `image` (the code-cache training). */
export async function useVirtualReader(image: string, reader = 'Virtual PCD 00 00'): Promise<void> {
  // the binding to the system's library is compiled too, where that library is installed
  try {
    await exerciseBinding(loadWinscard());
  } catch {
    // not installed here: only that part is left to compile at run time
  }
  useWinscard(simWinscard(new VirtualCard(loadImage(image)), reader));
}

/**
 * The system binding's own code, run once with a handle that no PC/SC library ever gives (0):
 * each call comes straight back with an invalid-handle error, found in the library's own table of
 * handles before any exchange with the service, and nothing reaches a reader or a card. Not the
 * listing on Windows, where no context means "ask the service": it is left out there. Its
 * functions are then compiled when the training ends, and the code cache holds them: compiled at
 * each run instead, they cost `status` ~0.3-0.65 ms (paired, 201 rounds; issue 27). The
 * asynchronous calls are also given up after 2 s, and the training itself after 5 minutes
 * (scripts/code-cache.mjs); what any call answers is ignored.
 */
async function exerciseBinding(w: Winscard): Promise<void> {
  const NONE = 0;
  const states: ReaderStateEntry[] = [{ reader: 'cns training', currentState: 0, eventState: 0, atr: Buffer.alloc(0) }];
  const command = Buffer.from([0x00, 0xa4, 0x00, 0x00]);
  const listing = Buffer.from('cns training\0\0', 'latin1');
  const calls: (() => unknown)[] = [
    ...(process.platform === 'win32' ? [] : [() => w.listReaders(NONE)]),
    () => w.getStatusChange(NONE, 0, states),
    () => w.getStatusChangeNow(NONE, states),
    () => w.connect(NONE, 'cns training', SCARD.SHARE_SHARED, SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1),
    () => w.beginTransaction(NONE),
    () => w.transmit(NONE, SCARD.PROTOCOL_T1, command, 258),
    () => w.control(NONE, 0, command, 16),
    () => w.endTransaction(NONE, SCARD.LEAVE_CARD),
    () => w.disconnect(NONE, SCARD.LEAVE_CARD),
    () => w.cancel(NONE),
    () => w.releaseContext(NONE),
    // what a successful listing goes through
    () => parseMultiString(listing, listing.length, false),
  ];
  for (const c of calls) {
    try {
      await onTime(Promise.resolve().then(c), 2000);
    } catch {
      // an error is the expected answer
    }
  }
}
