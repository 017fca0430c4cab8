import { resolve } from 'node:path';
import type { Context } from '../cli/context.js';
import { CliError } from '../cli/errors.js';

export interface AttachCommandOptions {
  vpcd?: string;
  port?: string;
  leaveAfter?: string;
  muteAfter?: string;
  garbageAfter?: string;
  garbage?: string;
  stats?: string;
  latency?: string;
  baud?: string;
}

export const VPCD_DEFAULT_HOST = '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

function parseEndpoint(o: AttachCommandOptions): { host: string; port: number } {
  let host = VPCD_DEFAULT_HOST;
  let port = VPCD_DEFAULT_PORT;
  if (o.vpcd) {
    const m = /^(.+):(\d{1,5})$/.exec(o.vpcd);
    if (!m) throw new CliError('USAGE', { detailKey: 'uVpcd', value: o.vpcd });
    host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    port = Number(m[2]);
  }
  if (o.port) {
    if (!/^\d{1,5}$/.test(o.port)) throw new CliError('USAGE', { detailKey: 'uPort', value: o.port });
    port = Number(o.port);
  }
  if (port < 1 || port > 65535) throw new CliError('USAGE', { detailKey: 'uPortRange', value: port });
  return { host, port };
}

function garbage(hex: string | undefined): Buffer | undefined {
  if (hex === undefined) return undefined;
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CliError('USAGE', { detailKey: 'uGarbage' });
  return Buffer.from(hex, 'hex');
}

/** `cns sim attach IMAGE`: put the card image in a vpcd reader until SIGINT/SIGTERM. */
export async function simAttachCommand(ctx: Context, image: string, o: AttachCommandOptions): Promise<number> {
  const { host, port } = parseEndpoint(o);
  const count = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new CliError('USAGE', { detailKey: 'uCount', name });
    return Number(v);
  };
  const leaveAfter = count(o.leaveAfter, '--leave-after');
  const muteAfter = count(o.muteAfter, '--mute-after');
  const garbageAfter = count(o.garbageAfter, '--garbage-after');
  const { VpcdLink } = await import('../sim/vpcd.js');
  const path = resolve(image);
  const link = new VpcdLink(path, {
    host,
    port,
    leaveAfter,
    muteAfter,
    garbageAfter,
    garbage: garbage(o.garbage),
    statsFile: o.stats ? resolve(o.stats) : undefined,
    // the physical-card model: either option turns it on, the other keeps its default
    latency:
      o.latency !== undefined || o.baud !== undefined
        ? { perApduMs: count(o.latency ?? '5', '--latency') ?? 5, baud: Math.max(1, count(o.baud ?? '115200', '--baud') ?? 115200) }
        : undefined,
    log: (event, params) => ctx.note(`[${new Date().toISOString()}] ${ctx.t(`sa_${event}`, params)}`),
  });
  const onSignal = (): void => link.stop('stopped');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  ctx.note(ctx.t('sa_start', { path, vpcd: `${host}:${port}` }));
  const reason = await link.done;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  ctx.result({ image: path, vpcd: `${host}:${port}`, apdus: link.apdus, bytes: link.bytes, reason });
  ctx.note(ctx.t(reason === 'fault' ? 'sa_endFault' : 'sa_end', { n: link.apdus, bytes: link.bytes }));
  return 0;
}
