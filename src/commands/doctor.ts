import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Context } from '../cli/context.js';
import { doctorChecks, printDoctor } from '../cli/doctorText.js';
import { CliError, refuseFolder } from '../cli/errors.js';
import { EXIT } from '../cli/exitCodes.js';
import { outcome } from '../cli/render.js';
import { VERSION } from '../cli/version.js';
import { stateDir } from '../device/paths.js';
import { diagnose } from '../report/diagnose.js';
import { doctorTicket, installationSalt } from '../report/ticket.js';
import { writeFileAtomic } from '../util/fs.js';

export type { DoctorCheck } from '../cli/doctorText.js';
export { redactTicket } from '../report/ticket.js';

/**
 * `cns doctor`: a read-only diagnosis for help desks. Never asks for a PIN; every check is
 * pass / warn / fail with a stable code and advice in Italian and English; exits with the code
 * of the most fundamental failure. `--report FILE` writes a JSON ticket without personal data.
 * The judgement is the library's (report/diagnose.ts); this says it and picks the exit code.
 */
export async function doctorCommand(
  ctx: Context,
  o: { report?: string; allReaders?: boolean; salt?: string; redactIds?: boolean; force?: boolean },
): Promise<number> {
  // a ticket never replaces a file unasked (as cert export): said before any check runs
  if (o.report) {
    refuseFolder(o.report, '--report');
    if (!o.force && existsSync(o.report)) throw new CliError('FILE_EXISTS', { path: o.report });
  }
  const d = await diagnose({ reader: ctx.reader, allReaders: o.allReaders, env: ctx.env, tracer: ctx.tracer, stateDir: stateDir(ctx.env) });
  const checks = doctorChecks(ctx, d.checks);
  const failed = checks.find((c) => c.status === 'fail');
  const exit = failed?.exit ?? (failed ? EXIT.INTERNAL : 0);
  if (o.report) {
    // a salt of this installation, so that two tickets of the same card carry the same hashes
    const salt = o.salt || ctx.env.CNS_REPORT_SALT || installationSalt(stateDir(ctx.env));
    const text = doctorTicket(d, {
      checks,
      exitCode: exit,
      tool: { name: 'cns', version: VERSION },
      salt,
      redactIds: o.redactIds,
      home: ctx.env.HOME ?? homedir(),
    });
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
    printDoctor(ctx, checks);
    if (o.report) ctx.note(ctx.t('dReportWritten', { path: o.report }));
  }
  return exit;
}
