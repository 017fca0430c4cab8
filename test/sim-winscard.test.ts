import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listReaders, readReport, withCard } from '../src/api/index.js';
import { createCardImage } from '../src/api/testing.js';
import { useVirtualReader } from '../src/pcsc/simWinscard.js';
import { tempDir } from './helpers.js';

// Issue 27: the build's code-cache training runs the commands through the PC/SC path with the
// library answered in process (src/pcsc/simWinscard.ts). What it trains must be the path a
// command takes with a real reader: the client lists the reader, finds the card, connects, and the
// report reads everything through transmits.
describe('PC/SC answered in process by one reader holding a virtual card', () => {
  it('is found, opened and read as a reader of the system', async () => {
    const image = join(tempDir(), 'card.json');
    await createCardImage(image, { cardId: '5123456789012346' });
    await useVirtualReader(image, 'Training Reader 00 00');
    const readers = await listReaders();
    expect(readers.map((r) => [r.name, r.present, r.pinpad])).toEqual([['Training Reader 00 00', true, null]]);
    const report = await withCard({}, (card) => readReport(card));
    expect(report.reader).toBe('Training Reader 00 00');
    expect('id' in report.card && report.card.id).toBe('5123456789012346');
    expect([report.pin.triesLeft, report.puk.triesLeft]).toEqual([3, 10]);
    expect(report.certificate?.cardId).toBe('5123456789012346');
    expect(report.problems).toEqual([]);
  });
});
