/** A calendar date in Italy (Europe/Rome), YYYY-MM-DD: how the card and the rules count days. */
let dayFormat: Intl.DateTimeFormat | undefined;
let offsetFormat: Intl.DateTimeFormat | undefined;

const HOUR = 3600_000;

/** 01:00 UTC on the last Sunday of a month (0-based): when EU summer time starts or ends. */
function lastSundayAt1Utc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0)); // the month's last day
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

/**
 * Italy's offset from UTC at an instant. Since 1996 the EU rule decides (CET +1, CEST +2 from the
 * last Sunday of March to the last Sunday of October, both at 01:00 UTC): computed, because
 * building ICU's time-zone formatter costs more than the rest of a command's start. Earlier
 * instants (older rules) ask ICU.
 */
export function romeOffsetMs(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  if (year >= 1996 && year <= 9999) {
    return utcMs >= lastSundayAt1Utc(year, 2) && utcMs < lastSundayAt1Utc(year, 9) ? 2 * HOUR : HOUR;
  }
  return icuRomeOffsetMs(utcMs);
}

/** The same, as ICU (the system's time-zone data) says it: the reference the rule is tested against. */
export function icuRomeOffsetMs(utcMs: number): number {
  offsetFormat ??= new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' });
  const name = offsetFormat.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
}

export function romeDate(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError('Invalid time value'); // as Intl does
  const year = d.getUTCFullYear();
  if (year >= 1996 && year <= 9999) return new Date(t + romeOffsetMs(t)).toISOString().slice(0, 10);
  dayFormat ??= new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });
  return dayFormat.format(d);
}

/** A wall-clock time in Italy as an instant. */
export function romeLocalToDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  let utc = guess - romeOffsetMs(guess);
  utc = guess - romeOffsetMs(utc);
  return new Date(utc);
}

/**
 * Parse a user's date: "YYYY-MM-DD" is an Italian calendar day (its start, or its last second
 * with `endOfDay`); a date-time with Z or an offset is exact; one without is Italian local time.
 */
export function parseUserDate(text: string, endOfDay = false): Date | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return undefined;
    return endOfDay ? romeLocalToDate(y, m, d, 23, 59, 59) : romeLocalToDate(y, m, d);
  }
  const dt = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!dt) return undefined;
  if (dt[8]) {
    const d = new Date(text.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return romeLocalToDate(Number(dt[1]), Number(dt[2]), Number(dt[3]), Number(dt[4]), Number(dt[5]), Number(dt[6] ?? 0));
}

/** A reference date given by the user: a bare day means that Italian day at noon, clear of both midnights. */
export function parseReferenceDate(text: string): Date | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseUserDate(`${text}T12:00:00`) : parseUserDate(text);
}
