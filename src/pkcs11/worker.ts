/**
 * The PKCS#11 worker: a child process that loads the module (through koffi, ffi.ts) and answers
 * the CLI's requests. A module that crashes or hangs takes only this process down; the CLI
 * notices and says so. Its calls are synchronous: nothing else loads the module.
 */
import { printable } from '../util/text.js';
import { CKA, CKF_TOKEN_PRESENT, CKO, CKU, Pkcs11Module, type SlotFacts } from './ffi.js';
import type { Envelope, Reply, Request, SlotInfo } from './protocol.js';

let mod: Pkcs11Module | undefined;
let slots: SlotFacts[] = [];
const sessions = new Map<number, number>();

function ckrName(e: unknown): string | null {
  const m = /\b(CKR_[A-Z0-9_]+)\b/.exec(e instanceof Error ? e.message : String(e));
  return m ? m[1]! : null;
}

function loaded(): Pkcs11Module {
  if (!mod) throw new Error('the module is not open');
  return mod;
}

function slotOf(index: number): SlotFacts {
  const sl = slots[index];
  if (!sl) throw new Error(`no slot ${index}`);
  return sl;
}

function session(slot: number): number {
  let s = sessions.get(slot);
  if (s === undefined) {
    s = loaded().openSession(slotOf(slot).id);
    sessions.set(slot, s);
  }
  return s;
}

function slotInfo(sl: SlotFacts, index: number): SlotInfo {
  const present = (sl.flags & CKF_TOKEN_PRESENT) !== 0;
  let token: SlotInfo['token'] = null;
  let tokenError: string | null = null;
  if (present) {
    try {
      const t = loaded().token(sl.id);
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
    slotId: sl.id.toString(16).padStart(16, '0'),
    description: printable(sl.description).trim(),
    manufacturerID: printable(sl.manufacturerID).trim(),
    tokenPresent: present,
    token,
    tokenError,
  };
}

function handle(req: Request): unknown {
  switch (req.op) {
    case 'open': {
      mod = new Pkcs11Module(req.module);
      mod.initialize();
      slots = mod.slots();
      const info = mod.info();
      return { description: info.libraryDescription.trim(), manufacturerID: info.manufacturerID.trim() };
    }
    case 'slots':
      return slots.map((s, i) => slotInfo(s, i));
    case 'tokenFlags':
      return loaded().token(slotOf(req.slot).id).flags;
    case 'certs': {
      const m = loaded();
      const s = session(req.slot);
      return m.find(s, CKO.CERTIFICATE).map((o) => {
        const [id, label, value] = m.attributes(s, o, [CKA.ID, CKA.LABEL, CKA.VALUE]);
        return { id: id ? id.toString('hex') : '', label: label ? label.toString('utf8') : '', value: value ?? Buffer.alloc(0) };
      });
    }
    case 'login':
      loaded().login(session(req.slot), req.user === 'so' ? CKU.SO : CKU.USER, req.pin);
      return true;
    case 'setPin':
      loaded().setPin(session(req.slot), req.oldPin, req.newPin);
      return true;
    case 'initPin': {
      const m = loaded();
      const s = session(req.slot);
      m.login(s, CKU.SO, req.soPin);
      try {
        m.initPin(s, req.newPin);
      } finally {
        try {
          m.logout(s);
        } catch {
          /* the outcome of initPin is what counts */
        }
      }
      return true;
    }
    case 'sign': {
      const m = loaded();
      const s = session(req.slot);
      const keys = m.find(s, CKO.PRIVATE_KEY);
      if (keys.length === 0) throw new Error('no private key object on the token');
      return m.sign(s, req.mechanism, keys[0]!, Buffer.from(req.data));
    }
    case 'close':
      for (const s of sessions.values()) {
        try {
          mod?.closeSession(s);
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
