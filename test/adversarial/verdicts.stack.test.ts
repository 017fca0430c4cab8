import { afterEach, describe, expect, it } from 'vitest';
import { cns } from '../helpers.js';
import { makeCard, STACK_OK, stack, watch } from '../stack/stack.js';

/** Issue 22 item 16: one verdict everywhere on what a card is. */
describe.skipIf(!STACK_OK)('watch and status agree on a card identified by its files', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('a TS-CNS behind an NFC pseudo-ATR: watch --once says isCns true (by its files) and its card id, as status does', async () => {
    const img = await makeCard('--generation', 'nfc');
    const w = watch(['--once']);
    await new Promise((r) => setTimeout(r, 300));
    await stack.attach(img);
    const e = await w.waitFor('card-inserted');
    expect(await w.stop()).toBe(0);
    const s = await cns(['status', '--json']);
    expect(s.json.card.identifiedBy).toBe('application');
    expect(e).toMatchObject({ isCns: true, identifiedBy: 'application', cardId: s.json.card.id, model: s.json.card.model });
  });

  it('a card whose files are no CNS either: isCns false for both', async () => {
    const img = await makeCard('--atr', '3B88800100000000038191001A', '--key-size', '1024');
    // its files are no CNS's: no card id
    const { readFileSync, writeFileSync } = await import('node:fs');
    const j = JSON.parse(readFileSync(img, 'utf8'));
    j.files = j.files.filter((f: { path: string }) => f.path !== '3F00/1000/1003');
    writeFileSync(img, JSON.stringify(j));
    const w = watch(['--once']);
    await new Promise((r) => setTimeout(r, 300));
    await stack.attach(img);
    const e = await w.waitFor('card-inserted');
    await w.stop();
    expect(e).toMatchObject({ isCns: false, cardId: null });
    expect((await cns(['status', '--json'])).json.error.code).toBe('CARD_UNSUPPORTED');
  });
});
