import { existsSync } from 'node:fs';
import { decodeAtr } from '../card/atr.js';
import type { Context } from '../cli/context.js';
import { ErrorWithData } from '../cli/errors.js';
import type { PinPadInfo } from '../device/open.js';
import { readerStates } from '../device/open.js';
import { demoImagePath } from '../device/paths.js';
import { readSmallFile } from '../util/fs.js';
import { hexPairs } from '../util/text.js';

export interface ReaderJson {
  index: number | null;
  name: string;
  present: boolean;
  atr: string | null;
  model: string | null;
  isCns: boolean | null;
  /** The ATR does not decide: `cns status` reads the card's files (read-only) to tell. */
  probe: boolean;
  /** A contactless (NFC) interface: a PC/SC pseudo-ATR. */
  contactless: boolean;
  /** Positively not a CNS: cie, or another card. */
  reason: 'cie' | 'not-cns' | 'malformed' | null;
  generation: string | null;
  /** What a known ATR is on: a TS-CNS, another card carrying a CNS, a signature device (null: not in the list). */
  kind: 'ts-cns' | 'other-cns' | 'signature-device' | null;
  inUse: boolean;
  exclusive: boolean;
  mute: boolean;
  /** The reader's keypad for secure PIN entry, or null. */
  pinpad: PinPadInfo | null;
}

/** Whether the demo card still has the PIN and PUK it was made with (the image is read, nothing shown). */
function demoSecretsPristine(path: string): boolean {
  try {
    const j = JSON.parse(readSmallFile(path, 4 * 1024 * 1024)) as { pin?: { value?: unknown }; puk?: { value?: unknown } };
    return j.pin?.value === '12345' && j.puk?.value === '12345678';
  } catch {
    return false;
  }
}

/** `cns readers`: every PC/SC reader, whether a card is in it and what it is; plus `sim`. */
function simLine(ctx: Context, pristine: boolean, demo: string, image: string): string {
  return ` -  ${'sim'.padEnd(28)} ${ctx.c.dim(`${ctx.t(pristine ? 'readerSim' : 'readerSimChanged', { path: demo })} (${image})`)}`;
}

export async function readersCommand(ctx: Context): Promise<number> {
  const demo = demoImagePath(ctx.env);
  const exists = existsSync(demo);
  // the demo's PIN and PUK are told only while they are still the ones it was made with
  const pristine = !exists || demoSecretsPristine(demo);
  const sim = {
    name: 'sim',
    image: demo,
    exists,
    defaultSecrets: pristine,
    // in the user's language, as every message of a JSON document
    note: pristine ? ctx.t('readerSim') : ctx.t('readerSimChanged', { path: demo }),
  };
  let readers: ReaderJson[];
  try {
    readers = (await readerStates({ pinpads: true })).map((r) => {
      const info = r.atr ? decodeAtr(r.atr) : undefined;
      return {
        index: r.index,
        name: r.name,
        present: r.present,
        atr: info?.atr ?? null,
        model: info ? info.model : null,
        isCns: info ? info.isCns : null,
        probe: info?.probe ?? false,
        contactless: info?.contactless ?? false,
        reason: info?.reason ?? null,
        generation: info?.generation ?? null,
        kind: info?.kind ?? null,
        inUse: r.inUse,
        exclusive: r.exclusive,
        mute: r.mute,
        pinpad: r.pinpad ?? null,
      };
    });
  } catch (e) {
    // The service being down is the answer to "which readers?": say it, exit 5, still name `sim`
    // (on stdout too: the virtual card is a reader the user can still use)
    ctx.print(simLine(ctx, pristine, demo, sim.image));
    const { discoverModules } = await import('../pkcs11/modules.js');
    throw new ErrorWithData(e, {}, undefined, { readers: [], sim, pkcs11Modules: discoverModules() });
  }
  const { discoverModules } = await import('../pkcs11/modules.js');
  const pkcs11Modules = discoverModules();
  ctx.result({ readers, sim, pkcs11Modules });
  if (!ctx.json) {
    if (readers.length === 0) ctx.print(ctx.t('NO_READER'));
    for (const r of readers) {
      const what = !r.present
        ? ctx.c.dim(ctx.t('readerEmpty'))
        : r.mute
          ? ctx.c.red(ctx.t('readerMute'))
          : r.isCns
            ? ctx.c.green(`${r.model ?? ''}${r.contactless ? ` · ${ctx.t('readerNfc')}` : ''}`)
            : r.probe
              ? ctx.c.yellow(ctx.t('readerMaybe'))
              : ctx.c.yellow(r.reason === 'cie' ? ctx.t('readerCie') : ctx.t('notCns'));
      ctx.print(`${String(r.index).padStart(2)}  ${r.name.padEnd(28)} ${what}${r.inUse ? ctx.c.dim(` (${ctx.t('readerInUse')})`) : ''}`);
      if (r.pinpad) ctx.print(`    ${ctx.c.dim(ctx.t(r.pinpad.modify ? 'readerPinpadModify' : 'readerPinpad'))}`);
      if (r.atr) ctx.print(`    ATR ${hexPairs(r.atr)}`);
    }
    ctx.print(simLine(ctx, pristine, demo, sim.image));
    for (const m of pkcs11Modules) ctx.print(`    PKCS#11 ${m.name.padEnd(20)} ${ctx.c.dim(m.path)}`);
  }
  return 0;
}
