import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseReferenceDate } from '../card/dates.js';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { out } from '../cli/stdio.js';

export interface ServiceCommandOptions {
  port?: string;
  host?: string;
  caCert?: string;
  caKey?: string;
  revoked?: string;
  now?: string;
  issued?: string;
}

/** `cns extension-service`: the reference extension service, until SIGINT/SIGTERM. */
export async function extensionServiceCommand(ctx: Context, o: ServiceCommandOptions): Promise<number> {
  const port = Number(o.port ?? 8470);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('USAGE', { detailKey: 'uPort', value: o.port ?? '' });
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new CliError('INVALID_INPUT', { what, detailKey: 'uRead', path, code: (e as NodeJS.ErrnoException).code ?? '' });
    }
  };
  const { defaultCa } = await import('../sim/create.js');
  const { fromPem } = await import('../cert/pem.js');
  if ((o.caCert === undefined) !== (o.caKey === undefined)) throw new CliError('USAGE', { detailKey: 'uCaPair' });
  const ca = o.caCert && o.caKey ? { cert: read(o.caCert, '--ca-cert'), key: read(o.caKey, '--ca-key') } : defaultCa();
  const revoked = new Set<string>();
  if (o.revoked) {
    for (const line of read(o.revoked, '--revoked').toString('utf8').split('\n')) {
      const v = line.trim().replace(/[:\s]/g, '').toUpperCase();
      if (v && !v.startsWith('#')) revoked.add(v);
    }
  }
  let fixedNow: Date | undefined;
  if (o.now !== undefined) {
    fixedNow = parseReferenceDate(o.now);
    if (!fixedNow) throw new CliError('USAGE', { detailKey: 'uDateOpt', option: '--now', value: o.now });
  }
  const { createExtensionService, fileIssuedStore } = await import('../extension/service.js');
  const { join } = await import('node:path');
  const { stateDir } = await import('../device/paths.js');
  const issuedFile = o.issued ?? join(stateDir(ctx.env), 'extension-service', 'issued.json');
  const server = createExtensionService({
    issued: fileIssuedStore(issuedFile),
    caCert: fromPem(ca.cert),
    caKey: createPrivateKey(ca.key),
    revoked,
    now: () => fixedNow ?? new Date(),
    log: (l) => ctx.note(`[${new Date().toISOString()}] ${l}`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, o.host ?? '127.0.0.1', () => resolve());
  }).catch((e: NodeJS.ErrnoException) => {
    throw new CliError('IO_ERROR', { op: 'listen on', path: `${o.host ?? '127.0.0.1'}:${port}`, detail: e.code ?? e.message });
  });
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : '';
  // One line on stdout, so a script can learn the URL (with --port 0, the chosen port).
  out(ctx.json ? `${JSON.stringify({ schemaVersion: 1, event: 'listening', url })}\n` : `${ctx.t('svcListening', { url })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await new Promise<void>((r) => server.close(() => r()));
  return 0;
}
