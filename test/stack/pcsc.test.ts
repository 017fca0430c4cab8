import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cns } from '../helpers.js';
import { schemaErrors } from '../schema.js';
import { imageCertificate, imageCounters, makeCard, READER0, READER1, STACK_OK, stack, watch } from './stack.js';

const verify = (pin: string, ...extra: string[]) => cns(['pin', 'verify', '--stdin', '--json', ...extra], { input: `${pin}\n` });

describe.skipIf(!STACK_OK)('through pcscd and a vpcd reader', () => {
  afterEach(async () => {
    await stack.detach(35963);
    await stack.detach(35964);
  });
  afterAll(async () => {
    await stack.startPcscd();
  });

  it('status finds the only CNS without --reader and matches the in-process card', async () => {
    const img = await makeCard('--card-id', '5000000000000009');
    const direct = await cns(['status', '--reader', `sim:${img}`, '--json']);
    await stack.attach(img);
    for (const reader of [undefined, READER0, 'pcd 00 00', '0']) {
      const r = await cns(['status', '--json', ...(reader ? ['--reader', reader] : [])]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.reader).toBe(READER0);
      const { reader: _a, ...viaPcsc } = r.json;
      const { reader: _b, ...inProcess } = direct.json;
      // the reference date of the extension rules is "now" in each run
      expect({ ...viaPcsc, extension: { ...viaPcsc.extension, at: null } }).toEqual({
        ...inProcess,
        extension: { ...inProcess.extension, at: null },
      });
    }
  });

  it('lists readers with the card model, and exports the certificate byte for byte', async () => {
    const img = await makeCard();
    await stack.attach(img);
    const r = await cns(['readers', '--json']);
    expect(r.code).toBe(0);
    expect(schemaErrors('readers', r.json)).toEqual([]);
    expect(r.json.readers).toEqual([
      expect.objectContaining({
        index: 0,
        name: READER0,
        present: true,
        isCns: true,
        atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D',
      }),
      expect.objectContaining({ index: 1, name: READER1, present: false }),
    ]);
    const pem = await cns(['cert', 'export', '--format', 'der']);
    expect(pem.code).toBe(0);
    const exp = await cns(['cert', 'export', '--format', 'pem']);
    expect(exp.stdout).toContain('-----BEGIN CERTIFICATE-----');
    const der = Buffer.from(exp.stdout.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(der.equals(imageCertificate(img))).toBe(true);
  });

  it('runs the lockout sequence with the gate, then unblock and change, all through pcscd', async () => {
    const img = await makeCard();
    await stack.attach(img);
    expect((await verify('11111')).json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 2 });
    expect((await verify('11111')).json.error).toMatchObject({ code: 'PIN_INCORRECT', triesLeft: 1 });
    const gate = await verify('12345');
    expect(gate.code).toBe(9);
    expect(imageCounters(img).pin).toBe(1);
    const last = await verify('11111', '--last-attempt');
    expect(last.code).toBe(4);
    expect(last.json.error).toMatchObject({ code: 'PIN_BLOCKED', triesLeft: 0 });
    const status = await cns(['status', '--json']);
    expect(status.json.pin).toMatchObject({ triesLeft: 0, blocked: true });
    let r = await cns(['pin', 'unblock', '--stdin', '--json'], { input: '87654321\n24680\n' });
    expect(r.json.error).toMatchObject({ code: 'PUK_INCORRECT', triesLeft: 9 });
    r = await cns(['pin', 'unblock', '--stdin', '--json'], { input: '12345678\n24680\n' });
    expect(r.code).toBe(0);
    r = await cns(['pin', 'change', '--env', '--json'], { env: { CNS_PIN: '24680', CNS_NEW_PIN: '13579' } });
    expect(r.code).toBe(0);
    expect(imageCounters(img)).toMatchObject({ pin: 3, puk: 10, pinValue: '13579' });
    r = await verify('13579', '--sign-test');
    expect(r.json.signature).toMatchObject({ verified: true });
  });

  it('with two cards asks which reader, and --reader picks one', async () => {
    const a = await makeCard('--card-id', '5000000000000009');
    const b = await makeCard('--card-id', '5000000000000017');
    await stack.attach(a, 35963);
    await stack.attach(b, 35964);
    let r = await cns(['status', '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('READER_AMBIGUOUS');
    expect(r.json.error.message).toContain(READER1);
    r = await cns(['status', '--json', '--reader', '1']);
    expect(r.json.card.id).toBe('5000000000000017');
    r = await cns(['status', '--json', '--reader', 'Virtual']);
    expect(r.code).toBe(2);
    r = await cns(['status', '--json', '--reader', 'Nonexistent']);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('READER_UNKNOWN');
  });

  it('no card: exit 6; a card pulled out: exit 6, and after a PIN command the outcome is called unknown', async () => {
    let r = await cns(['status', '--json']);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('NO_CARD');
    r = await cns(['status', '--json', '--reader', READER1], { env: { LANG: 'it_IT.UTF-8' } });
    expect(r.code).toBe(6);
    expect(r.json.error.message).toMatch(/nessuna carta/);

    const img = await makeCard();
    // The card leaves the reader on its 2nd APDU: the VERIFY carrying the PIN is never answered.
    await stack.attach(img, 35963, ['--leave-after', '1']);
    r = await verify('12345');
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');
    expect(r.json.error.message).toMatch(/outcome is unknown[\s\S]*cns status/);
    expect(imageCounters(img).pin).toBe(3);

    await stack.attach(img, 35963, ['--leave-after', '4']);
    r = await cns(['status', '--json']);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('CARD_REMOVED');

    await stack.attach(img);
    await stack.detach(35963, 'SIGKILL');
    r = await cns(['status', '--json']);
    expect(r.code).toBe(6);
  });

  it('a card that is not a TS-CNS: exit 7 with the ATR to quote', async () => {
    // a contactless storage-card pseudo-ATR: the ATR does not decide, so its files are read (no
    // PIN); without EF_ID_Carta they are not a CNS's either
    const img = await makeCard('--atr', '3B8F8001804F0CA000000306030001000000006A');
    const j = JSON.parse(readFileSync(img, 'utf8'));
    j.files = j.files.filter((f: { path: string }) => f.path !== '3F00/1000/1003');
    writeFileSync(img, JSON.stringify(j));
    await stack.attach(img);
    const r = await cns(['status', '--json']);
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('CARD_UNSUPPORTED');
    expect(r.json.error.message).toContain('3B8F8001804F0CA000000306030001000000006A');
    const list = await cns(['readers', '--json']);
    expect(list.json.readers[0]).toMatchObject({ present: true, isCns: false, probe: true, contactless: true });
    expect(imageCounters(img).pin).toBe(3);
  });

  it('pcscd not running: exit 5 with the advice to start it; back when it returns', async () => {
    const img = await makeCard();
    await stack.attach(img);
    await stack.stopPcscd();
    for (const args of [['status'], ['readers'], ['pin', 'verify', '--env']]) {
      const r = await cns([...args, '--json'], { env: { CNS_PIN: '12345' } });
      expect(r.code, args.join(' ')).toBe(5);
      expect(r.json.error.code).toBe('PCSC_UNAVAILABLE');
      expect(r.json.error.hint).toMatch(/pcscd/);
    }
    const it = await cns(['readers'], { env: { LANG: 'it_IT.UTF-8' } });
    expect(it.stderr).toMatch(/Avvia il servizio smart card/);
    expect(imageCounters(img).pin).toBe(3);
    await stack.startPcscd();
    // the attached card reconnects to the new pcscd by itself
    const end = Date.now() + 10000;
    let r = await cns(['status', '--json']);
    while (r.code !== 0 && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 200));
      r = await cns(['status', '--json']);
    }
    expect(r.code).toBe(0);
  });

  it('watch: the smart-card service going away ends it with service-lost and exit 5', async () => {
    const w = watch();
    await w.waitFor('reader-added', 2);
    await stack.stopPcscd();
    expect(await w.waitFor('service-lost')).toMatchObject({ event: 'service-lost' });
    expect(await w.stop('SIGCONT')).toBe(5);
    await stack.startPcscd();
  });

  it('watch: one JSON line per event, then a clean exit on SIGTERM; --once exits on insertion', async () => {
    const img = await makeCard('--card-id', '5000000000000009');
    const w = watch();
    await w.waitFor('reader-added', 2);
    await stack.attach(img, 35964);
    const ins = await w.waitFor('card-inserted');
    expect(ins).toMatchObject({
      reader: READER1,
      isCns: true,
      cardId: '5000000000000009',
      atr: '3BFF1800FF8131FE55006B02091617011101434E531131808D',
    });
    await stack.detach(35964);
    expect(await w.waitFor('card-removed')).toMatchObject({ reader: READER1 });
    expect(await w.stop('SIGTERM')).toBe(0);
    expect(w.lines().map((l) => l.event)).toEqual(['reader-added', 'reader-added', 'card-inserted', 'card-removed']);
    for (const line of w.lines()) expect(schemaErrors('watch-event', line)).toEqual([]);

    const once = watch(['--once']);
    await new Promise((r) => setTimeout(r, 500));
    await stack.attach(img, 35963);
    expect(await once.stop('SIGCONT')).toBe(0);
    expect(once.lines()).toEqual([expect.objectContaining({ event: 'card-inserted', reader: READER0 })]);
    // a card already in (issue 23 item 10): reported at once, no insertion waited for
    const now = watch(['--once']);
    const present = await now.waitFor('card-present');
    expect(present).toMatchObject({ reader: READER0, isCns: true, cardId: '5000000000000009' });
    expect(await now.stop('SIGCONT')).toBe(0);
    expect(now.lines()).toHaveLength(1);
  });
});
