import { afterAll, beforeAll, beforeEach } from 'vitest';
import * as pinpad from '../../scripts/pinpad-stack.mjs';
import { makeCard } from './stack.js';

/**
 * A describe block on the PIN-pad stack (scripts/pinpad-stack.mjs): its own pcscd started once
 * (the shared one back afterwards), a fresh card in `reader` before each test, the reader's log
 * cleared. Returns the current card's image.
 */
export function usePadStack(reader: number): () => string {
  let img = '';
  beforeAll(async () => {
    await pinpad.start();
  });
  afterAll(async () => {
    await pinpad.stop();
  });
  beforeEach(async () => {
    img = await makeCard();
    await pinpad.attach(img, reader);
    pinpad.clearLog(reader);
  });
  return () => img;
}
