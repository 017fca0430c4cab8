import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/main/program.js';
import { englishIn } from './english.js';
import { cns, tempDir } from './helpers.js';

/**
 * Every text a user can see in Italian mode is Italian: each command and error is run with
 * `--lang it` (and LANG=it_IT) and its output checked against words that only English has.
 * Card data (names, the test CA's and the virtual card's English organisation names), paths,
 * hexadecimal, stable codes in brackets and JSON are left out of the check.
 */
let dir: string;
let img: string;
let expired: string;
let cardData: string[] = [];
let sig: string;
let nfc: string;

async function it_(args: string[], o: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await cns(['--lang', 'it', ...args], {
    input: o.input,
    env: { LANG: 'it_IT.UTF-8', XDG_STATE_HOME: join(dir, 'state'), ...o.env },
  });
  return `${r.stdout}\n${r.stderr}`;
}

beforeAll(async () => {
  dir = tempDir('cns-it-');
  img = join(dir, 'card.json');
  expired = join(dir, 'expired.json');
  expect((await cns(['sim', 'create', img, '--card-id', '5000000000000009'])).code).toBe(0);
  expect((await cns(['sim', 'create', expired, '--not-before', '2018-01-01', '--not-after', '2023-12-30'])).code).toBe(0);
  const s = await cns(['status', '--reader', `sim:${img}`, '--json']);
  const e = await cns(['status', '--reader', `sim:${expired}`, '--json']);
  cardData = [
    s.json.certificate.subject,
    s.json.certificate.issuer,
    e.json.certificate.subject,
    'cns virtual card (TEST\\, not a real TS-CNS)', // the test cards' organisation name
    'ROSSI',
    'MARIO',
  ].sort((a, b) => b.length - a.length);
  sig = join(dir, 'sig.json');
  nfc = join(dir, 'nfc.json');
  expect((await cns(['sim', 'create', sig, '--signature-keyset'])).code).toBe(0);
  expect((await cns(['sim', 'create', nfc, '--contactless'])).code).toBe(0);
  mkdirSync(join(dir, 'adir'));
  writeFileSync(join(dir, 'junk.json'), '{not json');
});

/** A home with one Firefox profile whose database lacks the card module. */
function browserHome(): Record<string, string> {
  const home = join(dir, 'home');
  const ff = join(home, '.mozilla', 'firefox');
  mkdirSync(join(ff, 'p'), { recursive: true });
  writeFileSync(join(ff, 'profiles.ini'), '[Profile0]\nName=default-release\nIsRelative=1\nPath=p\n');
  writeFileSync(join(ff, 'p', 'pkcs11.txt'), 'library=\nname=NSS Internal PKCS #11 Module\n');
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
}

describe('Italian end to end', () => {
  const cases: [string, () => Promise<string>][] = [
    ['status', () => it_(['status', '--reader', `sim:${img}`])],
    ['status of an expired card', () => it_(['status', '--reader', `sim:${expired}`])],
    ['cert show', () => it_(['cert', 'show', '--reader', `sim:${img}`])],
    ['cert check (expired)', () => it_(['cert', 'check', '--reader', `sim:${expired}`])],
    ['pin verify (wrong)', () => it_(['pin', 'verify', '--reader', `sim:${img}`, '--stdin'], { input: '99999\n' })],
    ['pin verify (right)', () => it_(['pin', 'verify', '--reader', `sim:${img}`, '--stdin'], { input: '12345\n' })],
    ['doctor', () => it_(['doctor', '--reader', `sim:${img}`])],
    ['extend --check (not eligible)', () => it_(['extend', '--check', '--reader', `sim:${img}`])],
    ['extend --check (eligible)', () => it_(['extend', '--check', '--reader', `sim:${expired}`, '--at', '2023-11-15'])],
    ['unknown command', () => it_(['stauts'])],
    ['a command quoted as one word', () => it_(['cert check'])],
    ['a value outside the choices', () => it_(['cert', 'export', join(dir, 'c.pem'), '--reader', `sim:${img}`, '--format', 'txt'])],
    ['unknown option', () => it_(['status', '--colour'])],
    ['too many arguments', () => it_(['status', 'extra'])],
    ['missing image', () => it_(['status', '--reader', `sim:${join(dir, 'missing.json')}`])],
    ['a directory as image', () => it_(['status', '--reader', `sim:${join(dir, 'adir')}`])],
    ['a corrupt image', () => it_(['status', '--reader', `sim:${join(dir, 'junk.json')}`])],
    ['--stdin with too few lines', () => it_(['pin', 'change', '--reader', `sim:${img}`, '--stdin'], { input: '12345\n' })],
    ['--env without the variable', () => it_(['pin', 'verify', '--reader', `sim:${img}`, '--env'])],
    ['export into a missing folder', () => it_(['cert', 'export', '--reader', `sim:${img}`, '--out', join(dir, 'no', 'c.pem')])],
    ['readers without the service', () => it_(['readers'], { env: { PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd') } })],
    ['a bad --warn-days', () => it_(['status', '--reader', `sim:${img}`, '--warn-days', 'x'])],
    ['completion for another shell', () => it_(['completion', 'fish'])],
    ['sim create', () => it_(['sim', 'create', join(dir, 'new.json')])],
    ['sim create with a bad key size', () => it_(['sim', 'create', join(dir, 'k.json'), '--key-size', '512'])],
    ['sim create with a wrong codice fiscale', () => it_(['sim', 'create', join(dir, 'c.json'), '--codice-fiscale', 'RSSMRA80A01H501X'])],
    ['status of a card with a signature keyset', () => it_(['status', '--reader', `sim:${sig}`])],
    ['doctor on a contactless card', () => it_(['doctor', '--reader', `sim:${nfc}`])],
    ['a weak new PIN', () => it_(['pin', 'change', '--reader', `sim:${img}`, '--stdin'], { input: '12345\n11111\n' })],
    ['browser status', () => it_(['browser'], { env: browserHome() })],
    ['browser setup --dry-run', () => it_(['browser', 'setup', '--dry-run'], { env: browserHome() })],
    ['browser setup without the NSS tools', () => it_(['browser', 'setup'], { env: { ...browserHome(), PATH: join(dir, 'none') } })],
    [
      'browser test on the in-process card',
      () => it_(['browser', 'test', '--reader', `sim:${img}`, '--env'], { env: { CNS_PIN: '12345' } }),
    ],
    ['doctor with a browser', () => it_(['doctor', '--reader', `sim:${img}`], { env: browserHome() })],
    ['extend with two modes', () => it_(['extend', '--check', '--resume', '--reader', `sim:${img}`])],
  ];
  // the help of the program and of every command and group, taken from the command tree itself
  const paths: string[][] = [[]];
  const walk = (c: Command, path: string[]): void => {
    for (const sub of c.commands) {
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(
    buildProgram(async () => {}, 'it'),
    [],
  );
  for (const p of paths) cases.push([`${['cns', ...p].join(' ')} --help`, () => it_([...p, '--help'])]);
  cases.push(['a group alone (cns pin)', () => it_(['pin'])]);
  for (const [name, run] of cases) {
    it(`${name}: no English`, async () => {
      expect(englishIn(await run(), cardData)).toEqual([]);
    });
  }
});
