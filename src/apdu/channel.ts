import { type CommandApdu, encodeCommand } from './command.js';
import { ApduError, ApduTransportError, parseResponse, type ResponseApdu } from './response.js';
import { SW } from './status.js';
import type { ApduTracer } from './trace.js';
import type { Transport } from './transport.js';

/** Bound on GET RESPONSE rounds, so a card answering 61xx forever cannot hang us. */
const MAX_CHAINED_RESPONSES = 256;

/**
 * How long one APDU may take before the card counts as not answering. PIN commands and
 * signatures (a 2048-bit RSA on an old chip, a PIN check with its anti-tearing writes) get more
 * time than reads: 30 s and 5 s. CNS_APDU_TIMEOUT_MS sets the short one, the long one is six
 * times it (tests of a mute card).
 */
export function apduDeadlineMs(ins: number, env: NodeJS.ProcessEnv = process.env): number {
  const short = Number(env.CNS_APDU_TIMEOUT_MS) > 0 ? Number(env.CNS_APDU_TIMEOUT_MS) : 5000;
  return SLOW_INS.has(ins) ? short * 6 : short;
}

/**
 * How long one whole conversation with a card may go on (a command, or one action of the guided
 * menu): a card answering each APDU just inside its own limit must not keep a command running for
 * minutes. Checked before each APDU is sent, never during one: a PIN command in flight is always
 * waited for. CNS_COMMAND_TIMEOUT_MS sets it (tests), default 120 s.
 */
export function commandTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.CNS_COMMAND_TIMEOUT_MS) > 0 ? Number(env.CNS_COMMAND_TIMEOUT_MS) : 120_000;
}

/** VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, PERFORM SECURITY OPERATION (ISO 7816-4/-8). */
const SLOW_INS = new Set([0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d, 0x2a]);

export interface ChannelOptions {
  /**
   * The card is known to take extended-length APDUs (OpenSC's rule on its ATR). Only a command
   * that cannot be short uses them; without it such a command is sent by command chaining.
   */
  extendedLength: boolean;
  tracer?: ApduTracer;
  /** When the conversation must have ended (ms since the epoch): no APDU is sent after it. */
  deadline?: number;
}

/** The largest data field of one short command APDU, and so of each link of a chain. */
const SHORT_LC = 255;

/**
 * Sends command APDUs over a transport, with ISO 7816-4 response handling:
 * 61xx -> GET RESPONSE (concatenating data), 6Cxx -> re-send with Le = xx.
 * The re-send on 6Cxx is only done for commands that carry no data field: a PIN command is
 * never sent twice by this layer.
 */
export class ApduChannel {
  constructor(
    readonly transport: Transport,
    private readonly options: ChannelOptions,
  ) {}

  get extendedLength(): boolean {
    return this.options.extendedLength;
  }

  /**
   * Send and check: anything but 9000 (or a status word in `accept`) raises an ApduError
   * carrying the status word and `operation`, so callers handle only the answers they expect.
   */
  async sendOk(cmd: CommandApdu, operation: string, accept: readonly number[] = []): Promise<ResponseApdu> {
    const r = await this.send(cmd);
    if (r.sw !== SW.SUCCESS && !accept.includes(r.sw)) throw new ApduError(r.sw, operation);
    return r;
  }

  async send(cmd: CommandApdu): Promise<ResponseApdu> {
    const lc = cmd.data?.length ?? 0;
    if (lc > SHORT_LC && !this.options.extendedLength) return this.sendChained(cmd);
    let resp = await this.raw(encodeCommand(cmd, this.options.extendedLength));
    if (resp.sw >> 8 === 0x6c && !cmd.data?.length) {
      resp = await this.raw(encodeCommand({ ...cmd, le: resp.sw & 0xff || 256 }, this.options.extendedLength));
    }
    // most answers come whole: their data as parsed (already a copy of its own), not concatenated again
    if (resp.sw >> 8 !== 0x61) return resp;
    const chunks: Buffer[] = [resp.data];
    let rounds = 0;
    while (resp.sw >> 8 === 0x61) {
      if (++rounds > MAX_CHAINED_RESPONSES) {
        throw new ApduTransportError('the card keeps answering 61xx (more data) without end', 'garbage', { id: 'tEndless61' });
      }
      const le = resp.sw & 0xff || 256;
      resp = await this.raw(encodeCommand({ cla: cmd.cla & 0x03, ins: 0xc0, p1: 0, p2: 0, le }, false));
      if (resp.sw >> 8 === 0x6c) {
        resp = await this.raw(encodeCommand({ cla: cmd.cla & 0x03, ins: 0xc0, p1: 0, p2: 0, le: resp.sw & 0xff || 256 }, false));
      }
      chunks.push(resp.data);
    }
    return { data: Buffer.concat(chunks), sw: resp.sw };
  }

  /**
   * ISO 7816-4 command chaining (CLA bit 0x10 on every link but the last), for a data field longer
   * than one short APDU on a card not known to take extended length (OpenSC signs 2048-bit blocks
   * on CNS 1.0 cards this way). Each link must answer 9000; anything else ends the chain and is the
   * answer. Le goes on the last link only, and at most 256 (a short response).
   */
  private async sendChained(cmd: CommandApdu): Promise<ResponseApdu> {
    const data = cmd.data ?? new Uint8Array(0);
    let at = 0;
    while (data.length - at > SHORT_LC) {
      const link = { cla: cmd.cla | 0x10, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: data.subarray(at, at + SHORT_LC) };
      const r = await this.raw(encodeCommand(link, false));
      if (r.sw !== SW.SUCCESS) return r;
      at += SHORT_LC;
    }
    const le = cmd.le === undefined ? undefined : Math.min(cmd.le, 256);
    return this.send({ ...cmd, data: data.subarray(at), le });
  }

  private async raw(bytes: Buffer): Promise<ResponseApdu> {
    const deadline = this.options.deadline;
    if (deadline !== undefined && Date.now() > deadline) {
      const seconds = Math.round(commandTimeoutMs() / 1000);
      throw new ApduTransportError(
        `the card took more than ${seconds} s in all: it answers too slowly`,
        'timeout',
        { id: 'tCommandDeadline', facts: { seconds } },
        true,
      );
    }
    const tracer = this.options.tracer;
    tracer?.command(bytes);
    // timed only when traced: the first performance.now() loads perf_hooks (~1 ms of every start)
    const t0 = tracer ? performance.now() : 0;
    const out = await this.transport.transmit(bytes, apduDeadlineMs(bytes[1] ?? 0));
    tracer?.response(out, performance.now() - t0);
    return parseResponse(out);
  }
}
