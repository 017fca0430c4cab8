import { afterEach, describe, expect, it } from 'vitest';
import { cns } from '../helpers.js';
import { imageCounters, makeCard, READER0, READER1, STACK_OK, stack, watch } from '../stack/stack.js';

/** Short deadlines (1 s, and 6 s for PIN commands) keep these tests quick; the defaults are 5 s and 30 s. */
const env = { CNS_APDU_TIMEOUT_MS: '1000' };

describe.skipIf(!STACK_OK)('a card that never answers, or answers garbage, through pcscd', () => {
  afterEach(async () => {
    await stack.detach(35963);
    await stack.detach(35964);
  });

  it('status, cert show and doctor end with "the card does not answer" (exit 7), not a hang', async () => {
    const img = await makeCard();
    await stack.attach(img, 35963, ['--mute-after', '1']);
    for (const args of [
      ['status', '--json'],
      ['cert', 'show', '--json'],
    ]) {
      const r = await cns(args, { env });
      expect(r.code, r.stdout + r.stderr).toBe(7);
      expect(r.json.error.code).toBe('CARD_NOT_ANSWERING');
      await stack.attach(img, 35963, ['--mute-after', '1']); // a fresh card: the mute one holds its reader
    }
    const d = await cns(['doctor', '--json'], { env });
    expect(d.code).toBe(7);
    expect(d.json.checks).toContainEqual(
      expect.objectContaining({ code: 'CARD_READ', status: 'fail', message: expect.stringMatching(/does not answer/) }),
    );
  });

  it('a PIN command the card never answers: outcome unknown, nothing sent again', async () => {
    const img = await makeCard();
    await stack.attach(img, 35963, ['--mute-after', '1']); // answers the tries, then nothing
    const r = await cns(['pin', 'verify', '--stdin', '--json'], { input: '99999\n', env });
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('CARD_NOT_ANSWERING');
    expect(r.json.error.message).toMatch(/outcome is unknown/);
    expect(imageCounters(img).pin).toBe(3); // the mute card never processed it
  });

  it('an answer without a status word is "the card answers incorrectly" (exit 7), not "card removed"', async () => {
    const img = await makeCard();
    await stack.attach(img, 35963, ['--garbage-after', '0']);
    const r = await cns(['status', '--json'], { env });
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('CARD_BAD_ANSWER');
  });

  it('an empty frame is "does not answer", 61xx without end "answers incorrectly": both exit 7', async () => {
    for (const [answer, code] of [
      ['', 'CARD_NOT_ANSWERING'],
      ['6110', 'CARD_BAD_ANSWER'],
    ]) {
      const img = await makeCard();
      await stack.attach(img, 35963, ['--garbage-after', '0', '--garbage', answer!]);
      const r = await cns(['status', '--json'], { env });
      expect(r.code, `${answer}: ${r.stdout}${r.stderr}`).toBe(7);
      expect(r.json.error.code).toBe(code);
    }
  });

  it('6Cxx without end: re-sent once, then reported as what the card refused; nothing loops', async () => {
    const img = await makeCard();
    await stack.attach(img, 35963, ['--garbage-after', '0', '--garbage', '6C10']);
    const r = await cns(['status', '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.problems.map((p: { code: string }) => p.code)).toContain('EF_ID_CARTA_UNREADABLE');
    expect(r.json.pin).toMatchObject({ triesLeft: null, blocked: null });
  });

  it('watch: a mute card in one reader does not hold up the events of another', async () => {
    const mute = await makeCard();
    const good = await makeCard('--card-id', '5000000000000009');
    const w = watch([], env);
    try {
      await w.waitFor('reader-added', 2);
      // both at once: the mute card's event is due only after its APDU deadline, the good one's at once
      await Promise.all([stack.attach(mute, 35963, ['--mute-after', '0']), stack.attach(good, 35964)]);
      const other = await w.waitFor('card-inserted', 1);
      expect(other).toMatchObject({ reader: READER1, cardId: '5000000000000009' });
      const muted = await w.waitFor('card-inserted', 2);
      expect(muted).toMatchObject({ reader: READER0, cardId: null });
    } finally {
      expect(await w.stop('SIGTERM')).toBe(0);
    }
  });

  it('mute, busy and unknown told apart (issue 23 item 5): each its own words, exit code and doctor advice', async () => {
    const { join } = await import('node:path');
    const { spawn } = await import('node:child_process');
    const { tempDir, ROOT } = await import('../helpers.js');
    const img = await makeCard();
    const state = { ...env, XDG_STATE_HOME: tempDir('cns-mute-state-') };
    await stack.attach(img, 35963, ['--mute-after', '0']);
    const first = await cns(['status', '--json'], { env: state });
    expect(first.json.error.code).toBe('CARD_NOT_ANSWERING');
    // pcscd is still waiting on the mute card: the next connection is refused as "in use".
    // It is still the card that did not answer (same reader, never taken out): said so, exit 7.
    const again = await cns(['status', '--json'], { env: state });
    expect(again.code, again.stdout).toBe(7);
    expect(again.json.error.code).toBe('CARD_NOT_ANSWERING');
    expect(again.json.error.message).toMatch(/stopped answering at .* not been taken out since/);
    const doctor = await cns(['doctor', '--json'], { env: state });
    const read = doctor.json.checks.find((c: { code: string }) => c.code === 'CARD_READ');
    expect(read.message).toMatch(/stopped answering/);
    expect(read.advice).toMatch(/another reader/);
    expect(read.advice).not.toMatch(/not supported/);
    // without that memory (another user, a fresh state): "in use, or stopped answering", not a guess
    const unknown = await cns(['--lang', 'it', 'status', '--json'], { env: { ...env, XDG_STATE_HOME: tempDir('cns-mute-other-') } });
    expect(unknown.code).toBe(5);
    expect(unknown.json.error.code).toBe('CARD_BUSY');
    expect(unknown.json.error.message).toMatch(/la sta usando un altro programma, oppure ha smesso di rispondere/);
    // taken out and put back: a new card-event count, the memory no longer applies, the card works
    await stack.detach(35963);
    await stack.attach(img, 35963);
    expect((await cns(['status', '--json'], { env: state })).code).toBe(0);
    // another program holds the card exclusively: busy, exit 5, with what to close
    const holder = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'hold-exclusive.mjs'), READER0], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => holder.kill('SIGKILL'), 30_000);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d) => String(d).includes('held') && resolve());
        holder.on('exit', (c) => reject(new Error(`holder ended (${c})`)));
      });
      const busy = await cns(['status', '--json'], { env: state });
      expect(busy.code).toBe(5);
      expect(busy.json.error.code).toBe('CARD_BUSY');
      expect(busy.json.error.message).toMatch(/Another program holds the card for itself/);
      const d = await cns(['doctor', '--json'], { env: state });
      const c = d.json.checks.find((x: { code: string }) => x.code === 'CARD_READ');
      expect(c.advice).toMatch(/Close the programs/);
      expect(c.advice).not.toMatch(/not supported/);
    } finally {
      clearTimeout(timer);
      holder.kill('SIGKILL');
    }
  });
});
