// Run by Node for Windows under Wine (test/stack/windows.test.ts): holds a file open with no
// sharing, as Firefox holds its profile's parent.lock while it runs (CreateFileW, share mode 0),
// says so, and keeps it until it is killed.
import { createRequire } from 'node:module';

const [, , root, path] = process.argv;
const koffi = createRequire(`${root}\\package.json`)('koffi');
const k32 = koffi.load('kernel32.dll');
const createFileW = k32.func('__stdcall', 'CreateFileW', 'void *', [
  'const char16_t *',
  'uint32_t',
  'uint32_t',
  'void *',
  'uint32_t',
  'uint32_t',
  'void *',
]);
const GENERIC_READ_WRITE = 0xc0000000;
const OPEN_ALWAYS = 4;
const handle = createFileW(path, GENERIC_READ_WRITE, 0, null, OPEN_ALWAYS, 0x80, null);
if (koffi.address(handle) === BigInt.asUintN(64, -1n)) {
  process.stdout.write('failed\n');
  process.exit(1);
}
process.stdout.write('held\n');
setInterval(() => {}, 1000);
