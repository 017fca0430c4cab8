import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cns, tempDir } from '../helpers.js';
import { haveTool, TmuxSession } from '../tmux.js';

/**
 * Issue 22 item 10: keys typed before the PIN prompt appears (the card is slow to read) are
 * neither echoed on the screen nor taken as the PIN.
 */
let s: TmuxSession | undefined;
afterEach(() => {
  s?.kill();
  s = undefined;
});

describe.skipIf(!haveTool('tmux'))('type-ahead before a PIN prompt', () => {
  it('is not shown and not used: the PIN is what is typed at the prompt', async () => {
    const img = join(tempDir('cns-typeahead-'), 'card.json');
    expect((await cns(['sim', 'create', img])).code).toBe(0);
    s = new TmuxSession(`${process.execPath} ${BIN} pin verify --reader sim:${img}`, {
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
      CNS_SIM_APDU_DELAY_MS: '1500',
    });
    // typed at once, while the card's first answer is still 1.5 s away
    await new Promise((r) => setTimeout(r, 300));
    s.type('97531');
    await s.waitFor(/^\? PIN/m);
    expect(s.screen()).not.toContain('97531');
    s.type('12345');
    const done = await s.waitFor(/PIN correct|PIN corretto/, 15000);
    expect(done).not.toContain('97531');
    const j = JSON.parse(readFileSync(img, 'utf8'));
    expect(j.pin.triesLeft).toBe(3);
  });
});
