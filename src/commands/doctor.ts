import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Card } from '../card/card.js';
import { databaseText, databaseTitle, storeText } from '../cli/browserText.js';
import { checkText, problemText, ruleText } from '../cli/cardText.js';
import type { Context } from '../cli/context.js';
import { CliError, refuseFolder } from '../cli/errors.js';
import { EXIT, EXIT_FOR } from '../cli/exitCodes.js';
import type { MessageKey } from '../cli/i18n.js';
import { describeError, outcome } from '../cli/render.js';
import { VERSION } from '../cli/version.js';
import { deviceFault } from '../device/errors.js';
import { type OpenCard, openCard, openNamedReader, parseReaderSpec, readersToExamine } from '../device/open.js';
import { stateDir } from '../device/paths.js';
import { type CardReport, collectReport, eligibilityFromReport, STATE_PROBLEMS } from '../report/report.js';
import { writeFileAtomic } from '../util/fs.js';
import { printable } from '../util/text.js';

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

function versionsCheck(): DoctorCheck {
  return { code: 'NODE', status: 'pass', message: `Node.js ${process.version}, cns ${VERSION}, ${process.platform}/${process.arch}` };
}

async function environmentChecks(ctx: Context, out: DoctorCheck[]): Promise<string[] | null> {
  out.push(versionsCheck());
  const { loadWinscard } = await import('../pcsc/winscard.js');
  try {
    const api = loadWinscard();
    out.push({ code: 'PCSC_BINDING', status: 'pass', message: ctx.t('dPcscLib', { lib: api.platform.library }) });
  } catch (e) {
    out.push({
      code: 'PCSC_BINDING',
      status: 'fail',
      message: describeError(ctx, e).text,
      advice: ctx.t('pcscInstall'),
      exit: EXIT.NO_SERVICE,
    });
    return null;
  }
  const { PcscClient } = await import('../pcsc/client.js');
  const { PcscUnavailableError } = await import('../pcsc/winscard.js');
  let client: import('../pcsc/client.js').PcscClient;
  try {
    client = await PcscClient.open();
  } catch (e) {
    const stuck = e instanceof PcscUnavailableError && e.reason === 'stuck';
    out.push({
      code: 'PCSCD',
      status: 'fail',
      message: describeError(ctx, e).text,
      advice: ctx.t(stuck ? 'pcscRestart' : 'pcscStart'),
      exit: EXIT.NO_SERVICE,
    });
    return null;
  }
  try {
    const readers = await client.readerStates();
    out.push({ code: 'PCSCD', status: 'pass', message: ctx.t('dPcscdOk') });
    if (readers.length === 0) {
      out.push({ code: 'READERS', status: 'fail', message: ctx.t('dNoReader'), advice: ctx.t('advREADERS'), exit: EXIT.NO_SERVICE });
      return [];
    }
    out.push({
      code: 'READERS',
      status: 'pass',
      message: readers.map((r) => `${r.index}: ${printable(r.name)}${r.present ? '' : ` (${ctx.t('dEmpty')})`}`).join('; '),
    });
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
      : { code: 'PKCS11_MODULES', status: 'warn', message: ctx.t('dNoModule'), advice: ctx.t('advPKCS11_MODULES') },
  );
  return mods;
}

/**
 * Whether the PKCS#11 module (what browsers use) sees this card too: a slot of the same reader
 * with a token it recognises. Done while we hold the card, so the module only lists slots.
 */
async function moduleSeesCard(ctx: Context, modulePath: string, reader: string): Promise<DoctorCheck> {
  const { Pkcs11Client } = await import('../pkcs11/client.js');
  let client: import('../pkcs11/client.js').Pkcs11Client;
  try {
    ({ client } = await Pkcs11Client.open(modulePath));
  } catch (e) {
    return {
      code: 'MIDDLEWARE_SEES_CARD',
      status: 'warn',
      message: describeError(ctx, e).text,
      advice: ctx.t('advMIDDLEWARE'),
    };
  }
  try {
    const slot = (await client.slots()).find((x) => x.description === reader);
    if (slot?.token)
      return {
        code: 'MIDDLEWARE_SEES_CARD',
        status: 'pass',
        message: ctx.t('dModuleSees', { module: modulePath, model: slot.token.model }),
      };
    return {
      code: 'MIDDLEWARE_SEES_CARD',
      status: 'warn',
      message: ctx.t('dModuleBlind', { module: modulePath, reader, extra: slot?.tokenError ? ` (${slot.tokenError})` : '' }),
      advice: ctx.t('advMIDDLEWARE'),
    };
  } catch (e) {
    return { code: 'MIDDLEWARE_SEES_CARD', status: 'warn', message: describeError(ctx, e).text, advice: ctx.t('advMIDDLEWARE') };
  } finally {
    await client.close();
  }
}

