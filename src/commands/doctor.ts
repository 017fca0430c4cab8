import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeAtr } from '../card/atr.js';
import { CnsSession } from '../card/session.js';
import type { Transport } from '../apdu/transport.js';
import type { Context } from '../cli/context.js';
import { parseReaderSpec, stateDir } from '../cli/connect.js';
import { CliError } from '../cli/errors.js';
import { EXIT } from '../cli/exitCodes.js';
import type { Lang } from '../cli/i18n.js';
import { toCliError } from '../cli/render.js';
import { writeFileAtomic } from '../util/fs.js';
import { type CardReport, collectReport, eligibilityFromReport } from './status.js';

/**
 * `cns doctor`: a read-only diagnosis for help desks. Never asks for a PIN; every check is
 * pass / warn / fail with a stable code and advice in Italian and English; exits with the code
 * of the most fundamental failure. `--report FILE` writes a JSON ticket without personal data.
 */
export type Status = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  code: string;
  status: Status;
  message: string;
  advice?: string;
  /** The exit code this failure stands for. */
  exit?: number;
  reader?: string;
}

type Txt = { en: string; it: string };
const ADVICE: Record<string, Txt> = {
  PCSC_BINDING: {
    en: 'Install libpcsclite-dev, then install cns again (npm ci / npm install -g). The virtual card works meanwhile: --reader sim',
    it: 'Installa libpcsclite-dev, poi reinstalla cns (npm ci / npm install -g). Intanto funziona la carta virtuale: --reader sim',
  },
  PCSCD: { en: 'Start the smart-card service: sudo systemctl start pcscd (or run pcscd).', it: 'Avvia il servizio smart card: sudo systemctl start pcscd (oppure esegui pcscd).' },
  READERS: { en: 'Connect a smart-card reader (check the cable, try another USB port).', it: 'Collega un lettore di smart card (controlla il cavo, prova un\'altra porta USB).' },
  PKCS11_MODULES: {
    en: 'Browsers need a PKCS#11 module for the card: apt-get install opensc-pkcs11 (or the middleware of the card generation), then load it in the browser.',
    it: 'I browser hanno bisogno di un modulo PKCS#11 per la carta: apt-get install opensc-pkcs11 (o il middleware della generazione della carta), poi caricalo nel browser.',
  },
  CARD_PRESENT: {
    en: 'Insert the card, chip first and facing as the reader shows. A health card issued without a chip (since June 2022 some are) can never be a CNS.',
    it: 'Inserisci la tessera, con il chip come indicato sul lettore. Una tessera sanitaria emessa senza chip (dal giugno 2022 alcune lo sono) non può mai essere una CNS.',
  },
  ATR: {
    en: 'This card generation is not supported (yet): report it quoting the ATR. If the reader has two interfaces (contact and contactless), try the other one.',
    it: 'Questa generazione di carta non è (ancora) supportata: segnalala indicando l\'ATR. Se il lettore ha due interfacce (contatto e contactless), prova l\'altra.',
  },
  MIDDLEWARE: {
    en: 'Install the middleware this card generation needs, or OpenSC (apt-get install opensc-pkcs11).',
    it: 'Installa il middleware richiesto da questa generazione di carta, oppure OpenSC (apt-get install opensc-pkcs11).',
  },
  PIN_BLOCKED: { en: 'Unblock the PIN with the PUK: cns pin unblock', it: 'Sblocca il PIN con il PUK: cns pin unblock' },
  PIN_LOW: { en: 'One PIN try left: check the PIN (the regional office can tell) before trying.', it: 'Resta un tentativo per il PIN: verifica il PIN (l\'ufficio regionale può aiutare) prima di provare.' },
  PUK_BLOCKED: {
    en: 'The PUK is blocked: the card cannot be unblocked any more. Ask for a new card (Agenzia delle Entrate / regional offices).',
    it: 'Il PUK è bloccato: la carta non può più essere sbloccata. Chiedi una nuova tessera (Agenzia delle Entrate / uffici regionali).',
  },
  PUK_LOW: { en: 'One PUK try left: a wrong PUK ends the card. Get the PUK letter from the regional office first.', it: 'Resta un tentativo per il PUK: un PUK errato rende la carta inutilizzabile. Recupera prima la lettera del PUK presso l\'ufficio regionale.' },
  CERTIFICATE: {
    en: 'The certificate is not valid: online services will refuse the card, which still works as health card and codice fiscale. Ask for a new card.',
    it: 'Il certificato non è valido: i servizi online rifiuteranno la carta, che funziona ancora come tessera sanitaria e codice fiscale. Chiedi una nuova tessera.',
  },
  CERT_EXPIRING: { en: 'The certificate expires soon: ask for a new card in time.', it: 'Il certificato scade presto: chiedi per tempo una nuova tessera.' },
  DATA: { en: 'The card data disagree with each other: report it to the issuer.', it: 'I dati della carta non sono coerenti tra loro: segnalalo all\'ente emittente.' },
  CERT_WRITE: { en: 'Finish the interrupted certificate write: cns extend --resume', it: 'Completa la scrittura del certificato interrotta: cns extend --resume' },
};

