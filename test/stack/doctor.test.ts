import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cns, tempDir } from '../helpers.js';
import { makeCard, READER0, READER1, STACK_OK, stack } from './stack.js';

type Check = { code: string; status: string; reader?: string; advice?: string };

describe.skipIf(!STACK_OK)('cns doctor on the real stack', () => {
  afterEach(async () => {
    await stack.detach(35963);
    await stack.detach(35964);
  });
  afterAll(async () => {
    await stack.startPcscd();
  });

  it('--all-readers diagnoses every card at once; the ticket has no personal data', async () => {
    const good = await makeCard('--surname', 'Verdi', '--given-name', 'Giulia', '--codice-fiscale', 'VRDGLI85M41F205R');
    const old = await makeCard(
      '--not-before',
      '2018-01-01',
      '--not-after',
      '2024-01-01',
      '--pin-tries',
      '1',
      '--surname',
      'Verdi',
      '--given-name',
      'Giulia',
      '--codice-fiscale',
      'VRDGLI85M41F205R',
    );
    await stack.attach(good, 35963);
    await stack.attach(old, 35964);
    const dir = tempDir();
    const report = join(dir, 'ticket.json');
    const r = await cns(['doctor', '--all-readers', '--json', '--report', report, '--salt', 'helpdesk-1']);
    expect(r.code).toBe(8);
    const checks = r.json.checks as Check[];
    expect(checks.find((c) => c.code === 'CERTIFICATE' && c.reader === READER1)).toMatchObject({ status: 'fail' });
    expect(checks.find((c) => c.code === 'PIN' && c.reader === READER1)).toMatchObject({ status: 'warn' });
    expect(checks.find((c) => c.code === 'CERTIFICATE' && c.reader === READER0)).toMatchObject({ status: 'pass' });
    // OpenSC's PKCS#11 module (what a browser loads) sees both cards
    expect(checks.filter((c) => c.code === 'MIDDLEWARE_SEES_CARD').map((c) => c.status)).toEqual(['pass', 'pass']);
    const text = readFileSync(report, 'utf8');
    for (const secret of ['VERDI', 'GIULIA', 'VRDGLI85M41F205R', '1980-01-01', '01011980'])
      expect(text.toUpperCase()).not.toContain(secret);
    const ticket = JSON.parse(text);
    expect(ticket.cards).toHaveLength(2);
    expect(ticket.cards[0].cardId).toMatch(/^\d{16}$/);
    expect(ticket.cards[0].certificate.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(ticket.cards[0].holderHash).toMatch(/^[0-9a-f]{64}$/);
    // same holder, same salt: the two cards match; another salt: another hash
    expect(ticket.cards[1].holderHash).toBe(ticket.cards[0].holderHash);
    const other = join(dir, 'other.json');
    await cns(['doctor', '--reader', '0', '--report', other, '--salt', 'helpdesk-2']);
    expect(JSON.parse(readFileSync(other, 'utf8')).cards[0].holderHash).not.toBe(ticket.cards[0].holderHash);
  });

  it("exit codes: blocked PIN 4, no card 6, pcscd down 5 — with advice in the user's language", async () => {
    const img = await makeCard('--pin-tries', '1');
    await stack.attach(img);
    await cns(['pin', 'verify', '--env', '--last-attempt'], { env: { CNS_PIN: '99999' } });
    let r = await cns(['doctor', '--json']);
    expect(r.code).toBe(4);
    expect((r.json.checks as Check[]).find((c) => c.code === 'PIN')).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('cns pin unblock'),
    });
    await stack.detach(35963);
    r = await cns(['doctor', '--json'], { env: { LANG: 'it_IT.UTF-8' } });
    expect(r.code).toBe(6);
    expect((r.json.checks as Check[]).find((c) => c.code === 'CARD_PRESENT')?.advice).toMatch(/senza chip/);
    await stack.stopPcscd();
    r = await cns(['doctor', '--json']);
    expect(r.code).toBe(5);
    expect((r.json.checks as Check[]).find((c) => c.code === 'PCSCD')).toMatchObject({ status: 'fail' });
  });
});