/** Everything about one card, read-only. Also returns the PKCS#11 module its generation needs, where installed. */
async function cardChecks(
  ctx: Context,
  card: Card,
  mods: { name: string; path: string }[],
  out: DoctorCheck[],
): Promise<{ report: CardReport | null; module?: string; atr?: { atr: string; model: string } }> {
  const reader = card.name;
  const add = (c: DoctorCheck): void => {
    out.push({ ...c, reader });
  };
  if (card.origin.kind !== 'atr') return { report: null };
  const atr = card.origin.atr;
  // the ticket keeps what the ATR says even when the card is no CNS (a CIE, another card)
  const seen = { atr: atr.atr, model: atr.model };
  add({ code: 'CARD_PRESENT', status: 'pass', message: `ATR ${atr.atr}` });
  if (!atr.isCns) {
    add({
      code: 'ATR',
      status: 'fail',
      message: ctx.t('dNotCns', { reason: ctx.t(atr.reason === 'cie' ? 'nsCie' : atr.probe ? 'nsProbed' : 'nsAtr'), atr: atr.atr }),
      // a CIE is a card the citizen has: the other card is the one to insert
      advice: ctx.t(atr.reason === 'cie' ? 'advCIE' : 'advATR'),
      exit: EXIT.UNSUPPORTED,
    });
    return { report: null, atr: seen };
  }
  // what the card is, never "not supported" for a card that says CNS: its model is named from
  // pcsc-tools' list, else from its mask byte, and what can be read is read below
  const tsCns = atr.kind === undefined || atr.kind === 'ts-cns';
  add({
    code: 'ATR',
    status: atr.knownAs ? 'pass' : 'warn',
    message:
      ctx.t('dAtr', {
        model: atr.model,
        generation: atr.generation ?? ctx.t('unknown'),
        version: atr.cnsVersion ?? '?',
        bits: atr.keyBits ?? '?',
      }) + (atr.kind && atr.kind !== 'ts-cns' ? ` — ${ctx.t(atr.kind === 'signature-device' ? 'dSignatureDevice' : 'dOtherCns')}` : ''),
    advice: atr.knownAs ? undefined : ctx.t('advATR_UNLISTED', { atr: atr.atr }),
  });
  if (atr.identifiedBy === 'application')
    add({
      code: 'IDENTIFIED_BY',
      status: 'warn',
      message: ctx.t('identifiedByApplication'),
      advice: ctx.t('advATR_UNLISTED', { atr: atr.atr }),
    });
  // read over NFC: what works there, and the contact slot for writes
  add(
    atr.contactless
      ? { code: 'INTERFACE', status: 'warn', message: ctx.t('dNfc'), advice: ctx.t('nfcNote') }
      : { code: 'INTERFACE', status: 'pass', message: ctx.t('dContact') },
  );
  // the TS-CNS middleware advice is for health cards; a signature device or another CNS card has its own software
  let installed: { name: string; path: string } | undefined;
  if (!tsCns) add({ code: 'MIDDLEWARE', status: 'pass', message: ctx.t('dMwOwn') });
  else {
    const wanted = atr.middleware ?? 'OpenSC';
    installed = mods.find((m) => wanted.toLowerCase().includes(m.name.toLowerCase().split(' ')[0]!));
    add(
      installed
        ? { code: 'MIDDLEWARE', status: 'pass', message: ctx.t('dMwInstalled', { wanted, name: installed.name, path: installed.path }) }
        : { code: 'MIDDLEWARE', status: 'warn', message: ctx.t('dMwMissing', { wanted }), advice: ctx.t('advMIDDLEWARE') },
    );
  }
  const report = await collectReport(card, { now: new Date(), warnDays: 30, stateDir: stateDir(ctx.env) });
  const idValid = report.card.atr === null ? null : report.card.idValid;
  add({
    code: 'CARD_ID',
    status: idValid ? 'pass' : 'fail',
    message: ctx.t(idValid ? 'dCardId' : 'dCardIdBad', { id: report.card.id ?? '?' }),
    exit: idValid ? undefined : EXIT.UNSUPPORTED,
    advice: idValid ? undefined : ctx.t('advDATA'),
  });
  const secretCheck = (what: 'PIN' | 'PUK', blockedAdvice: 'advPIN_BLOCKED' | 'advPUK_BLOCKED'): void => {
    const state = what === 'PIN' ? report.pin : report.puk;
    if (state.blocked)
      add({ code: what, status: 'fail', message: ctx.t('dSecretBlocked', { what }), advice: ctx.t(blockedAdvice), exit: EXIT.BLOCKED });
    else if (state.triesLeft === 1)
      add({ code: what, status: 'warn', message: ctx.t('dOneTry', { what }), advice: ctx.t(what === 'PIN' ? 'advPIN_LOW' : 'advPUK_LOW') });
    else
      add({
        code: what,
        status: state.triesLeft === null ? 'warn' : 'pass',
        message: state.triesLeft === null ? ctx.t('dTriesUnknown', { what }) : ctx.t('dTries', { what, n: state.triesLeft }),
      });
  };
  // with the PUK blocked too, unblocking the PIN is no advice: one diagnosis, a new card
  secretCheck('PIN', report.puk.blocked ? 'advPUK_BLOCKED' : 'advPIN_BLOCKED');
  secretCheck('PUK', 'advPUK_BLOCKED');
  // the signature keyset, where the card has one: its certificate and its own PIN/PUK
  const sig = report.signature;
  if (sig) {
    const problem = sig.puk.blocked
      ? 'dSigPukBlocked'
      : sig.pin.blocked
        ? 'dSigPinBlocked'
        : !sig.certificate
          ? 'dSigNoCert'
          : sig.certificate.state === 'expired'
            ? 'dSigExpired'
            : null;
    add({
      code: 'SIGNATURE',
      status: problem ? 'warn' : 'pass',
      message: problem
        ? ctx.t(problem, { date: sig.certificate ? ctx.day(new Date(sig.certificate.notAfter)) : '' })
        : ctx.t('dSigOk', {
            date: ctx.day(new Date(sig.certificate!.notAfter)),
            pin: sig.pin.triesLeft ?? '?',
            puk: sig.puk.triesLeft ?? '?',
          }),
      ...(problem ? { advice: ctx.t(problem === 'dSigPinBlocked' ? 'advSigPin' : 'advSigCert') } : {}),
    });
  }
  const c = report.certificate;
  if (!c) {
    // "ask for a new card" only when the certificate was read and its issuer's signature fails;
    // one not found or not decoded says nothing about the card (a layout this version does not read)
    const damaged = report.problems.some((p) => p.code === 'CERT_SIGNATURE_INVALID');
    const atr = report.card.atr ?? '-';
    add({
      code: 'CERTIFICATE',
      status: 'fail',
      message: damaged ? ctx.t('pr_CERT_SIGNATURE_INVALID') : ctx.t('dCertNone'),
      advice: damaged ? ctx.t('advCERT_DAMAGED') : ctx.t('advCERT_UNREAD', { atr }),
      exit: EXIT.UNSUPPORTED,
    });
  } else if (c.state === 'valid')
    add({ code: 'CERTIFICATE', status: 'pass', message: ctx.t('dCertValid', { date: ctx.day(new Date(c.notAfter)), days: c.daysLeft }) });
  else if (c.state === 'expiring')
    add({
      code: 'CERTIFICATE',
      status: 'warn',
      message: ctx.t('dCertExpiring', { date: ctx.day(new Date(c.notAfter)), days: c.daysLeft }),
      advice: ctx.t('advCERT_EXPIRING'),
    });
  else
    add({
      code: 'CERTIFICATE',
      status: 'fail',
      message:
        c.state === 'expired'
          ? ctx.t('dCertExpired', { date: ctx.day(new Date(c.notAfter)) })
          : ctx.t('dCertNotYet', { date: ctx.day(new Date(c.notBefore)) }),
      // not yet valid: most often the computer's clock, never "ask for a new card"
      advice: c.state === 'expired' ? ctx.t('advCERTIFICATE') : ctx.t('advCERT_NOT_YET', { date: ctx.day(new Date(c.notBefore)) }),
      exit: EXIT.CERT,
    });
  for (const k of report.checks) {
    add({
      code: `DATA_${k.code}`,
      status: k.status === 'skip' ? 'pass' : k.status,
      message: checkText(ctx, k),
      advice: k.status === 'pass' ? undefined : ctx.t('advDATA'),
      exit: k.status === 'fail' ? EXIT.UNSUPPORTED : undefined,
    });
  }
  for (const p of report.problems) {
    // the PIN, PUK and CERTIFICATE checks above say these
    if (STATE_PROBLEMS.has(p.code) || p.code === 'CERT_SIGNATURE_INVALID') continue;
    const write = /^CERT_(HALF_WRITTEN|WRITE_)/.test(p.code);
    add({
      code: p.code,
      status: write ? 'fail' : 'warn',
      message: problemText(ctx, p),
      advice: write ? ctx.t('advCERT_WRITE') : undefined,
      exit: write ? EXIT.UNSUPPORTED : undefined,
    });
  }
  const e = eligibilityFromReport(report, new Date());
  add({
    code: 'EXTENSION',
    status: 'pass',
    message: e.eligible
      ? ctx.t('dExtYes')
      : ctx.t('dExtNo', {
          // the reasons in words (the menu's user reads them); the codes are in extend --check --json
          codes: e.reasons
            .filter((r) => r.ok === false && !r.advisory)
            .map((r) => ruleText(ctx, r))
            .join('; '),
        }),
  });
  return { report, module: installed?.path };
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
  const vals = [
    h.surname,
    h.givenName,
    h.codiceFiscale,
    h.birthDate,
    h.birthMunicipality,
    h.residenceAddress,
    h.residenceMunicipality,
    c?.subject,
    c?.commonName,
    c?.codiceFiscale,
    c?.datiPersonaliHash,
  ];
  return vals.filter((v): v is string => typeof v === 'string' && v.length >= 3);
}