function advice(lang: Lang, key: string): string | undefined {
  return ADVICE[key]?.[lang];
}

const VERSION = '0.1.0';

async function environmentChecks(ctx: Context, out: DoctorCheck[]): Promise<string[] | null> {
  out.push({ code: 'NODE', status: 'pass', message: `Node.js ${process.version}, cns ${VERSION}, ${process.platform}/${process.arch}` });
  const { loadPcsc } = await import('../pcsc/binding.js');
  try {
    loadPcsc();
    out.push({ code: 'PCSC_BINDING', status: 'pass', message: 'pcsclite binding loaded' });
  } catch (e) {
    out.push({ code: 'PCSC_BINDING', status: 'fail', message: (e as Error).message, advice: advice(ctx.lang, 'PCSC_BINDING'), exit: EXIT.NO_SERVICE });
    return null;
  }
  const { PcscClient } = await import('../pcsc/client.js');
  let client;
  try {
    client = PcscClient.open();
  } catch (e) {
    out.push({ code: 'PCSCD', status: 'fail', message: (e as Error).message, advice: advice(ctx.lang, 'PCSCD'), exit: EXIT.NO_SERVICE });
    return null;
  }
  try {
    const readers = await client.readerStates();
    out.push({ code: 'PCSCD', status: 'pass', message: 'the smart-card service answers' });
    if (readers.length === 0) {
      out.push({ code: 'READERS', status: 'fail', message: 'no reader', advice: advice(ctx.lang, 'READERS'), exit: EXIT.NO_SERVICE });
      return [];
    }
    out.push({ code: 'READERS', status: 'pass', message: readers.map((r) => `${r.index}: ${r.name}${r.present ? '' : ' (empty)'}`).join('; ') });
    return readers.map((r) => r.name);
  } finally {
    client.close();
  }
}

async function modulesCheck(ctx: Context, out: DoctorCheck[]): Promise<{ name: string; path: string }[]> {
  const { discoverModules } = await import('../pkcs11/modules.js');
  const mods = discoverModules().filter((m) => m.name !== 'SoftHSM2');
  out.push(
    mods.length
      ? { code: 'PKCS11_MODULES', status: 'pass', message: mods.map((m) => `${m.name} (${m.path})`).join('; ') }
      : { code: 'PKCS11_MODULES', status: 'warn', message: 'no PKCS#11 module for a CNS is installed', advice: advice(ctx.lang, 'PKCS11_MODULES') },
  );
  return mods;
}

