import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { issueCertificate } from '../cert/issue.js';
import { toPem } from '../cert/pem.js';
import { processAlive } from '../util/fs.js';
import { type ClientRun, tlsClient } from './nss.js';

/**
 * The proof that a browser's NSS can log in with the card: a local TLS server that requires a
 * client certificate and accepts only the card's (the handshake's signature is the proof of
 * possession: no CA is needed), and NSS's own client (tstclnt) signing through the registered
 * module. One protocol version per run.
 */

export type TlsVersion = 'tls1.2' | 'tls1.3';

export interface ServerSide {
  /** A handshake completed (the client's signature verified by the server). */
  handshake: boolean;
  /** What the client presented: nothing, the card's certificate, or another one. */
  presented: 'none' | 'card' | 'other' | null;
  protocol: string | null;
  /** The TLS alert or error the server saw, if the handshake failed. */
  error: string | null;
}

export interface ProofRun {
  version: TlsVersion;
  server: ServerSide;
  client: ClientRun;
}

let serverIdentity: { key: string; cert: string } | undefined;

/** A throw-away self-signed identity for the local server (made once per process). */
async function identity(): Promise<{ key: string; cert: string }> {
  if (serverIdentity) return serverIdentity;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const der = await issueCertificate({
    subject: [{ type: 'CN', value: 'localhost (cns browser test)' }],
    subjectPublicKey: publicKey,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 24 * 3600_000),
    issuerKey: privateKey,
  });
  serverIdentity = { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: toPem(der, 'CERTIFICATE') };
  return serverIdentity;
}

/** One handshake of NSS's client with the card, at one TLS version, against a local server. */
export async function proveLogin(o: {
  db: string;
  nickname: string;
  pinFile: string;
  cardCertificate: Buffer;
  version: TlsVersion;
  timeoutMs?: number;
}): Promise<ProofRun> {
  const id = await identity();
  const v = o.version === 'tls1.2' ? 'TLSv1.2' : 'TLSv1.3';
  const side: ServerSide = { handshake: false, presented: null, protocol: null, error: null };
  const server = createServer({
    key: id.key,
    cert: id.cert,
    requestCert: true,
    rejectUnauthorized: false, // a real card's issuer is rarely installed: the check is below
    minVersion: v,
    maxVersion: v,
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    side.handshake = true;
    side.protocol = socket.getProtocol();
    const peer = socket.getPeerCertificate();
    side.presented = !peer?.raw ? 'none' : peer.raw.equals(o.cardCertificate) ? 'card' : 'other';
    socket.on('error', () => {});
    socket.end(side.presented === 'card' ? 'HTTP/1.0 200 OK\r\n\r\ncns: card accepted\n' : 'HTTP/1.0 403 Forbidden\r\n\r\n');
  });
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => {
    side.error ??= (e.code ?? e.message).slice(0, 120);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const port = (server.address() as AddressInfo).port;
    const client = await tlsClient({
      port,
      db: o.db,
      nickname: o.nickname,
      pinFile: o.pinFile,
      version: o.version,
      timeoutMs: o.timeoutMs,
    });
    return { version: o.version, server: side, client };
  } finally {
    server.close();
  }
}

/** The folders of PIN files: `cns-pin-<pid>-<random>`, so that one whose process is gone can be told. */
const PIN_DIR = /^cns-pin-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * PIN folders this user's earlier runs left behind (killed with -9, the machine stopped): only
 * ours, by name, owner and a dead process; never through a link.
 */
export function removeStalePinDirs(base: string, uid: number | undefined = process.getuid?.()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return 0;
  }
  for (const name of names) {
    const pid = PIN_DIR.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    const dir = join(base, name);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}

/**
 * A PIN handed to NSS through a file that only this user can read, in memory where the system
 * has it (/dev/shm), removed when `f` ends, and on Ctrl-C, termination or a closed terminal
 * (SIGHUP) before that; what a kill -9 leaves is removed by the next run.
 */
export async function withPinFile<T>(pin: string, f: (path: string) => Promise<T>): Promise<T> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  removeStalePinDirs(base);
  if (base !== tmpdir()) removeStalePinDirs(tmpdir());
  let dir: string;
  try {
    dir = mkdtempSync(join(base, `cns-pin-${process.pid}-`));
  } catch {
    dir = mkdtempSync(join(tmpdir(), `cns-pin-${process.pid}-`));
  }
  chmodSync(dir, 0o700);
  const path = join(dir, 'pin');
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.once(sig, onSignal);
  process.once('exit', cleanup);
  try {
    writeFileSync(path, `${pin}\n`, { mode: 0o600, flag: 'wx' });
    return await f(path);
  } finally {
    cleanup();
    for (const sig of signals) process.off(sig, onSignal);
    process.off('exit', cleanup);
  }
}

export type FailedStep = 'tls13-signature' | 'login-refused' | 'server-refused';

/** A handshake passed: the server verified the client's signature and the certificate is the card's. */
export function passed(run: ProofRun): boolean {
  return run.server.handshake && run.server.presented === 'card';
}

/**
 * Which step failed, from the handshakes tried in order (TLS 1.2, then TLS 1.3): the server got
 * another certificate; TLS 1.3 alone failed (the card or module cannot sign RSA-PSS); or the
 * login with the card did not happen at all.
 */
export function failedStep(runs: ProofRun[]): FailedStep | null {
  const bad = runs.find((r) => !passed(r));
  if (!bad) return null;
  if (bad.server.presented === 'other') return 'server-refused';
  const tls12 = runs.find((r) => r.version === 'tls1.2');
  if (bad.version === 'tls1.3' && tls12 && passed(tls12)) return 'tls13-signature';
  return 'login-refused';
}
