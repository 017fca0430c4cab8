import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cns, tempDir } from './helpers.js';
import { schemaErrors } from './schema.js';

describe('doctor --report', () => {
  it('says what the ticket holds; --redact-ids hashes the card id and the certificate serial too', async () => {
    const dir = tempDir('cns-ticket-');
    const img = join(dir, 'card.json');
    expect((await cns(['sim', 'create', img, '--card-id', '5000000000000009'])).code).toBe(0);
    const serial = (await cns(['status', '--reader', `sim:${img}`, '--json'])).json.certificate.serialNumber as string;
    const help = await cns(['doctor', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/ATR, card id and certificate serial; no name, codice fiscale/);
    const plain = join(dir, 'plain.json');
    const hashed = join(dir, 'hashed.json');
    expect((await cns(['doctor', '--reader', `sim:${img}`, '--report', plain, '--salt', 's'])).code).toBe(0);
    expect((await cns(['doctor', '--reader', `sim:${img}`, '--report', hashed, '--salt', 's', '--redact-ids'])).code).toBe(0);
    const p = JSON.parse(readFileSync(plain, 'utf8'));
    expect(p.cards[0].cardId).toBe('5000000000000009');
    const text = readFileSync(hashed, 'utf8');
    const h = JSON.parse(text);
    expect(h.redactedIds).toBe(true);
    expect(h.cards[0].cardId).toMatch(/^[0-9a-f]{64}$/);
    expect(h.cards[0].certificate.serialNumber).toMatch(/^[0-9a-f]{64}$/);
    expect(text).not.toContain('5000000000000009');
    expect(text).not.toContain(serial);
    expect(schemaErrors('doctor-report', h)).toEqual([]);
  });
});
