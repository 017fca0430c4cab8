/** What onTime() gives for a call that did not settle within its time. */
export const LATE: unique symbol = Symbol('late');

interface Waiting {
  at: number;
  late: () => void;
}

const waiting = new Set<Waiting>();
let timer: NodeJS.Timeout | undefined;
let firesAt = Number.POSITIVE_INFINITY;

/** Milliseconds on a clock that does not jump with the system's time (Date.now() does). */
const now = (): number => process.uptime() * 1000;

function arm(at: number): void {
  // the armed timer fires first: it arms itself again for what is still waiting then
  if (timer && at >= firesAt) return;
  if (timer) clearTimeout(timer);
  firesAt = at;
  timer = setTimeout(fire, Math.max(0, at - now()));
  // a call still waiting keeps the process alive by itself; the timer must not
  timer.unref();
}

function fire(): void {
  timer = undefined;
  firesAt = Number.POSITIVE_INFINITY;
  const t = now();
  let next = Number.POSITIVE_INFINITY;
  for (const w of [...waiting]) {
    if (w.at <= t) w.late();
    else next = Math.min(next, w.at);
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
}

/**
 * `call`'s value (or its rejection), or LATE once `ms` pass first. Every deadline of the process
 * runs on one timer, armed for the earliest: a PC/SC call each APDU made and cleared a timer of
 * its own, ~1 ms of a 15-APDU `status` (issue 27); the deadlines of the calls that follow are
 * later than the one armed, and cost no timer at all.
 */
export function onTime<T>(call: Promise<T>, ms: number): Promise<T | typeof LATE> {
  return new Promise((resolve, reject) => {
    const w: Waiting = {
      at: now() + Math.max(0, ms),
      late: () => {
        waiting.delete(w);
        resolve(LATE);
      },
    };
    waiting.add(w);
    arm(w.at);
    call.then(
      (v) => {
        if (waiting.delete(w)) resolve(v);
      },
      (e: unknown) => {
        if (waiting.delete(w)) reject(e);
      },
    );
  });
}
