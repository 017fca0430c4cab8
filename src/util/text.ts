/**
 * Text that came from a card, an image or a module, made safe to print: C0 and C1 control
 * characters (ESC sequences that clear the screen, set the title or colour fake messages, line
 * breaks that forge lines) and the bidirectional overrides that reorder what is shown are removed.
 */
const unsafe = (c: number): boolean =>
  c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);

export function printable(s: string): string {
  let i = 0;
  while (i < s.length && !unsafe(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) if (!unsafe(s.charCodeAt(i))) out += s[i];
  return out;
}

// The checks below are written out, not regular expressions: a command compiles each regular
// expression at its first use, ~15-30 µs apiece (again when used a second time), and `status`
// used 22 of them (marks: ~0.3 ms in all; issue 27).

/** Whether `s` is `min` to `max` ASCII digits (0-9) and nothing else. */
export function isDigits(s: string, min = 1, max = Number.POSITIVE_INFINITY): boolean {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Whether `s` is exactly `length` hexadecimal digits (either case) and nothing else. */
export function isHexDigits(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Whether `s` is a day written YYYY-MM-DD (its digits only, not whether the day exists). */
export function isIsoDay(s: string): boolean {
  return s.length === 10 && s[4] === '-' && s[7] === '-' && isDigits(s.slice(0, 4)) && isDigits(s.slice(5, 7)) && isDigits(s.slice(8));
}

/** Whether `c` is a character of \w: a letter or digit of ASCII, or _. */
export const isWordChar = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_');

/** `s` with each YYYY-MM-DD standing as a word of its own replaced by `f` of it. */
export function replaceIsoDays(s: string, f: (day: string) => string): string {
  if (!s.includes('-')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (isIsoDay(s.slice(i, i + 10)) && !isWordChar(s[i - 1]) && !isWordChar(s[i + 10])) {
      out += f(s.slice(i, i + 10));
      i += 10;
    } else out += s[i++];
  }
  return out;
}

/** A hex string in pairs, a space between them: 3BFF18 as 3B FF 18. */
export function hexPairs(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += i + 2 < hex.length ? `${hex.slice(i, i + 2)} ` : hex.slice(i, i + 2);
  return out;
}
