import { writeFileSync } from 'node:fs';
import { requireKeyset } from '../card/pinGate.js';
import { derLength } from '../card/session.js';
import type { CertificateSummary } from '../cert/summary.js';
import { printCertificate, row } from '../cli/cardText.js';
import type { Context } from '../cli/context.js';
import { CliError, refuseFolder } from '../cli/errors.js';
import { parseWarnDays } from '../cli/options.js';
import { libraryDetail } from '../cli/render.js';
import { isTerminal, out } from '../cli/stdio.js';
import { withCard } from '../device/open.js';
import { refuseLink } from '../util/fs.js';

async function readCertificate(ctx: Context, warnDays: number, signature?: boolean): Promise<{ der: Buffer; summary: CertificateSummary }> {
  const keyset = signature ? 'signature' : 'auth';
  let ef = '1101';
  let warm: Promise<unknown> = Promise.resolve();
  const raw = await withCard(ctx.cardOptions, async (card) => {
    await requireKeyset(card, keyset);
    if (signature) ef = card.signatureLayout === 'infocamere' ? '8228' : '9010';
    const read = card.readCertificate(keyset);
    // the certificate's code and the issuers the tool knows while the card answers the reads (a
    // transmit runs off the main thread); a failure here is met again where they are needed
    warm = new Promise((resolve) =>
      setImmediate(() => {
        import('../cert/summary.js')
          .then(() => import('../cert/issuers.js'))
          .then((m) => m.loadKnownIssuers())
          .then(resolve, resolve);
      }),
    );
    return read;
  });
  await warm;
  const len = derLength(raw);
  if (len === undefined || len > raw.length || raw.length === 0) {
    throw new CliError('NO_CERTIFICATE', { detailKey: raw.every((b) => b === 0 || b === 0xff) ? 'efEmpty' : 'efNoDer', ef });
  }
  const der = raw.subarray(0, len);
  const { summarizeDer } = await import('../cert/summary.js');
  let r: ReturnType<typeof summarizeDer>;
  try {
    r = summarizeDer(der, new Date(), warnDays);
  } catch (e) {
    throw new CliError('NO_CERTIFICATE', { detail: libraryDetail(e, ctx.t.bind(ctx)) });
  }
  const { issuerSignatureHolds } = await import('../cert/issuers.js');
  if (issuerSignatureHolds(r.parsed) === false) {
    throw new CliError('NO_CERTIFICATE', { detailKey: 'certDamaged', damaged: 1 });
  }
  return { der, summary: r.summary };
}

export async function certShowCommand(ctx: Context, o: { warnDays?: string; signature?: boolean }): Promise<number> {
  const { summary } = await readCertificate(ctx, parseWarnDays(o.warnDays), o.signature);
  ctx.result({ certificate: summary });
  if (!ctx.json) {
    printCertificate(ctx, summary);
    row(ctx, 'lKey', `RSA ${summary.keyBits ?? '?'} (${summary.keyUsage.join(', ')})`, 2);
  }
  return 0;
}

export async function certExportCommand(
  ctx: Context,
  o: { format?: 'pem' | 'der'; out?: string; force?: boolean; signature?: boolean },
): Promise<number> {
  const format = o.format ?? 'pem';
  if (format === 'der' && !o.out && isTerminal(1)) throw new CliError('USAGE', { detailKey: 'uDerTty' });
  if (ctx.json && !o.out) throw new CliError('USAGE', { detailKey: 'uJsonOut' });
  const { der, summary } = await readCertificate(ctx, 30, o.signature);
  const { toPem } = await import('../cert/pem.js');
  const bytes = format === 'pem' ? Buffer.from(toPem(der)) : der;
  if (o.out) {
    refuseFolder(o.out, '--out');
    try {
      // --force replaces a file, never writes through a link planted where it goes
      if (o.force) refuseLink(o.out);
      writeFileSync(o.out, bytes, { flag: o.force ? 'w' : 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CliError('FILE_EXISTS', { path: o.out });
      throw new CliError('IO_ERROR', { op: 'write', path: o.out, detail: code ?? String(e) });
    }
    ctx.result({ certificate: summary, file: o.out, format, bytes: bytes.length });
    ctx.note(ctx.t('certWritten', { path: o.out }));
  } else {
    out(bytes);
  }
  return 0;
}

export async function certCheckCommand(ctx: Context, o: { warnDays?: string }): Promise<number> {
  const warnDays = parseWarnDays(o.warnDays);
  const { summary } = await readCertificate(ctx, warnDays);
  const date = ctx.day(new Date(summary.state === 'not-yet-valid' ? summary.notBefore : summary.notAfter));
  const params = { date, days: Math.abs(summary.daysLeft) };
  if (summary.state === 'valid') {
    ctx.result({ certificate: summary, warnDays });
    ctx.print(ctx.c.green(ctx.t('certValid', params)));
    return 0;
  }
  const code = summary.state === 'expired' ? 'CERT_EXPIRED' : summary.state === 'expiring' ? 'CERT_EXPIRING' : 'CERT_NOT_YET_VALID';
  // The JSON document still carries the certificate, as on exit 0, for scripts that log the date.
  throw new CliError(code, params, { result: { certificate: summary, warnDays } });
}
