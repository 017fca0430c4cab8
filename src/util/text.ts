/**
 * Text that came from a card, an image or a module, made safe to print: C0 and C1 control
 * characters (ESC sequences that clear the screen, set the title or colour fake messages, line
 * breaks that forge lines) and the bidirectional overrides that reorder what is shown are removed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(s: string): string {
  return s.replace(UNSAFE, '');
}
