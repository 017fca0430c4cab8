#!/usr/bin/env node
// Lower bounds for `npm run bench` (issue 15): what any Node program must spend, whatever its
// code, to do what a cns command does. CommonJS, so Node starts no ES-module loader for it.
//
//   node scripts/bench-floor.cjs card READER [--reset] [--features] HEX...   koffi + the system's
//       PC/SC library, asking the service what cns asks it for the same command: a context, the
//       readers (one call), their states, a connection to READER, a transaction around each APDU
//       (hex) sent, with --features the reader's features after them (status shows its PIN pad),
//       the transaction ended (resetting the card with --reset, as cns does after a PIN was
//       verified), the connection and the context closed; nothing parsed, nothing printed
//   node scripts/bench-floor.cjs list READER          the same up to listing the readers (no connect)
//   node scripts/bench-floor.cjs readers READER       what `cns readers` asks of PC/SC: list the
//       readers, their states, and each reader's PIN-pad features over a direct connection
//   node scripts/bench-floor.cjs load                 read cns's bundle and compile it with its
//       V8 code cache (bin/cns.js does the same), run none of it
//   node scripts/bench-floor.cjs load-openssl CERT CA the same, then OpenSSL's part of checking a
//       card's certificate (PEM files) as status and cert check do: load node:crypto, load both
//       certificates, hash the card's, verify its signature with the CA's key
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** koffi's native module opened by its path (process.dlopen), the cheapest way Node has, as cns opens it. */
function koffi() {
  const arch = process.arch;
  try {
    const m = { exports: {} };
    process.dlopen(m, path.join(__dirname, '..', 'node_modules', `@koromix/koffi-linux-${arch}`, `linux_${arch}`, 'koffi.node'));
    return m.exports;
  } catch {
    return require('koffi');
  }
}

function card(reader, apdus, reset = false, features = false) {
  const k = koffi();
  const lib = k.load(process.env.CNS_PCSC_LIBRARY || 'libpcsclite.so.1');
  // pcsc-lite on Linux: DWORD and LONG are unsigned long / long, SCARD_IO_REQUEST two DWORDs
  k.struct('FLOOR_IO', { dwProtocol: 'unsigned long', cbPciLength: 'unsigned long' });
  const est = lib.func('long SCardEstablishContext(unsigned long scope, void *a, void *b, _Out_ long *ctx)');
  const list = lib.func('long SCardListReaders(long ctx, const char *g, _Out_ uint8_t *buf, _Inout_ unsigned long *len)');
  const conn = lib.func(
    'long SCardConnect(long ctx, const char *r, unsigned long share, unsigned long protos, _Out_ long *card, _Out_ unsigned long *active)',
  );
  const tx = lib.func(
    'long SCardTransmit(long card, const FLOOR_IO *pci, const uint8_t *send, unsigned long n, void *rpci, _Out_ uint8_t *recv, _Inout_ unsigned long *rlen)',
  );
  const disc = lib.func('long SCardDisconnect(long card, unsigned long disposition)');
  const check = (what, rv) => {
    if (Number(rv) !== 0) throw new Error(`${what}: 0x${(Number(rv) >>> 0).toString(16)}`);
  };
  const release = lib.func('long SCardReleaseContext(long ctx)');
  const ctx = [0];
  check('SCardEstablishContext', est(2, null, null, ctx));
  // listed as cns lists them when it looks for the card's reader: one call, with room
  const len = [4096];
  const names = Buffer.alloc(4096);
  check('SCardListReaders', list(ctx[0], null, names, len));
  const listed = names.toString('latin1', 0, Number(len[0])).split('\0').filter(Boolean);
  if (!listed.includes(reader)) throw new Error(`no reader ${reader}`);
  if (apdus === 'readers') {
    pinpads(k, lib, ctx[0], listed, conn, disc, check);
    check('SCardReleaseContext', release(ctx[0]));
    return;
  }
  if (!apdus) {
    check('SCardReleaseContext', release(ctx[0]));
    return;
  }
  // every reader's state, as cns reads them to choose the card's reader
  const { gsc, ctl, states } = readerStates(k, lib, listed);
  gsc(ctx[0], 0, states, states.length);
  const handle = [0];
  const active = [0];
  check('SCardConnect', conn(ctx[0], reader, 2 /* shared */, 3 /* T=0 | T=1 */, handle, active));
  const begin = lib.func('long SCardBeginTransaction(long card)');
  const end = lib.func('long SCardEndTransaction(long card, unsigned long disposition)');
  check('SCardBeginTransaction', begin(handle[0]));
  const recv = Buffer.alloc(65538);
  for (const hex of apdus) {
    const send = Buffer.from(hex, 'hex');
    const rlen = [recv.length];
    check('SCardTransmit', tx(handle[0], { dwProtocol: active[0], cbPciLength: 16 }, send, send.length, null, recv, rlen));
  }
  if (features) ctl(handle[0], 0x42000d48, Buffer.alloc(0), 0, Buffer.alloc(1024), 1024, [0]);
  check('SCardEndTransaction', end(handle[0], reset ? 1 /* reset */ : 0 /* leave */));
  check('SCardDisconnect', disc(handle[0], 0 /* leave */));
  check('SCardReleaseContext', release(ctx[0]));
}

