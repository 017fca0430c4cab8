import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers.js';
import { haveTool, TmuxSession } from '../tmux.js';
import { imageCounters, makeCard, STACK_OK, stack } from './stack.js';

/** Issue 23 item 4, through pcscd: the card pulled at the PIN prompt, then the PIN typed. */
describe.skipIf(!STACK_OK || !haveTool('tmux'))('a card pulled at the PIN prompt', () => {
  let s: TmuxSession | undefined;
  afterEach(async () => {
    s?.kill();
    await stack.detach(35963);
  });

  it('says the card was removed before the PIN was sent (Italian), and the tries are untouched', async () => {
    const img = await makeCard();
    await stack.attach(img);
    s = new TmuxSession(`${process.execPath} ${BIN} --lang it pin verify`, { NO_COLOR: '1', LANG: 'C.UTF-8' });
    await s.waitFor(/^\? PIN/m);
    await stack.detach(35963);
    await new Promise((r) => setTimeout(r, 1000)); // pcscd polls the virtual reader every ~400 ms
    s.type('12345');
    const out = await s.waitFor(/EXIT=\d+/, 15000);
    expect(out).toMatch(/prima che il PIN fosse inviato/);
    expect(out).not.toMatch(/sconosciuto/);
    expect(out).toMatch(/EXIT=6/);
    expect(imageCounters(img).pin).toBe(3);
  });
});
