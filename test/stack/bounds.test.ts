import { afterEach, describe, expect, it } from 'vitest';
import { makeCard, READER0, STACK_OK, stack, watch } from './stack.js';

describe.skipIf(!STACK_OK)('a card that never answers (bounded PC/SC calls)', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('watch reports the insertion without the card id, and still ends on SIGTERM', async () => {
    const img = await makeCard();
    const w = watch();
    try {
      await w.waitFor('reader-added', 2);
      await stack.attach(img, 35963, ['--mute-after', '0']);
      // without the APDU deadline (3 s) the card id read would wait forever and no event come
      const ev = await w.waitFor('card-inserted');
      expect(ev).toMatchObject({ reader: READER0, isCns: true, cardId: null });
    } finally {
      // the read that never got an answer must not keep the process alive
      expect(await w.stop('SIGTERM')).toBe(0);
    }
  });
});