/** SCardGetStatusChange and SCardControl, and the state of each of `readers` to ask it for. */
function readerStates(k, lib, readers) {
  k.struct('FLOOR_STATE', {
    szReader: 'const char *',
    pvUserData: 'void *',
    dwCurrentState: 'unsigned long',
    dwEventState: 'unsigned long',
    cbAtr: 'unsigned long',
    rgbAtr: k.array('uint8', 33, 'Array'),
  });
  const gsc = lib.func('long SCardGetStatusChange(long ctx, unsigned long timeout, _Inout_ FLOOR_STATE *states, unsigned long n)');
  const ctl = lib.func(
    'long SCardControl(long card, unsigned long code, const uint8_t *send, unsigned long n, _Out_ uint8_t *recv, unsigned long rlen, _Out_ unsigned long *got)',
  );
  const states = readers.map((r) => ({
    szReader: r,
    pvUserData: null,
    dwCurrentState: 0,
    dwEventState: 0,
    cbAtr: 0,
    rgbAtr: new Array(33).fill(0),
  }));
  return { gsc, ctl, states };
}

/** Every reader's state, then each reader's features (SCARD_CTL_CODE(3400)) over a direct connection. */
function pinpads(k, lib, ctx, readers, conn, disc, check) {
  const { gsc, ctl, states } = readerStates(k, lib, readers);
  gsc(ctx, 0, states, states.length);
  const out = Buffer.alloc(1024);
  for (const r of readers) {
    const handle = [0];
    const active = [0];
    check('SCardConnect', conn(ctx, r, 3 /* direct */, 0, handle, active));
    ctl(handle[0], 0x42000d48, Buffer.alloc(0), 0, out, out.length, [0]);
    disc(handle[0], 0 /* leave */);
  }
}

function load() {
  const vm = require('node:vm');
  const Module = require('node:module');
  const { BUNDLE, cacheFor } = require('../bin/cns.js');
  const bundle = fs.readFileSync(BUNDLE);
  const cachedData = cacheFor(bundle);
  const script = new vm.Script(Module.wrap(bundle.toString('latin1')), { filename: BUNDLE, cachedData });
  if (!cachedData || script.cachedDataRejected) throw new Error('no usable code cache: run npm run build');
}

function openssl(certPem, caPem) {
  const { X509Certificate, createHash } = require('node:crypto');
  const der = (file) =>
    Buffer.from(
      fs
        .readFileSync(file, 'latin1')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
  const cert = der(certPem);
  const ca = new X509Certificate(der(caPem));
  createHash('sha256').update(cert).digest('hex');
  if (!new X509Certificate(cert).verify(ca.publicKey)) throw new Error(`${certPem} is not signed by ${caPem}`);
}

try {
  const [what, reader, ...apdus] = process.argv.slice(2);
  if (what === 'card' && reader)
    card(
      reader,
      apdus.filter((a) => !a.startsWith('--')),
      apdus.includes('--reset'),
      apdus.includes('--features'),
    );
  else if (what === 'list' && reader) card(reader, undefined);
  else if (what === 'readers' && reader) card(reader, 'readers');
  else if (what === 'load') load();
  else if (what === 'load-openssl' && reader && apdus[0]) {
    load();
    openssl(reader, apdus[0]);
  } else
    throw new Error(
      `usage: ${path.basename(__filename)} card READER [--reset] [--features] HEX... | list READER | readers READER | load | load-openssl CERT CA`,
    );
  process.exit(0);
} catch (e) {
  fs.writeSync(2, `bench-floor: ${e.message}\n`);
  process.exit(1);
}
