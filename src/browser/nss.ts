import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { childEnv } from '../util/childEnv.js';

/**
 * NSS's own tools (libnss3-tools): modutil writes a database's module list the way NSS does,
 * certutil shows what NSS sees, tstclnt is NSS's TLS client. Found on PATH; never run through a
 * shell; bounded in time; their output is parsed, never printed raw.
 */

import { type NssTool, NssToolError, NssToolMissingError } from './errors.js';

export type { NssTool } from './errors.js';

export { NssToolError, NssToolMissingError } from './errors.js';

export function findTool(tool: NssTool, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    if (existsSync(p)) return p;
  }
  return null;
}

function need(tool: NssTool): string {
  const p = findTool(tool);
  if (!p) throw new NssToolMissingError(tool);
  return p;
}

const TIMEOUT_MS = 60_000;

/**
 * Run a tool with no terminal: in a new session (setsid), so that NSS cannot open /dev/tty to
 * ask for a token's PIN. With no password, NSS does not log in: a listing never spends a try.
 */
function run(tool: NssTool, args: string[]): { code: number | null; out: string } {
  const path = need(tool);
  const setsid = findSetsid();
  const [cmd, argv] = setsid ? [setsid, ['--wait', path, ...args]] : [path, args];
  const r = spawnSync(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 4 * 1024 * 1024,
    env: childEnv(),
  });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function findSetsid(): string | null {
  for (const p of ['/usr/bin/setsid', '/bin/setsid']) if (existsSync(p)) return p;
  return null;
}

const sql = (db: string): string => `sql:${db}`;

/** Create an empty database (no password), as a browser would on first start. */
export function createDatabase(db: string): void {
  const r = run('certutil', ['-N', '-d', sql(db), '--empty-password']);
  if (r.code !== 0) throw new NssToolError('certutil', r.code, r.out);
}

export function addModule(db: string, name: string, library: string): void {
  // -force: modutil otherwise asks on the terminal to close the browser (checked before)
  const r = run('modutil', ['-dbdir', sql(db), '-add', name, '-libfile', library, '-force']);
  if (r.code !== 0) throw new NssToolError('modutil', r.code, r.out);
}

export function deleteModule(db: string, name: string): void {
  const r = run('modutil', ['-dbdir', sql(db), '-delete', name, '-force']);
  if (r.code !== 0) throw new NssToolError('modutil', r.code, r.out);
}

/** modutil -list, as text: for comparisons before and after. */
export function listModules(db: string): string {
  const r = run('modutil', ['-dbdir', sql(db), '-list']);
  if (r.code !== 0) throw new NssToolError('modutil', r.code, r.out);
  return r.out;
}

export interface TokenSeen {
  name: string;
  /** The token's serial number (OpenSC: the card id). */
  serial: string | null;
  /** The module that shows it (its name in the database). */
  module: string;
}

/** The tokens NSS sees through the modules of a database, NSS's own left out (modutil -list). */
export function tokensSeen(db: string): TokenSeen[] {
  return parseModutilList(listModules(db));
}

export function parseModutilList(text: string): TokenSeen[] {
  const out: TokenSeen[] = [];
  let module = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const mod = /^\s*\d+\.\s+(.+?)\s*$/.exec(lines[i]!);
    if (mod) module = mod[1]!;
    const tok = /^\s*token:\s*(.*?)\s*$/.exec(lines[i]!);
    if (!tok?.[1] || module === 'NSS Internal PKCS #11 Module') continue;
    const uri = /^\s*uri:\s*(\S+)/.exec(lines[i + 1] ?? '')?.[1] ?? '';
    const serial = /[;:]serial=([^;]*)/.exec(uri)?.[1];
    out.push({ name: tok[1], serial: serial ? decodeURIComponent(serial) : null, module });
  }
  return out;
}

/** The nicknames of the certificates NSS sees on every token (certutil -L -h all). */
export function certificateNicknames(db: string): string[] {
  const r = run('certutil', ['-L', '-d', sql(db), '-h', 'all']);
  if (r.code !== 0) return [];
  const out: string[] = [];
  for (const line of r.out.split('\n')) {
    const m = /^(.+?)\s{2,}[a-zA-Z,]*,[a-zA-Z,]*,[a-zA-Z,]*\s*$/.exec(line);
    if (m && !/^Certificate Nickname/.test(m[1]!)) out.push(m[1]!.trim());
  }
  return out;
}

export interface ClientRun {
  code: number | null;
  out: string;
  timedOut: boolean;
}

/**
 * NSS's TLS client against host:port, presenting `nickname` (the card's certificate), the PIN
 * read by NSS from `pinFile`; one protocol version. The server's certificate is accepted as is
 * (-o): the proof is the client's.
 */
export function tlsClient(o: {
  port: number;
  db: string;
  nickname: string;
  pinFile: string;
  version: 'tls1.2' | 'tls1.3';
  timeoutMs?: number;
}): Promise<ClientRun> {
  const args = ['-h', '127.0.0.1', '-p', String(o.port), '-d', sql(o.db), '-n', o.nickname, '-W', o.pinFile];
  args.push('-V', `${o.version}:${o.version}`, '-o');
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      // detached: a new session, no terminal for NSS to ask a PIN on (the PIN comes from the file)
      // without the --env secrets: the PIN reaches NSS only through the file (-W)
      child = spawn(need('tstclnt'), args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: childEnv() });
    } catch (e) {
      reject(e);
      return;
    }
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut });
    });
    child.stdin?.end('GET / HTTP/1.0\r\n\r\n');
  });
}
