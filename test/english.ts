/**
 * Words only English has, and the parts of an Italian screen that are not language (card data,
 * paths, hexadecimal, stable codes in brackets, acronyms, commands and options to type, URLs).
 * Used by the Italian checks of every command, help and guided-mode screen.
 */
const ENGLISH =
  /\b(the|and|with|without|tries|left|valid|until|unknown|cannot|card|reader|certificate|expired|expires|expiring|eligible|error|found|does|only|must|should|this|that|from|for|of|to|on|is|are|not|none|missing|blocked|key|folder|service|please|try|run|use|write|read|navigate|select|toggle|visibility)\b/i;

function residue(text: string, cardData: string[]): string {
  let t = text;
  for (const d of [...cardData].sort((a, b) => b.length - a.length)) t = t.split(d).join(' ');
  return t
    .replace(/\[[A-Z0-9_]+\]/g, ' ') // the stable code shown for help desks
    .replace(/\b[A-Z][A-Z0-9_]{2,}\b/g, ' ') // stable codes (CERTIFICATE, PIN_INCORRECT...) and acronyms
    .replace(/(\/[\w.@~+-]+)+\/?/g, ' ') // paths
    .replace(/\b[0-9A-F]{2}( [0-9A-F]{2})+\b|\b[0-9A-Fa-f]{16,}\b/g, ' ') // hex: ATR, serials, hashes
    .replace(/\bcns [a-z-]+( [a-z-]+)?\b/g, ' ') // a command to type
    .replace(/\bextension-service\b/g, ' ') // a command's name in a help listing
    .replace(/--[a-z-]+/g, ' ') // an option to type
    .replace(/https?:\S+/g, ' ')
    .replace(/\bsmart[- ]card\b/gi, ' '); // the same words in Italian
}

/** The lines of `text` that still hold an English word once card data and the like are left out. */
export function englishIn(text: string, cardData: string[] = []): string[] {
  return residue(text, cardData)
    .split('\n')
    .filter((l) => ENGLISH.test(l))
    .map((l) => l.trim());
}
