import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Context } from '../cli/context.js';
import type { MessageKey } from '../cli/i18n.js';

type GuidedKey =
  | 'insert'
  | 'title'
  | 'menu'
  | 'verify'
  | 'change'
  | 'unblock'
  | 'show'
  | 'export'
  | 'extension'
  | 'doctor'
  | 'browser'
  | 'help'
  | 'quit'
  | 'where'
  | 'bye'
  | 'holder'
  | 'expires'
  | 'pinTries'
  | 'pukInfo'
  | 'browserSetup'
  | 'browserTest';

import { renderError } from '../cli/render.js';
import { askYesNo, ctrlDAborts, isPromptAbort, promptTheme } from '../cli/secrets.js';
import { DeviceError, type DeviceFault, deviceFault } from '../device/errors.js';
import { withCard } from '../device/open.js';
import { printable } from '../util/text.js';

type Action = 'verify' | 'change' | 'unblock' | 'show' | 'export' | 'extension' | 'doctor' | 'browser' | 'help' | 'quit';

/** What guided mode waits out, asking for the card, instead of failing. */
const WAIT_FOR: readonly DeviceFault[] = ['no-card', 'no-reader', 'service-unavailable', 'card-removed', 'card-busy'];

class Interrupted extends Error {}

/** The header above the menu: who, until when, and what needs doing, in plain words. */
async function readSummary(ctx: Context, t: (k: GuidedKey) => string): Promise<string> {
  return withCard(ctx.cardOptions, async (card) => {
    const { collectReport } = await import('../report/report.js');
    const r = await collectReport(card, { now: new Date(), warnDays: 30 });
    const holder = r.holder ? `${r.holder.givenName ?? ''} ${r.holder.surname ?? ''}`.trim() : '?';
    const lines = [`${t('holder')}: ${holder}`];
    const c = r.certificate;
    if (!c) lines.push(r.problems.some((p) => p.code === 'CERT_SIGNATURE_INVALID') ? ctx.c.red(ctx.t('gCertDamaged')) : ctx.t('gCertNone'));
    else if (c.state === 'not-yet-valid') lines.push(ctx.c.yellow(ctx.t('gCertNotYet', { date: ctx.day(new Date(c.notBefore)) })));
    else if (c.state === 'expired') lines.push(ctx.c.red(ctx.t('gCertExpired', { date: ctx.day(new Date(c.notAfter)) })));
    else if (c.state === 'expiring')
      lines.push(ctx.c.yellow(ctx.t('gCertExpiring', { date: ctx.day(new Date(c.notAfter)), days: c.daysLeft })));
    else lines.push(ctx.t('gCertValid', { date: ctx.day(new Date(c.notAfter)) }));
    if (r.puk.blocked) lines.push(ctx.c.red(ctx.t('gPukBlocked')));
    else if (r.pin.blocked) lines.push(ctx.c.red(ctx.t('gPinBlocked')));
    else if (r.pin.triesLeft !== null) lines.push(`${t('pinTries')}: ${r.pin.triesLeft}`);
    if (r.card.atr !== null && r.card.contactless) lines.push(ctx.c.yellow(ctx.t('nfcNote')));
    return lines.join('\n');
  });
}

/** The reader names of a READER_AMBIGUOUS error (its candidates are `index: "name"`). */
function readerNames(e: DeviceError): string[] {
  return (e.info.candidates ?? []).map((c) => /^\d+: "(.*)"$/.exec(c)?.[1] ?? c);
}

/**
 * Wait until a card can be read; show the plea once. Ctrl-C while waiting leaves. Another card in
 * the reader (a CIE, a bank card) is waited out too, asking for the Tessera Sanitaria; with cards
 * in several readers the citizen picks one.
 */
async function waitForCard(ctx: Context, t: (k: GuidedKey) => string): Promise<string> {
  let interrupted = false;
  const onInt = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onInt);
  try {
    let fault: DeviceFault | undefined;
    let said = '';
    for (let asked = false; ; asked = true) {
      let other: 'cie' | 'other' | undefined;
      try {
        const summary = await readSummary(ctx, t);
        // Ctrl-C while the card was being read: it leaves here too, not only while waiting
        if (interrupted) throw new Interrupted();
        return summary;
      } catch (e) {
        if (e instanceof Interrupted) throw e;
        if (e instanceof DeviceError && e.code === 'READER_AMBIGUOUS' && !ctx.reader) {
          ctx.reader = await pickReader(ctx, readerNames(e));
          continue;
        }
        if (e instanceof DeviceError && e.code === 'NOT_CNS') other = e.info.reason === 'cie' ? 'cie' : 'other';
        else {
          fault = deviceFault(e);
          if (fault === undefined || !WAIT_FOR.includes(fault)) throw e;
        }
      }
      // say what is missing, again whenever that changes: the service, a reader, the card, the right card
      const plea = other
        ? ctx.t(other === 'cie' ? 'gCieInserted' : 'gNotTsCns')
        : fault === 'service-unavailable'
          ? ctx.t('gNoService')
          : fault === 'no-reader'
            ? ctx.t('gNoReader')
            : t('insert');
      if (!asked || plea !== said) ctx.note(ctx.c.bold(plea));
      said = plea;
      for (let i = 0; i < 10 && !interrupted; i++) await new Promise((r) => setTimeout(r, 100));
      if (interrupted) throw new Interrupted();
    }
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}