/** Everything about one card, read-only. */
async function cardChecks(ctx: Context, transport: Transport, mods: { name: string; path: string }[], out: DoctorCheck[]): Promise<CardReport | null> {
  const reader = transport.name;
  const add = (c: DoctorCheck): void => {
    out.push({ ...c, reader });
  };
  const atr = decodeAtr(transport.atr());
  add({ code: 'CARD_PRESENT', status: 'pass', message: `ATR ${atr.atr}` });
  if (!atr.isCns) {
    add({ code: 'ATR', status: 'fail', message: `not a TS-CNS (${atr.reason}); ATR to quote: ${atr.atr}`, advice: advice(ctx.lang, 'ATR'), exit: EXIT.UNSUPPORTED });
    return null;
  }
  add({ code: 'ATR', status: atr.knownAs ? 'pass' : 'warn', message: `${atr.model}; generation ${atr.generation ?? 'unknown'}; CNS ${atr.cnsVersion ?? '?'}; ${atr.keyBits ?? '?'}-bit`, advice: atr.knownAs ? undefined : advice(ctx.lang, 'ATR') });
  const wanted = atr.middleware ?? 'OpenSC';
  const installed = mods.find((m) => wanted.toLowerCase().includes(m.name.toLowerCase().split(' ')[0]!));
  add(
    installed
      ? { code: 'MIDDLEWARE', status: 'pass', message: `${wanted}: ${installed.name} installed (${installed.path})` }
      : { code: 'MIDDLEWARE', status: 'warn', message: `${wanted}: not installed`, advice: advice(ctx.lang, 'MIDDLEWARE') },
  );
  const s = new CnsSession(transport, ctx.tracer);
  const report = await collectReport(s, new Date(), 30, stateDir(ctx.env));
  add({ code: 'CARD_ID', status: report.card.idValid ? 'pass' : 'fail', message: `card id ${report.card.id ?? '?'}${report.card.idValid ? '' : ' (not a valid card id)'}`, exit: report.card.idValid ? undefined : EXIT.UNSUPPORTED, advice: report.card.idValid ? undefined : advice(ctx.lang, 'DATA') });
  const pin = report.pin;
  if (pin.blocked) add({ code: 'PIN', status: 'fail', message: 'PIN blocked', advice: advice(ctx.lang, 'PIN_BLOCKED'), exit: EXIT.BLOCKED });
  else if (pin.triesLeft === 1) add({ code: 'PIN', status: 'warn', message: 'PIN: 1 try left', advice: advice(ctx.lang, 'PIN_LOW') });
  else add({ code: 'PIN', status: pin.triesLeft === null ? 'warn' : 'pass', message: pin.triesLeft === null ? 'PIN tries unknown' : `PIN: ${pin.triesLeft} tries left` });
  const puk = report.puk;
  if (puk.blocked) add({ code: 'PUK', status: 'fail', message: 'PUK blocked', advice: advice(ctx.lang, 'PUK_BLOCKED'), exit: EXIT.BLOCKED });
  else if (puk.triesLeft === 1) add({ code: 'PUK', status: 'warn', message: 'PUK: 1 try left', advice: advice(ctx.lang, 'PUK_LOW') });
  else add({ code: 'PUK', status: puk.triesLeft === null ? 'warn' : 'pass', message: puk.triesLeft === null ? 'PUK tries unknown' : `PUK: ${puk.triesLeft} tries left` });
  const c = report.certificate;
  if (!c) add({ code: 'CERTIFICATE', status: 'fail', message: 'no readable certificate', advice: advice(ctx.lang, 'CERTIFICATE'), exit: EXIT.UNSUPPORTED });
  else if (c.state === 'valid') add({ code: 'CERTIFICATE', status: 'pass', message: `valid until ${c.notAfter} (${c.daysLeft} days left)` });
  else if (c.state === 'expiring') add({ code: 'CERTIFICATE', status: 'warn', message: `expiring ${c.notAfter} (${c.daysLeft} days left)`, advice: advice(ctx.lang, 'CERT_EXPIRING') });
  else add({ code: 'CERTIFICATE', status: 'fail', message: `${c.state}: ${c.notBefore} → ${c.notAfter}`, advice: advice(ctx.lang, 'CERTIFICATE'), exit: EXIT.CERT });
  for (const k of report.checks) {
    add({ code: `DATA_${k.code}`, status: k.status === 'skip' ? 'pass' : k.status, message: k.detail, advice: k.status === 'pass' ? undefined : advice(ctx.lang, 'DATA'), exit: k.status === 'fail' ? EXIT.UNSUPPORTED : undefined });
  }
  for (const p of report.problems) {
    const write = p.code.startsWith('CERT_');
    add({ code: p.code, status: write ? 'fail' : 'warn', message: p.message, advice: write ? advice(ctx.lang, 'CERT_WRITE') : undefined, exit: write ? EXIT.UNSUPPORTED : undefined });
  }
  const e = eligibilityFromReport(report, new Date());
  add({ code: 'EXTENSION', status: 'pass', message: e.eligible ? 'eligible for the 2023 extension' : `not eligible for the 2023 extension (${e.reasons.filter((r) => r.ok === false && !r.advisory).map((r) => r.code).join(', ')})` });
  return report;
}

