import { readFileSync } from 'node:fs';
import { parseReferenceDate } from '../card/dates.js';
import type { ParsedCertificate } from '../cert/x509.js';
import { eligibilityJson } from '../cli/cardText.js';
import type { Context } from '../cli/context.js';
import { CliError, refuseFolder } from '../cli/errors.js';
import {
  certificateJson,
  checkOutcome,
  confirmWrite,
  onCard,
  printEligibility,
  progress,
  resumedText,
  writeAuth,
} from '../cli/extensionText.js';
import { inputFileDetail } from '../cli/render.js';
import { type SecretOptions, Secrets } from '../cli/secrets.js';
import { stateDir } from '../device/paths.js';
import {
  extendCertificate,
  filesOf,
  httpExtensionService,
  restoreCertificate,
  resumeExtension,
  revokedSerials,
} from '../extension/flow.js';
import { collectReport, eligibilityFromReport } from '../report/report.js';

export interface ExtendOptions extends SecretOptions {
  check?: boolean;
  at?: string;
  crl?: string;
  service?: string;
  caCert?: string;
  yes?: boolean;
  resume?: boolean;
  restore?: string;
  lastAttempt?: boolean;
  timeout?: string;
  retries?: string;
}

const DEFAULT_SERVICE = 'http://127.0.0.1:8470';

/** A file named by an option (PEM or DER), as DER (a certificate: parsed); unreadable: INVALID_INPUT naming the option. */
async function inputDer(ctx: Context, path: string, what: string, label?: string, certificate = false): Promise<Buffer> {
  const { fromPem } = await import('../cert/pem.js');
  refuseFolder(path, what);
  try {
    const der = fromPem(readFileSync(path), label);
    if (certificate) (await import('../cert/x509.js')).parseCertificate(der);
    return der;
  } catch (e) {
    throw new CliError('INVALID_INPUT', { what, detail: inputFileDetail(e, ctx.t.bind(ctx)) });
  }
}

export async function extendCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  if ([o.check, o.resume, o.restore !== undefined].filter(Boolean).length > 1) throw new CliError('USAGE', { detailKey: 'uModes' });
  if (o.restore !== undefined) return restoreCommand(ctx, o);
  if (o.resume) return resumeCommand(ctx, o);
  const at = o.at === undefined ? new Date() : parseReferenceDate(o.at);
  if (!at) throw new CliError('USAGE', { detailKey: 'uDateOpt', option: '--at', value: o.at! });
  const crl = o.crl ? await inputDer(ctx, o.crl, '--crl', 'X509 CRL') : undefined;
  const revoked = crl
    ? await revokedSerials(crl).catch(() => Promise.reject(new CliError('INVALID_INPUT', { what: '--crl', detailKey: 'uCrl' })))
    : undefined;
  const timeoutMs = o.timeout !== undefined ? Number(o.timeout) * 1000 : 15000;
  const retries = o.retries !== undefined ? Number(o.retries) : 2;
  if (!o.check && (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || !Number.isInteger(retries) || retries < 0 || retries > 10))
    throw new CliError('USAGE', { detailKey: 'uTimeout' });
  const caCert = o.caCert && !o.check ? await inputDer(ctx, o.caCert, '--ca-cert') : undefined;
  const secrets = o.check ? undefined : new Secrets(ctx, o, ['pin', 'puk']);
  const state = stateDir(ctx.env);
  return onCard(ctx, async (card) => {
    filesOf(card);
    let certificate: ParsedCertificate | null = null;
    const report = await collectReport(card, { now: at, warnDays: 30, stateDir: state, onCertificate: (c) => (certificate = c) });
    const e = eligibilityFromReport(report, at, revoked);
    if (!secrets) return checkOutcome(ctx, e, 'contactless' in report.card && report.card.contactless);
    const url = o.service ?? ctx.env.CNS_EXTENSION_URL ?? DEFAULT_SERVICE;
    const r = await extendCertificate(card, {
      eligibility: e,
      certificate,
      cardId: report.card.id,
      stateDir: state,
      service: httpExtensionService(url, { timeoutMs, retries }),
      caCert,
      auth: writeAuth(ctx, secrets, o.lastAttempt),
      onProgress: progress(ctx),
      confirm: async (plan) => {
        if (!ctx.json) printEligibility(ctx, plan.eligibility);
        const { serialNumber: serial, notAfter } = plan.current;
        ctx.note(ctx.t('extPlan', { serial, old: ctx.day(notAfter), service: url, dir: plan.journal }));
        return confirmWrite(ctx, o.yes, 'extConfirm');
      },
    });
    ctx.result({
      operation: 'extend',
      extension: eligibilityJson(ctx, e),
      old: certificateJson(r.old),
      new: certificateJson(r.new),
      backup: r.backup,
      journal: r.journal,
    });
    ctx.print(ctx.c.green(ctx.t('extDone', { old: ctx.day(r.old.notAfter), new: ctx.day(r.new.notAfter), backup: r.backup })));
    return 0;
  });
}

/** `cns extend --resume`: finish an interrupted write, from this machine's journal or from the card alone. */
async function resumeCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  const secrets = new Secrets(ctx, o, ['puk']);
  const stateDirectory = stateDir(ctx.env);
  return onCard(ctx, async (card) => {
    const r = await resumeExtension(card, {
      stateDir: stateDirectory,
      auth: writeAuth(ctx, secrets, o.lastAttempt),
      onProgress: progress(ctx),
    });
    ctx.result({ operation: 'extend.resume', new: certificateJson(r.new), ...(r.backup ? { backup: r.backup } : {}) });
    ctx.print(ctx.c.green(resumedText(ctx, r)));
    return 0;
  });
}

/** `cns extend --restore BACKUP`: write a saved certificate back (PUK required). */
async function restoreCommand(ctx: Context, o: ExtendOptions): Promise<number> {
  const der = await inputDer(ctx, o.restore!, '--restore', undefined, true);
  const secrets = new Secrets(ctx, o, ['puk']);
  await secrets.preload();
  const stateDirectory = stateDir(ctx.env);
  return onCard(ctx, async (card) => {
    const r = await restoreCertificate(card, {
      certificate: der,
      stateDir: stateDirectory,
      auth: { ...writeAuth(ctx, secrets, o.lastAttempt), ready: async () => {} },
      onProgress: progress(ctx),
      confirm: async (plan) => {
        ctx.note(`${ctx.t('lCertificate')}: ${plan.certificate.serialNumber} → EF 1101`);
        return confirmWrite(ctx, o.yes, 'restoreConfirm');
      },
    });
    ctx.result({ operation: 'extend.restore', certificate: certificateJson(r.certificate), backup: r.backup });
    ctx.print(ctx.c.green(ctx.t('extRestored', { serial: r.certificate.serialNumber })));
    return 0;
  });
}
