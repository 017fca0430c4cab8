import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers.js';
import { haveTool, TmuxSession } from '../tmux.js';
import { makeCard, READER0, READER1, STACK_OK, stack } from './stack.js';

/** The guided menu with real readers: a card in each, the citizen picks the Tessera Sanitaria. */
describe.skipIf(!STACK_OK || !haveTool('tmux'))('guided menu with cards in two readers', () => {
  let session: TmuxSession | undefined;
  afterEach(async () => {
    session?.kill();
    await stack.detach(35963);
    await stack.detach(35964);
  });

  it('asks which reader (Italian), then shows the card in the reader picked', async () => {
    await stack.attach(await makeCard('--surname', 'ROSSI'), 35963);
    await stack.attach(await makeCard('--surname', 'BIANCHI', '--codice-fiscale', 'BNCMRA80A01H501A'), 35964);
    session = new TmuxSession(`${process.execPath} ${BIN} --lang it`, { NO_COLOR: '1', LANG: 'C.UTF-8' });
    const s = await session.waitFor(/in quale c'è la Tessera Sanitaria\?/);
    expect(s).toContain(READER0);
    expect(s).toContain(READER1);
    session.keys('Down');
    session.keys('Enter');
    const menu = await session.waitFor(/Cosa vuoi fare\?/);
    expect(menu).toMatch(/MARIO BIANCHI/);
    session.keys('C-c');
    await session.waitFor(/Arrivederci\./);
  });

  it('Ctrl-C while the card is read again after an action leaves, not back to the menu', async () => {
    // a slow card (100 ms an answer): the summary read after the action lasts ~2 s
    await stack.attach(await makeCard(), 35963, ['--latency', '100']);
    session = new TmuxSession(`${process.execPath} ${BIN} --lang it`, { NO_COLOR: '1', LANG: 'C.UTF-8' });
    await session.waitFor(/Cosa vuoi fare\?/, 30_000);
    for (let i = 0; i < 3; i++) session.keys('Down');
    session.keys('Enter'); // Mostra il certificato
    await session.waitFor(/RSA 2048/, 30_000);
    session.keys('C-c');
    const end = await session.waitFor(/Arrivederci\./, 15_000);
    // the menu did not come back after the certificate
    expect(end.slice(end.indexOf('RSA 2048'))).not.toMatch(/\? Cosa vuoi fare\?/);
  });
});
