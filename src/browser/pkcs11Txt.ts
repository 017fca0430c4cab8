import { existsSync, statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { readSmallFile, refuseLink, writeFileAtomic } from '../util/fs.js';
import { BROWSER_FILE_MAX, type Platform } from './discover.js';
import { ModuleListError } from './errors.js';
import { parsePkcs11Txt, type RegisteredModule } from './modules.js';

/**
 * A browser's module list (NSS's pkcs11.txt) changed by cns itself, where NSS's tools are not
 * there to do it (Windows; macOS). The format is NSS's (lib/util/utilmod.c): one stanza of
 * key=value lines per module (library=, name=, parameters=, NSS=), a blank line between
 * stanzas, `#` for a comment. NSS adds a module by appending its stanza and a blank line, and
 * deletes one by dropping its stanza and the blank line after it: cns does exactly that, leaving
 * every other line as it was. OpenSC's pkcs11-register appends its stanza the same way.
 */

/** NSS reads the file a line at a time into 2048 bytes (utilmod.c, MAX_LINE_LENGTH). */
const NSS_LINE_MAX = 2048;

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const blank = (line: string): boolean => line.trim() === '';

/** A line's value for `key` (NSS compares keys without letter case), unquoted; null for another key. */
function fieldValue(line: string, key: string): string | null {
  if (line.slice(0, key.length + 1).toLowerCase() !== `${key}=`) return null;
  const v = line.slice(key.length + 1).trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** The text without the stanzas named `name` (and the blank line after each, as NSS deletes). */
export function withoutModule(text: string, name: string): { text: string; removed: number } {
  const lines = splitLines(text);
  const out: string[] = [];
  let removed = 0;
  let i = 0;
  while (i < lines.length) {
    if (blank(lines[i]!)) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && !blank(lines[j]!)) j++;
    const stanza = lines.slice(i, j);
    const named = stanza.map((l) => fieldValue(l, 'name')).find((v) => v !== null);
    if (named === name) {
      removed++;
      if (j < lines.length) j++;
    } else out.push(...stanza);
    i = j;
  }
  return { text: out.join(''), removed };
}

/** Whether NSS can read `library=<path>` back as this path: absolute, one line, short enough, not quoted. */
export function libraryWritable(library: string, platform: Platform): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(library) || library.startsWith('"') || library.trim() !== library) return false;
  if (Buffer.byteLength(`library=${library}\r\n`) >= NSS_LINE_MAX) return false;
  return platform === 'win32' ? /^[A-Za-z]:\\/.test(library) || /^\\\\[^\\]+\\/.test(library) : posix.isAbsolute(library);
}

/** The text with one stanza for `name` loading `library`, at the end (any earlier one of that name taken out). */
export function withModule(text: string, name: string, library: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let t = withoutModule(text, name).text;
  if (t !== '' && !t.endsWith('\n')) t += eol;
  const lines = splitLines(t);
  if (lines.length && !blank(lines[lines.length - 1]!)) t += eol;
  return `${t}library=${library}${eol}name=${name}${eol}${eol}`;
}

const others = (list: RegisteredModule[], name: string): string =>
  JSON.stringify(list.filter((m) => m.name !== name).map((m) => [m.name, m.library]));

function fileIn(db: string, platform: Platform): string {
  return (platform === 'win32' && /^[A-Za-z]:|\\/.test(db) ? win32 : posix).join(db, 'pkcs11.txt');
}

/**
 * Change the list with `edit`, then read it back: written as meant (`expect` of the modules read
 * back), every other module as before. Otherwise the old text is put back and ModuleListError
 * ('not-verified') thrown. Never through a symbolic link; never creates the file (a profile the
 * browser has not opened yet has none).
 */
function change(
  db: string,
  platform: Platform,
  name: string,
  edit: (text: string) => string,
  expect: (mods: RegisteredModule[]) => boolean,
): boolean {
  const file = fileIn(db, platform);
  refuseLink(file);
  if (!existsSync(file)) throw new ModuleListError('no-file', file);
  const before = readSmallFile(file, BROWSER_FILE_MAX);
  const after = edit(before);
  if (after === before) return false;
  const mode = statSync(file).mode & 0o777;
  writeFileAtomic(file, after, mode || 0o600);
  let back = '';
  try {
    back = readSmallFile(file, BROWSER_FILE_MAX);
  } catch {
    /* unreadable right after writing: not verified */
  }
  const read = parsePkcs11Txt(back);
  if (back !== after || !expect(read) || others(read, name) !== others(parsePkcs11Txt(before), name)) {
    writeFileAtomic(file, before, mode || 0o600);
    throw new ModuleListError('not-verified', file);
  }
  return true;
}

/** Register `library` as `name` in a database's pkcs11.txt (replacing an older stanza of that name). */
export function addToModuleList(db: string, platform: Platform, name: string, library: string): boolean {
  if (!libraryWritable(library, platform)) throw new ModuleListError('bad-library', library);
  return change(
    db,
    platform,
    name,
    (t) => withModule(t, name, library),
    (mods) => mods.filter((m) => m.name === name).length === 1 && mods.some((m) => m.name === name && m.library === library),
  );
}

/** Take every stanza named `name` out of a database's pkcs11.txt. */
export function removeFromModuleList(db: string, platform: Platform, name: string): boolean {
  return change(
    db,
    platform,
    name,
    (t) => withoutModule(t, name).text,
    (mods) => !mods.some((m) => m.name === name),
  );
}
