import { afterEach, describe, expect, it } from 'vitest';
import { cns } from '../helpers.js';
import { imageCounters, makeCard, opensc, STACK_OK, stack } from './stack.js';

/** A TS-CNS read over NFC, through pcscd: the contactless pseudo-ATR, identified by its files. */
describe.skipIf(!STACK_OK)('a TS-CNS seen through a contactless (NFC) reader, in pcscd', () => {
  afterEach(async () => {
    await stack.detach(35963);
  });

  it('a pseudo-ATR that does not say CNS: identified by its files (read-only), said as NFC, everything works', async () => {
    const img = await makeCard('--contactless');
    await stack.attach(img);
    const s = await cns(['status', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json.card).toMatchObject({ atr: '3B88800100000000038191001A', identifiedBy: 'application', contactless: true, keyBits: 2048 });
    expect(imageCounters(img).pin).toBe(3); // identifying spent nothing
    const it_ = await cns(['--lang', 'it', 'status']);
    expect(it_.stdout).toMatch(/Riconosciuta\s+dai suoi file[\s\S]*senza contatto \(NFC\)/);
    const d = await cns(['doctor', '--json']);
    const byCode = (code: string) => (d.json.checks as { code: string; status: string }[]).find((c) => c.code === code);
    expect(byCode('INTERFACE')?.status).toBe('warn');
    expect(byCode('IDENTIFIED_BY')?.status).toBe('warn');
    const r = await cns(['readers', '--json']);
    expect(r.json.readers[0]).toMatchObject({ isCns: false, probe: true, contactless: true });
    const v = await cns(['pin', 'verify', '--stdin', '--sign-test'], { input: '12345\n' });
    expect(v.code, v.stderr).toBe(0);
    const c = await cns(['pin', 'change', '--stdin'], { input: '12345\n58213\n' });
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/contact slot/);
  });

  it("IDEMIA's contactless TS-CNS: by its ATR for cns; OpenSC binds its CNS driver from 0.24 on", async () => {
    const img = await makeCard('--generation', 'idemia-nfc');
    await stack.attach(img);
    const s = await cns(['status', '--json']);
    expect(s.json.card).toMatchObject({ identifiedBy: 'atr', contactless: true, extendedLength: true });
    // OpenSC added this ATR in 0.24 (card-itacns.c, "Add NFC ATR for Idemia CNS"); Debian 12 has 0.23
    const version = /OpenSC (\d+)\.(\d+)/.exec(opensc('opensc-tool', ['--info']).out);
    const minor = version ? Number(version[1]) * 100 + Number(version[2]) : 0;
    const driver = opensc('opensc-tool', ['--name', '-v']).out;
    if (minor >= 24) {
      expect(driver).toMatch(/Using card driver Italian CNS/);
      // the IDEMIA 2021 layout, which OpenSC gives this ATR (card type IDEMIA_2021)
      expect(opensc('pkcs15-tool', ['--list-certificates']).out).toMatch(/X\.509 Certificate \[CNS1\][\s\S]*Path\s*: 3f00140090012002/);
    } else expect(driver).toMatch(/Unsupported card|Default driver/);
    expect(s.code).toBe(0);
  });
});
