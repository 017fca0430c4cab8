import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SignatureLayout } from '../card/card.js';
import { parseUserDate } from '../card/dates.js';
import type { Context } from '../cli/context.js';
import { CliError, refuseFolder } from '../cli/errors.js';
import { inputFileDetail } from '../cli/render.js';

export interface SimCreateOptions {
  pin?: string;
  puk?: string;
  pinTries?: string;
  pukTries?: string;
  pinTriesLeft?: string;
  pukTriesLeft?: string;
  atr?: string;
  generation?: string;
  contactless?: boolean;
  maxResponse?: string;
  signatureKeyset?: boolean;
  signatureLayout?: string;
  sigPin?: string;
  sigPuk?: string;
  keySize?: string;
  notBefore?: string;
  notAfter?: string;
  surname?: string;
  givenName?: string;
  codiceFiscale?: string;
  cardId?: string;
  cert?: string;
  key?: string;
  caCert?: string;
  caKey?: string;
  force?: boolean;
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new CliError('INVALID_INPUT', { what: name, detailKey: 'uWhole', value: v });
  return Number(v);
}

function date(v: string | undefined, name: string, endOfDay: boolean): Date | undefined {
  if (v === undefined) return undefined;
  const d = parseUserDate(v, endOfDay);
  if (!d) throw new CliError('INVALID_INPUT', { what: name, detailKey: 'uDate', value: v });
  return d;
}

function file(ctx: Context, path: string | undefined, name: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError('INVALID_INPUT', {
      what: `--${name.replace(/^--/, '')}`,
      detail: inputFileDetail(e, ctx.t.bind(ctx)),
    });
  }
}

export async function simCreateCommand(ctx: Context, imagePath: string, o: SimCreateOptions): Promise<number> {
  const path = resolve(imagePath);
  refuseFolder(path, `<${ctx.t('ph_image')}>`);
  if (existsSync(path) && !o.force) throw new CliError('FILE_EXISTS', { path });
  const keySize = int(o.keySize, '--key-size');
  if (keySize !== undefined && keySize !== 1024 && keySize !== 2048)
    throw new CliError('INVALID_INPUT', { what: '--key-size', detailKey: 'uKeySize' });
  const { createImage, CreateError } = await import('../sim/create.js');
  const { saveImage } = await import('../sim/image.js');
  let made: Awaited<ReturnType<typeof createImage>>;
  try {
    made = await createImage({
      pin: o.pin,
      puk: o.puk,
      pinTries: int(o.pinTries, '--pin-tries'),
      pukTries: int(o.pukTries, '--puk-tries'),
      pinTriesLeft: int(o.pinTriesLeft, '--pin-tries-left'),
      pukTriesLeft: int(o.pukTriesLeft, '--puk-tries-left'),
      atr: o.atr,
      generation: o.generation,
      contactless: o.contactless,
      maxResponse: int(o.maxResponse, '--max-response'),
      signatureKeyset: o.signatureKeyset || o.signatureLayout !== undefined,
      signatureLayout: o.signatureLayout as SignatureLayout | undefined,
      sigPin: o.sigPin,
      sigPuk: o.sigPuk,
      keySize: keySize as 1024 | 2048 | undefined,
      notBefore: date(o.notBefore, '--not-before', false),
      notAfter: date(o.notAfter, '--not-after', true),
      surname: o.surname,
      givenName: o.givenName,
      codiceFiscale: o.codiceFiscale,
      cardId: o.cardId,
      certificate: file(ctx, o.cert, '--cert'),
      privateKey: file(ctx, o.key, '--key'),
      caCert: file(ctx, o.caCert, '--ca-cert'),
      caKey: file(ctx, o.caKey, '--ca-key'),
    });
  } catch (e) {
    if (e instanceof CreateError)
      throw new CliError('INVALID_INPUT', {
        what: `--${e.field}`,
        detail: e.message,
        ...(e.key ? { detailKey: `cr_${e.key}`, ...e.params } : {}),
      });
    throw e;
  }
  saveImage(path, made.image);
  const { summarizeDer } = await import('../cert/summary.js');
  const { summary } = summarizeDer(made.certificate, new Date(), 30);
  const cardId = Buffer.from(made.image.files.find((f) => f.path === '3F00/1000/1003')!.data!, 'hex').toString('latin1');
  ctx.result({
    image: path,
    card: { atr: made.image.atr, id: cardId },
    certificate: summary,
    pin: { maxTries: made.image.pin.maxTries },
    puk: { maxTries: made.image.puk.maxTries },
  });
  ctx.print(ctx.t('simCreated', { path }));
  ctx.print(`  ATR ${made.image.atr}`);
  ctx.print(
    `  ${ctx.t('simSummary', { id: cardId, from: ctx.day(new Date(summary.notBefore)), to: ctx.day(new Date(summary.notAfter)) })}`,
  );
  return 0;
}
