import { type Stats, statSync } from 'node:fs';
import { ApduTransportError } from '../apdu/response.js';
import type { Transport } from '../apdu/transport.js';
import { writeTarget } from '../util/fs.js';
import { VirtualCard } from './card.js';
import { type CardImage, ImageLock, loadImage, saveImage } from './image.js';
import { ImageError } from './imageError.js';

/**
 * The virtual card in this process, as a transport. The image is locked for as long as the
 * transport is open (as a PC/SC exclusive connection would), re-read when it opens and saved
 * atomically after every change the card makes.
 */
export class SimTransport implements Transport {
  readonly name: string;
  private card: VirtualCard;
  private readonly lock: ImageLock;
  private closed = false;

  private constructor(
    private readonly path: string,
    image: CardImage,
    lock: ImageLock,
  ) {
    this.name = `sim:${path}`;
    this.lock = lock;
    this.card = new VirtualCard(image, (img) => saveImage(this.path, img));
  }

  static open(imagePath: string, lockTimeoutMs?: number): SimTransport {
    // a symbolic link is the card it points to: its lock, its file
    const path = writeTarget(imagePath);
    // a device or a folder named as an image: refused before a lock file is made beside it
    // (`--reader sim:/dev/zero` must not create /dev/zero.lock)
    let st: Stats | undefined;
    try {
      st = statSync(path);
    } catch {
      // missing: loadImage says so
    }
    if (st && !st.isFile()) throw new ImageError(`${path} is not a regular file`, 'foreign', 'not-file', { path });
    // a missing file, or one that is no card image (notes.txt): said without a lock file made
    // beside it; the image is read again, under the lock, below
    loadImage(path);
    const lock = new ImageLock(path, lockTimeoutMs);
    lock.acquire();
    try {
      return new SimTransport(path, loadImage(path), lock);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  atr(): Buffer {
    return this.card.atr;
  }

  /** Fault injection for tests (CNS_SIM_LEAVE_AFTER=N): the card leaves on its N+1-th APDU. */
  private readonly leaveAfter = process.env.CNS_SIM_LEAVE_AFTER !== undefined ? Number(process.env.CNS_SIM_LEAVE_AFTER) : undefined;
  private apdus = 0;
  /** An APDU went unanswered past its deadline: like a card in a reader, nothing more gets through. */
  private stuck = false;
  /** Fault injection for tests (CNS_SIM_APDU_DELAY_MS=N): a slow card, each answer N ms late. */
  private readonly delay = Math.max(0, Number(process.env.CNS_SIM_APDU_DELAY_MS) || 0);

  async transmit(command: Buffer, deadlineMs?: number): Promise<Buffer> {
    // gone (or closed) before this command: it never reached the card
    if (this.closed) throw new ApduTransportError('the virtual card is closed', 'removed', { id: 'tSimClosed' }, true);
    if (this.stuck) throw new ApduTransportError('the card did not answer an earlier command', 'timeout', { id: 'tStuck' });
    if (this.leaveAfter !== undefined && this.apdus >= this.leaveAfter) {
      this.closed = true;
      // it left before this command reached it: nothing was processed
      throw new ApduTransportError(
        `the virtual card left the reader after ${this.apdus} APDUs (fault injection)`,
        'removed',
        { id: 'tSimLeft', facts: { apdus: this.apdus } },
        true,
      );
    }
    this.apdus++;
    if (this.delay) {
      // a slow card meets the same per-APDU deadline as one in a reader: past it, no answer
      if (deadlineMs !== undefined && this.delay > deadlineMs) {
        await new Promise((r) => setTimeout(r, deadlineMs));
        this.stuck = true;
        throw new ApduTransportError(`the card did not answer within ${deadlineMs} ms`, 'timeout', {
          id: 'tTimeout',
          facts: { seconds: Math.round(deadlineMs / 100) / 10 },
        });
      }
      await new Promise((r) => setTimeout(r, this.delay));
    }
    return this.card.transmit(command);
  }

  /** The security state lives in this process only: releasing the image forgets it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lock.release();
  }
}
