import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { Diagnosis } from './diagnose.js';
import type { CardReport } from './report.js';

/**
 * The doctor's ticket for a help desk: what was checked and what each card is, without what
 * names the holder or the user. The checks come worded by the caller (the ticket is read by
 * people); the library removes the personal values from the whole text.
 */

/** A salt of this installation (kept in the state folder), so that two tickets of the same card carry the same hashes. */
export function installationSalt(stateDir: string): string {
  const file = join(stateDir, 'report-salt');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, randomBytes(32).toString('hex'));
  }
  return readFileSync(file, 'utf8').trim();
}

/** Personal values found in a report, to be kept out of the ticket. */
export function personalValues(r: CardReport): string[] {
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

export interface TicketOptions<C extends { code: string }> {
  /** The checks as the ticket shows them (worded by the caller), in the diagnosis' order. */
  checks: C[];
  exitCode: number;
  tool: { name: string; version: string };
  /** Hashes the holder (and, with redactIds, the card id and certificate serial) with this salt. */
  salt: string;
  /** The card id and certificate serial identify the holder to whoever holds the card database: hashed, and gone from every message. */
  redactIds?: boolean;
  /** The user's home folder, written as ~. */
  home: string;
  now?: Date;
}

/** The ticket as JSON text (schemas/doctor-report.schema.json), redacted. */
export function doctorTicket<C extends { code: string }>(d: Diagnosis, o: TicketOptions<C>): string {
  const hash = (v: string): string => createHash('sha256').update(o.salt).update(v.toUpperCase()).digest('hex');
  const ids = (r: CardReport): string[] => (o.redactIds ? [r.card.id, r.certificate?.serialNumber].filter((v): v is string => !!v) : []);
  const secrets = d.cards.flatMap((r) => (r.report ? [...personalValues(r.report), ...ids(r.report)] : []));
  const id = (v: string | null | undefined): string | null => (v ? (o.redactIds ? hash(v) : v) : null);
  const ticket = {
    schemaVersion: 1,
    kind: 'cns-doctor-report',
    generatedAt: (o.now ?? new Date()).toISOString(),
    tool: o.tool,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    exitCode: o.exitCode,
    redactedIds: !!o.redactIds,
    // what the codice fiscale says of the holder (sex, birth date and place) is theirs: the
    // check says only whether it agrees with the card (issue 23 item 12)
    checks: o.checks.map((c) => (c.code === 'DATA_CF_DATA_MATCH' ? { ...c, message: '[redacted]' } : c)),
    cards: d.cards.map(({ reader, report: r, atr }) => ({
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
  return redactTicket(JSON.stringify(ticket, null, 2), secrets, o.home);
}