/**
 * One BROWSER check per NSS database of this user: pass when the card's module is registered
 * (and NSS sees the card, where one is in a reader), warn when it is missing or the browser is
 * open, fail when the module is there twice or from a library that cannot load. Read-only.
 */
async function browserChecks(ctx: Context, reports: { reader: string; report: CardReport | null }[]): Promise<DoctorCheck[]> {
  const { browserReport } = await import('../browser/browsers.js');
  const real = reports.find((r) => r.report && !r.reader.startsWith('sim:'))?.report;
  const card = real
    ? {
        middleware: ('middleware' in real.card ? real.card.middleware : null) ?? undefined,
        cardId: real.card.id ?? undefined,
        atr: real.card.atr ?? undefined,
      }
    : undefined;
  const r = browserReport({ card, askNss: !!card });
  const out: DoctorCheck[] = [];
  for (const s of r.databases) {
    const state = s.assessment.state;
    const status: Status =
      state === 'duplicate' || state === 'wrong-path'
        ? 'fail'
        : state === 'missing' || s.db.running || s.seesCard === false
          ? 'warn'
          : 'pass';
    out.push({
      code: 'BROWSER',
      status,
      message: `${databaseTitle(ctx, s.db)}: ${databaseText(ctx, s)}`,
      ...(status === 'pass' ? {} : { advice: ctx.t(state === 'duplicate' ? 'advBrowserDuplicate' : 'advBrowser') }),
      ...(status === 'fail' ? { exit: EXIT.NO_SERVICE } : {}),
    });
  }
  // Chrome and Edge on Windows: the card's minidriver (no NSS database there)
  if (r.store) {
    const { ok, text } = storeText(ctx, r.store, card?.middleware);
    out.push({ code: 'BROWSER', status: ok ? 'pass' : 'warn', message: `${ctx.t('brStore')}: ${text}` });
  }
  // only Linux needs NSS's tools (Windows and macOS: cns writes pkcs11.txt itself)
  if (r.databases.length && !r.nssTools && r.platform === 'linux')
    out.push({ code: 'NSS_TOOLS', status: 'warn', message: ctx.t('brNssTools'), advice: ctx.t('NSS_TOOLS_MISSING') });
  return out;
}