/** A salt of this installation, so that two reports of the same card carry the same hash. */
function reportSalt(ctx: Context, explicit?: string): Buffer {
  if (explicit) return Buffer.from(explicit);
  if (ctx.env.CNS_REPORT_SALT) return Buffer.from(ctx.env.CNS_REPORT_SALT);
  const file = join(stateDir(ctx.env), 'report-salt');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, randomBytes(32).toString('hex'));
  }
  return Buffer.from(readFileSync(file, 'utf8').trim());
}

/** Personal values found in a report, to be kept out of the ticket. */
function personalValues(r: CardReport): string[] {
  const h = r.holder ?? {};
  const c = r.certificate;
  const vals = [h.surname, h.givenName, h.codiceFiscale, h.birthDate, h.birthMunicipality, h.residenceAddress, h.residenceMunicipality, c?.subject, c?.commonName, c?.codiceFiscale, c?.datiPersonaliHash];
  return vals.filter((v): v is string => typeof v === 'string' && v.length >= 3);
}

export async function doctorCommand(ctx: Context, o: { report?: string; allReaders?: boolean; salt?: string }): Promise<number> {
  const checks: DoctorCheck[] = [];
  const reports: { reader: string; report: CardReport | null }[] = [];
  const spec = parseReaderSpec(ctx.reader, ctx.env);
  let mods: { name: string; path: string }[] = [];
  const diagnose = async (open: () => Promise<Transport>, name: string): Promise<void> => {
    const local: DoctorCheck[] = [];
    let report: CardReport | null = null;
    try {
      const t = await open();
      try {
        report = await cardChecks(ctx, t, mods, local);
      } finally {
        await t.close();
      }
    } catch (e) {
      const ce = toCliError(e);
      const { EXIT_FOR } = await import('../cli/exitCodes.js');
      const present = ce.code !== 'NO_CARD';
      local.push({ code: present ? 'CARD_READ' : 'CARD_PRESENT', status: 'fail', message: ctx.t(ce.code === 'CARD_REMOVED' ? 'CARD_REMOVED' : ce.code, { detail: String(ce.params.detail ?? ''), ...ce.params }), advice: advice(ctx.lang, present ? 'ATR' : 'CARD_PRESENT'), exit: EXIT_FOR[ce.code], reader: name });
    }
    checks.push(...local);
    reports.push({ reader: name, report });
  };
  if (spec.kind === 'sim') {
    const { openTransport } = await import('../cli/connect.js');
    checks.push({ code: 'NODE', status: 'pass', message: `Node.js ${process.version}, cns ${VERSION}, ${process.platform}/${process.arch}` });
    mods = await modulesCheck(ctx, checks);
    await diagnose(() => openTransport(ctx), `sim:${spec.path}`);
  } else {
    const names = await environmentChecks(ctx, checks);
    mods = await modulesCheck(ctx, checks);
    if (names && names.length) {
      const { PcscClient } = await import('../pcsc/client.js');
      const { selectReader } = await import('../pcsc/select.js');
      const probe = PcscClient.open();
      const states = await probe.readerStates().finally(() => probe.close());
      let targets: string[];
      if (o.allReaders) targets = states.map((s) => s.name);
      else {
        const sel = selectReader(states, spec.name, (a) => decodeAtr(a).isCns);
        if (sel.kind === 'ok' || sel.kind === 'not-cns') targets = [sel.reader.name];
        else if (sel.kind === 'no-card') targets = sel.reader ? [sel.reader.name] : [];
        else if (sel.kind === 'ambiguous') targets = sel.candidates.map((c) => c.name);
        else targets = [];
        if (targets.length === 0) checks.push({ code: 'CARD_PRESENT', status: 'fail', message: 'no card in any reader', advice: advice(ctx.lang, 'CARD_PRESENT'), exit: EXIT.NO_CARD });
      }
      // every reader at once: each has its own context and exclusive connection
      await Promise.all(
        targets.map((name) =>
          diagnose(async () => {
            const c = PcscClient.open();
            try {
              await c.readerStates();
              return await c.connect(name);
            } catch (e) {
              c.close();
              throw e;
            }
          }, name),
        ),
      );
    }
  }
  const failed = checks.find((c) => c.status === 'fail');
  const exit = failed?.exit ?? (failed ? EXIT.INTERNAL : 0);
  if (o.report) {
    const salt = reportSalt(ctx, o.salt);
    const secrets = reports.flatMap((r) => (r.report ? personalValues(r.report) : []));
    const hash = (v: string): string => createHash('sha256').update(salt).update(v.toUpperCase()).digest('hex');
    const ticket = {
      schemaVersion: 1,
      kind: 'cns-doctor-report',
      generatedAt: new Date().toISOString(),
      tool: { name: 'cns', version: VERSION },
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      exitCode: exit,
      checks,
      cards: reports.map(({ reader, report: r }) => ({
        reader,
        atr: r?.card.atr ?? null,
        model: r?.card.model ?? null,
        cardId: r?.card.id ?? null,
        certificate: r?.certificate ? { serialNumber: r.certificate.serialNumber, issuer: r.certificate.issuer, notBefore: r.certificate.notBefore, notAfter: r.certificate.notAfter, state: r.certificate.state, daysLeft: r.certificate.daysLeft } : null,
        pin: r?.pin ?? null,
        puk: r?.puk ?? null,
        // who it is, only as a salted hash: two reports of the same holder match, nobody can read it
        holderHash: r?.holder?.codiceFiscale ? hash(String(r.holder.codiceFiscale)) : null,
      })),
    };
    let text = JSON.stringify(ticket, null, 2);
    for (const v of secrets.sort((a, b) => b.length - a.length)) text = text.split(v).join('[redacted]');
    try {
      writeFileAtomic(o.report, `${text}\n`, 0o644);
    } catch (e) {
      throw new CliError('IO_ERROR', { op: 'write', path: o.report, detail: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }
  ctx.result({ ok: exit === 0, exitCode: exit, checks, ...(o.report ? { report: o.report } : {}) });
  if (!ctx.json) {
    for (const c of checks) {
      const mark = c.status === 'pass' ? ctx.c.green('✓') : c.status === 'warn' ? ctx.c.yellow('!') : ctx.c.red('✗');
      ctx.print(`${mark} ${c.code.padEnd(24)} ${c.reader && c.reader !== checks[0]?.reader ? ctx.c.dim(`[${c.reader}] `) : ''}${c.message}`);
      if (c.advice && c.status !== 'pass') ctx.print(`  ${ctx.c.dim('→')} ${c.advice}`);
    }
    if (o.report) ctx.note(`${o.report}`);
  }
  return exit;
}