/** Several readers hold a card: the citizen says which one (Ctrl-C leaves). */
async function pickReader(ctx: Context, names: string[]): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  try {
    return await ctrlDAborts((signal) =>
      select<string>(
        { message: ctx.t('gPickReader'), choices: names.map((n) => ({ value: n, name: printable(n) })), theme: promptTheme(ctx) },
        { output: process.stderr, signal },
      ),
    );
  } catch (e) {
    if (isPromptAbort(e)) throw new Interrupted();
    throw e;
  }
}

/**
 * `cns` with no command on a terminal: a guided menu, CRS-Manager style. Every action is the
 * command of the same name, with the same safety rules; Ctrl-C at the menu leaves.
 */
export async function guidedCommand(ctx: Context): Promise<number> {
  const t = (k: GuidedKey): string => ctx.t(`g${k[0]!.toUpperCase()}${k.slice(1)}` as MessageKey);
  const { select, input } = await import('@inquirer/prompts');
  ctx.guided = true;
  ctx.note(ctx.c.bold(t('title')));
  for (;;) {
    let action: Action;
    try {
      ctx.note(ctx.c.dim(await waitForCard(ctx, t)));
      action = await ctrlDAborts((signal) =>
        select<Action>(
          {
            message: t('menu'),
            choices: (['verify', 'change', 'unblock', 'show', 'export', 'extension', 'doctor', 'browser', 'help', 'quit'] as const).map(
              (value) => ({
                value,
                name: t(value),
              }),
            ),
            loop: true,
            pageSize: 10,
            theme: promptTheme(ctx),
          },
          { output: process.stderr, signal },
        ),
      );
    } catch (e) {
      if (isPromptAbort(e) || e instanceof Interrupted) {
        ctx.note(t('bye'));
        return 0;
      }
      return renderError(ctx, e);
    }
    if (action === 'quit') {
      ctx.note(t('bye'));
      return 0;
    }
    try {
      switch (action) {
        case 'verify':
        case 'change':
        case 'unblock': {
          const { pinCommand } = await import('../commands/pin.js');
          await pinCommand(ctx, action, {});
          break;
        }
        case 'show': {
          const { certShowCommand } = await import('../commands/cert.js');
          await certShowCommand(ctx, {});
          break;
        }
        case 'export': {
          const typed = await ctrlDAborts((signal) =>
            input({ message: t('where'), default: join(homedir(), 'cns-certificate.pem') }, { output: process.stderr, signal }),
          );
          const out = typed.startsWith('~/') || typed === '~' ? join(homedir(), typed.slice(1)) : typed;
          if (!existsSync(dirname(resolve(out)))) {
            ctx.note(ctx.c.yellow(ctx.t('gNoFolder', { dir: dirname(resolve(out)) })));
            break;
          }
          if (existsSync(out) && statSync(out).isDirectory()) {
            ctx.note(ctx.c.yellow(ctx.t('uIsFolder', { path: out })));
            break;
          }
          if (existsSync(out) && !(await askYesNo(ctx, ctx.t('gOverwrite', { path: out }), false))) break;
          const { certExportCommand } = await import('../commands/cert.js');
          await certExportCommand(ctx, { out, force: true });
          break;
        }
        case 'extension': {
          const { extendCommand } = await import('../commands/extend.js');
          await extendCommand(ctx, { check: true });
          break;
        }
        case 'doctor': {
          const { doctorCommand } = await import('../commands/doctor.js');
          await doctorCommand(ctx, {});
          break;
        }
        case 'browser': {
          // the status, then setup if something is missing, then the login test: each asked
          const b = await import('../commands/browser.js');
          const { browserReport } = await import('../browser/browsers.js');
          await b.browserStatusCommand(ctx, {});
          const r = browserReport({});
          if (r.databases.length === 0) break;
          if (
            r.databases.some((d) => d.assessment.state === 'missing' && d.need.library) &&
            (await askYesNo(ctx, t('browserSetup'), true))
          ) {
            // a browser left open (or a change that failed): no login test on a setup not made
            if ((await b.browserSetupCommand(ctx, {})) !== 0) break;
          }
          // the virtual card lives inside cns, where no browser sees it: no login test to offer
          const { parseReaderSpec } = await import('../device/open.js');
          if (parseReaderSpec(ctx.reader, ctx.env).kind === 'sim') break;
          // Windows has no NSS TLS client to prove a login with: nothing to offer
          if (r.platform === 'win32') break;
          if (await askYesNo(ctx, t('browserTest'), false)) await b.browserTestCommand(ctx, {});
          break;
        }
        case 'help':
          ctx.print(t('pukInfo'));
          break;
      }
    } catch (e) {
      if (isPromptAbort(e)) continue; // Ctrl-C inside an action: back to the menu, nothing sent
      renderError(ctx, e);
    }
    ctx.print('');
  }
}