/**
 * The ticket's text without what names the holder or the user: the holder's values in any letter
 * case (a file named Verdi-Giuseppe.json), the home folder however it is written (with a trailing
 * slash, through a link) as ~, and any other user's folder under /home or /Users (run with sudo,
 * HOME is root's) as [user].
 */
export function redactTicket(text: string, secrets: string[], home: string): string {
  const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const json = (s: string): string => JSON.stringify(s).slice(1, -1);
  const homes = new Set<string>();
  const trimmed = home.replace(/\/+$/, '');
  if (trimmed.length > 1) {
    homes.add(trimmed);
    try {
      homes.add(realpathSync(trimmed));
    } catch {
      // a home that does not exist: its name as given is all there is
    }
  }
  // the home first: its own name may be the holder's
  let out = text;
  for (const h of [...homes].sort((a, b) => b.length - a.length)) out = out.split(json(h)).join('~');
  out = out.replace(/(\/(?:home|Users)\/)[^/"\\]+/g, '$1[user]');
  for (const v of [...new Set(secrets)].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length))
    out = out.replace(new RegExp(escapeRe(json(v)), 'gi'), '[redacted]');
  return out;
}

export async function doctorCommand(
  ctx: Context,
  o: { report?: string; allReaders?: boolean; salt?: string; redactIds?: boolean; force?: boolean },
): Promise<number> {
  // a ticket never replaces a file unasked (as cert export): said before any check runs
  if (o.report) {
    refuseFolder(o.report, '--report');
    if (!o.force && existsSync(o.report)) throw new CliError('FILE_EXISTS', { path: o.report });
  }
  const checks: DoctorCheck[] = [];
  const reports: { reader: string; report: CardReport | null; module?: string; atr?: { atr: string; model: string } }[] = [];
  const spec = parseReaderSpec(ctx.reader, ctx.env);
  let mods: { name: string; path: string }[] = [];
  const diagnose = async (open: () => Promise<OpenCard>, name: string): Promise<void> => {
    const local: DoctorCheck[] = [];
    let found: Awaited<ReturnType<typeof cardChecks>> = { report: null };
    try {
      const { card, close } = await open();
      try {
        found = await cardChecks(ctx, card, mods, local);
      } finally {
        await close();
      }
    } catch (e) {
      // a mute card, a busy one and one that cannot be told apart each get their own words and
      // advice; "not supported" only for a card that answered and is not one this tool reads
      const { error: ce, text } = describeError(ctx, e);
      const present = deviceFault(e) !== 'no-card';
      const advice: MessageKey = !present
        ? 'advCARD_PRESENT'
        : ce.code === 'CARD_BUSY'
          ? 'advCARD_BUSY'
          : ce.code === 'CARD_NOT_ANSWERING'
            ? 'advCARD_NOT_ANSWERING'
            : ce.code === 'CARD_REMOVED'
              ? 'advCARD_PRESENT'
              : 'advATR';
      local.push({
        code: present ? 'CARD_READ' : 'CARD_PRESENT',
        status: 'fail',
        message: text,
        advice: ctx.t(advice),
        exit: EXIT_FOR[ce.code],
        reader: name,
      });
    }
    checks.push(...local);
    reports.push({ reader: name, ...found });
  };
  const opening = { tracer: ctx.tracer, env: ctx.env, anyCard: true };
  if (spec.kind === 'sim') {
    checks.push(versionsCheck());
    mods = await modulesCheck(ctx, checks);
    await diagnose(() => openCard({ ...opening, reader: ctx.reader }), `sim:${spec.path}`);
  } else {
    const names = await environmentChecks(ctx, checks);
    mods = await modulesCheck(ctx, checks);
    if (names?.length) {
      const targets = await readersToExamine(spec.name, !!o.allReaders);
      if (!o.allReaders && targets.length === 0)
        checks.push({
          code: 'CARD_PRESENT',
          status: 'fail',
          message: ctx.t('dNoCardAnywhere'),
          advice: ctx.t('advCARD_PRESENT'),
          exit: EXIT.NO_CARD,
        });
      // every reader at once: each has its own context and exclusive connection
      await Promise.all(targets.map((name) => diagnose(() => openNamedReader(name, opening), name)));
    }
  }
  // The module connects to every card itself: ask it once no reader is held by us any more.
  for (const { reader, module } of reports) {
    if (module !== undefined && !reader.startsWith('sim:')) checks.push({ ...(await moduleSeesCard(ctx, module, reader)), reader });
  }
  checks.push(...(await browserChecks(ctx, reports)));
  const failed = checks.find((c) => c.status === 'fail');
  const exit = failed?.exit ?? (failed ? EXIT.INTERNAL : 0);
  if (o.report) {
    const salt = reportSalt(ctx, o.salt);
    const hash = (v: string): string => createHash('sha256').update(salt).update(v.toUpperCase()).digest('hex');
    // the card id and the certificate serial identify the holder to whoever holds the card
    // database: with --redact-ids they are salted hashes too, and gone from every message
    const ids = (r: CardReport): string[] => (o.redactIds ? [r.card.id, r.certificate?.serialNumber].filter((v): v is string => !!v) : []);
    const secrets = reports.flatMap((r) => (r.report ? [...personalValues(r.report), ...ids(r.report)] : []));
    const id = (v: string | null | undefined): string | null => (v ? (o.redactIds ? hash(v) : v) : null);
    const ticket = {
      schemaVersion: 1,
      kind: 'cns-doctor-report',
      generatedAt: new Date().toISOString(),
      tool: { name: 'cns', version: VERSION },
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      exitCode: exit,
      redactedIds: !!o.redactIds,
      // what the codice fiscale says of the holder (sex, birth date and place) is theirs: the
      // check says only whether it agrees with the card (issue 23 item 12)
      checks: checks.map((c) => (c.code === 'DATA_CF_DATA_MATCH' ? { ...c, message: '[redacted]' } : c)),
      cards: reports.map(({ reader, report: r, atr }) => ({
        reader,
        atr: r?.card.atr ?? atr?.atr ?? null,
        model: r?.card.model ?? atr?.model ?? null,
        cardId: id(r?.card.id),
        certificate: r?.certificate
          ? {
              serialNumber: id(r.certificate.serialNumber),
              issuer: r.certificate.issuer,
              notBefore: r.certificate.notBefore,
              notAfter: r.certificate.notAfter,
              state: r.certificate.state,
              daysLeft: r.certificate.daysLeft,
            }
          : null,
        pin: r?.pin ?? null,
        puk: r?.puk ?? null,
        // who it is, only as a salted hash: two reports of the same holder match, nobody can read it
        holderHash: r?.holder?.codiceFiscale ? hash(String(r.holder.codiceFiscale)) : null,
      })),
    };
    let text = JSON.stringify(ticket, null, 2);
    text = redactTicket(text, secrets, ctx.env.HOME ?? homedir());
    try {
      writeFileAtomic(o.report, `${text}\n`, 0o644);
    } catch (e) {
      throw new CliError('IO_ERROR', { op: 'write', path: o.report, detail: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }
  const failedCodes = checks.filter((c) => c.status === 'fail').map((c) => c.code);
  const verdict = failed ? new CliError('CHECKS_FAILED', { codes: failedCodes.join(', '), first: failed.message }) : undefined;
  outcome(ctx, { checks, ...(o.report ? { report: o.report } : {}) }, verdict, exit);
  if (!ctx.json) {
    for (const c of checks) {
      const mark = c.status === 'pass' ? ctx.c.green('✓') : c.status === 'warn' ? ctx.c.yellow('!') : ctx.c.red('✗');
      // the menu's user reads what was found and what to do: no check codes, no reader paths
      if (ctx.guided) ctx.print(`${mark} ${c.message}`);
      else
        ctx.print(
          `${mark} ${c.code.padEnd(24)} ${c.reader && c.reader !== checks[0]?.reader ? ctx.c.dim(`[${c.reader}] `) : ''}${c.message}`,
        );
      if (c.advice && c.status !== 'pass') ctx.print(`  ${ctx.c.dim('→')} ${c.advice}`);
    }
    if (o.report) ctx.note(ctx.t('dReportWritten', { path: o.report }));
  }
  return exit;
}
