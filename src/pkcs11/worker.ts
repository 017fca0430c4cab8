/**
 * The PKCS#11 worker: a child process that loads the module with graphene-pk11 and answers the
 * CLI's requests. A module that crashes or hangs takes only this process down; the CLI notices
 * and says so. graphene is synchronous and heavy: nothing else loads it.
 */
import { createRequire } from 'node:module';
import { printable } from '../util/text.js';
import type { Envelope, Reply, Request, SlotInfo } from './protocol.js';

type Graphene = typeof import('graphene-pk11');
type Module = import('graphene-pk11').Module;
type Session = import('graphene-pk11').Session;
type Slot = import('graphene-pk11').Slot;

const require = createRequire(import.meta.url);
let g: Graphene;
let mod: Module | undefined;
let slots: Slot[] = [];
const sessions = new Map<number, Session>();

function ckrName(e: unknown): string | null {
  const m = /\b(CKR_[A-Z_]+)\b/.exec(e instanceof Error ? e.message : String(e));
  return m ? m[1]! : null;
}

function session(slot: number): Session {
  let s = sessions.get(slot);
  if (!s) {
    const sl = slots[slot];
    if (!sl) throw new Error(`no slot ${slot}`);
    s = sl.open(g.SessionFlag.SERIAL_SESSION | g.SessionFlag.RW_SESSION);
    sessions.set(slot, s);
  }
  return s;
}

function slotInfo(sl: Slot, index: number): SlotInfo {
  const present = (sl.flags & g.SlotFlag.TOKEN_PRESENT) !== 0;
  let token: SlotInfo['token'] = null;
  let tokenError: string | null = null;
  if (present) {
    try {
      const t = sl.getToken();
      token = {
        label: printable(t.label).trim(),
        manufacturerID: printable(t.manufacturerID).trim(),
        model: printable(t.model).trim(),
        serialNumber: printable(t.serialNumber).trim(),
        flags: t.flags,
        minPinLen: t.minPinLen,
        maxPinLen: t.maxPinLen,
      };
    } catch (e) {
      tokenError = ckrName(e) ?? (e as Error).message;
    }
  }
  return {
    index,
    slotId: sl.handle.toString('hex'),
    description: printable(sl.slotDescription).trim(),
    manufacturerID: printable(sl.manufacturerID).trim(),
    tokenPresent: present,
    token,
    tokenError,
  };
}

function handle(req: Request): unknown {
  switch (req.op) {
    case 'open': {
      g = require('graphene-pk11') as Graphene;
      mod = g.Module.load(req.module);
      mod.initialize();
      const list = mod.getSlots(false);
      slots = [];
      for (let i = 0; i < list.length; i++) slots.push(list.items(i));
      return { description: mod.libraryDescription.trim(), manufacturerID: mod.manufacturerID.trim() };
    }
    case 'slots':
      return slots.map((s, i) => slotInfo(s, i));
    case 'tokenFlags':
      return slots[req.slot]!.getToken().flags;
    case 'certs': {
      const out: { id: string; label: string; value: Buffer }[] = [];
      const found = session(req.slot).find({ class: g.ObjectClass.CERTIFICATE });
      for (let i = 0; i < found.length; i++) {
        const o = found.items(i);
        const a = o.getAttribute({ id: null, label: null, value: null }) as { id?: Buffer; label?: string; value?: Buffer };
        out.push({ id: a.id ? a.id.toString('hex') : '', label: a.label ?? '', value: a.value ?? Buffer.alloc(0) });
      }
      return out;
    }
    case 'login':
      session(req.slot).login(req.pin, req.user === 'so' ? g.UserType.SO : g.UserType.USER);
      return true;
    case 'setPin':
      session(req.slot).setPin(req.oldPin, req.newPin);
      return true;
    case 'initPin': {
      const s = session(req.slot);
      s.login(req.soPin, g.UserType.SO);
      try {
        s.initPin(req.newPin);
      } finally {
        try {
          s.logout();
        } catch {
          /* the outcome of initPin is what counts */
        }
      }
      return true;
    }
    case 'sign': {
      const s = session(req.slot);
      const keys = s.find({ class: g.ObjectClass.PRIVATE_KEY });
      if (keys.length === 0) throw new Error('no private key object on the token');
      return s.createSign(req.mechanism, keys.items(0).toType()).once(req.data);
    }
    case 'close':
      for (const s of sessions.values()) {
        try {
          s.close();
        } catch {
          /* closing anyway */
        }
      }
      sessions.clear();
      try {
        mod?.finalize();
      } catch {
        /* closing anyway */
      }
      setImmediate(() => process.exit(0));
      return true;
  }
}

process.on('message', (m: Envelope) => {
  let reply: Reply;
  try {
    reply = { id: m.id, ok: true, value: handle(m.req) };
  } catch (e) {
    reply = { id: m.id, ok: false, error: { ckr: ckrName(e), message: e instanceof Error ? e.message : String(e) } };
  }
  process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
