import { describe, expect, it } from 'vitest';
import { parseMultiString, pcscPlatform, readerStateLayout, SCARD } from '../src/pcsc/platform.js';

describe('the PC/SC ABI per platform', () => {
  it('names the library of each system', () => {
    expect(pcscPlatform('linux', 'x64')?.library).toBe('libpcsclite.so.1');
    expect(pcscPlatform('linux', 'arm64')?.library).toBe('libpcsclite.so.1');
    expect(pcscPlatform('darwin', 'arm64')?.library).toBe('/System/Library/Frameworks/PCSC.framework/PCSC');
    expect(pcscPlatform('win32', 'x64')?.library).toBe('winscard.dll');
    expect(pcscPlatform('aix', 'ppc64')).toBeUndefined();
  });

  it('sizes DWORD, LONG and the handles as each C ABI does', () => {
    // pcsc-lite: unsigned long / long, 8 bytes on LP64, 4 on 32-bit Linux
    expect(pcscPlatform('linux', 'x64')).toMatchObject({ dword: 'uint64', long: 'int64', handle: 'int64', suffix: '' });
    expect(pcscPlatform('linux', 'arm64')).toMatchObject({ dword: 'uint64', long: 'int64', handle: 'int64' });
    expect(pcscPlatform('linux', 'arm')).toMatchObject({ dword: 'uint32', long: 'int32', handle: 'int32' });
    // macOS: uint32_t / int32_t everywhere, packed structures
    expect(pcscPlatform('darwin', 'arm64')).toMatchObject({ dword: 'uint32', long: 'int32', handle: 'int32', packed: true, pnp: false });
    // Windows: 32-bit DWORD and LONG, pointer-sized handles (ULONG_PTR), the UTF-16 entry points
    expect(pcscPlatform('win32', 'x64')).toMatchObject({ dword: 'uint32', long: 'int32', handle: 'uint64', suffix: 'W', atrSize: 36 });
    expect(pcscPlatform('win32', 'ia32')).toMatchObject({ handle: 'uint32' });
  });

  it("reads a reader list in UTF-8 (pcsc-lite, macOS) and in UTF-16 (Windows' W functions), in any script", () => {
    const names = ['Lettore Città 00 00', 'ACS ACR39U ICC Reader 0', 'Считыватель 1', '読み取り機 2'];
    const list = `${names.join('\0')}\0\0`;
    const utf8 = Buffer.from(list, 'utf8');
    expect(parseMultiString(utf8, utf8.length, false)).toEqual(names);
    const utf16 = Buffer.from(list, 'utf16le');
    // the W function's length counts 16-bit characters, not bytes
    expect(parseMultiString(utf16, utf16.length / 2, true)).toEqual(names);
    // a length beyond the buffer, or an odd byte, never reads past it
    expect(parseMultiString(utf16, utf16.length, true)).toEqual(names);
    expect(parseMultiString(Buffer.concat([Buffer.from('A\0', 'utf16le'), Buffer.from([0x42])]), 3, true)).toEqual(['A']);
    expect(parseMultiString(Buffer.alloc(0), 0, true)).toEqual([]);
    expect(parseMultiString(Buffer.from('\0', 'utf8'), 1, false)).toEqual([]);
  });

  it('lays out SCARD_READERSTATE as the compilers do', () => {
    // Linux x86_64: 2 pointers (16) + 3 DWORD of 8 (24) + 33 bytes of ATR, padded to 8 = 80
    expect(readerStateLayout(pcscPlatform('linux', 'x64')!, 8)).toEqual({ size: 80, eventState: 24, cbAtr: 32, rgbAtr: 40 });
    // Windows x64: 16 + 3 * 4 + 36 = 64; 32-bit Windows: 8 + 12 + 36 = 56
    expect(readerStateLayout(pcscPlatform('win32', 'x64')!, 8).size).toBe(64);
    expect(readerStateLayout(pcscPlatform('win32', 'ia32')!, 4).size).toBe(56);
    // macOS, packed: 16 + 12 + 33 = 61
    expect(readerStateLayout(pcscPlatform('darwin', 'x64')!, 8)).toEqual({ size: 61, eventState: 20, cbAtr: 24, rgbAtr: 28 });
  });

  it('on this machine, the FFI builds the same structure the table describes', async () => {
    const koffi = (await import('koffi')).default;
    const p = pcscPlatform(process.platform, process.arch)!;
    const define = p.packed ? koffi.pack : koffi.struct;
    const t = define({
      szReader: 'const char *',
      pvUserData: 'void *',
      dwCurrentState: p.dword,
      dwEventState: p.dword,
      cbAtr: p.dword,
      rgbAtr: koffi.array('uint8', p.atrSize),
    });
    const layout = readerStateLayout(p, koffi.sizeof('void *') as 4 | 8);
    expect(koffi.sizeof(t)).toBe(layout.size);
    expect(koffi.offsetof(t, 'rgbAtr')).toBe(layout.rgbAtr);
  });

  it('uses the notification pseudo-reader name of pcsc-lite and Windows', () => {
    expect(SCARD.PNP_READER).toBe('\\\\?PnP?\\Notification');
    expect([...SCARD.PNP_READER].slice(0, 2)).toEqual(['\\', '\\']);
  });
});
