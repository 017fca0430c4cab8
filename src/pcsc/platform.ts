/**
 * How the PC/SC API looks from each platform's C ABI: which library, how wide DWORD, LONG and
 * the handles are, how SCARD_READERSTATE is laid out, whether string functions carry the "W"
 * suffix (and take UTF-16). One code path reaches pcsc-lite (Linux, BSD), Apple's PCSC.framework and Windows'
 * winscard.dll through this table (sources: pcsc-lite's wintypes.h and pcsclite.h, Apple's
 * PCSC headers, Microsoft's winscard.h).
 */
export interface PcscPlatform {
  /** What to load. */
  library: string;
  /** DWORD: unsigned long on LP64 pcsc-lite (8 bytes), uint32_t on macOS and Windows. */
  dword: 'uint32' | 'uint64';
  /** LONG, the return type: long on pcsc-lite, int32_t on macOS and Windows. */
  long: 'int32' | 'int64';
  /** SCARDCONTEXT / SCARDHANDLE: LONG on pcsc-lite and macOS, ULONG_PTR on Windows. */
  handle: 'int32' | 'int64' | 'uint32' | 'uint64';
  /** rgbAtr in SCARD_READERSTATE: MAX_ATR_SIZE 33 (pcsc-lite, macOS), 36 on Windows. */
  atrSize: 33 | 36;
  /** macOS packs SCARD_READERSTATE and SCARD_IO_REQUEST to 1 byte. */
  packed: boolean;
  /**
   * Windows exports SCardListReadersW, SCardConnectW... (UTF-16: a reader's name in any script;
   * the "A" ones give it in the system's ANSI code page, where an "è" is not UTF-8); the others
   * take no suffix and speak UTF-8.
   */
  suffix: '' | 'W';
  /** Whether "\\?PnP?\Notification" reports readers coming and going (else: poll). */
  pnp: boolean;
}

const LP64 = new Set(['x64', 'arm64', 'ppc64', 'riscv64', 'loong64', 's390x', 'mips64el']);

/** The platform's PC/SC ABI, or undefined where the tool knows none. */
export function pcscPlatform(platform: NodeJS.Platform | string, arch: string): PcscPlatform | undefined {
  const wide = LP64.has(arch);
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
    case 'netbsd':
      return {
        library: 'libpcsclite.so.1',
        dword: wide ? 'uint64' : 'uint32',
        long: wide ? 'int64' : 'int32',
        handle: wide ? 'int64' : 'int32',
        atrSize: 33,
        packed: false,
        suffix: '',
        pnp: true,
      };
    case 'darwin':
      return {
        library: '/System/Library/Frameworks/PCSC.framework/PCSC',
        dword: 'uint32',
        long: 'int32',
        handle: 'int32',
        atrSize: 33,
        packed: true,
        suffix: '',
        pnp: false,
      };
    case 'win32':
      return {
        library: 'winscard.dll',
        dword: 'uint32',
        long: 'int32',
        handle: wide ? 'uint64' : 'uint32',
        atrSize: 36,
        packed: false,
        suffix: 'W',
        pnp: true,
      };
    default:
      return undefined;
  }
}

/** Bytes of each C type named in the table. */
export const TYPE_SIZE: Record<PcscPlatform['dword'] | PcscPlatform['handle'] | 'pointer64' | 'pointer32', number> = {
  uint32: 4,
  uint64: 8,
  int32: 4,
  int64: 8,
  pointer64: 8,
  pointer32: 4,
};

/** Layout of SCARD_READERSTATE (two pointers, three DWORDs, the ATR), as the C compiler makes it. */
export function readerStateLayout(
  p: PcscPlatform,
  pointerSize: 4 | 8,
): { size: number; eventState: number; cbAtr: number; rgbAtr: number } {
  const d = TYPE_SIZE[p.dword];
  const align = (n: number, a: number): number => (p.packed ? n : Math.ceil(n / a) * a);
  const current = 2 * pointerSize;
  const eventState = current + d;
  const cbAtr = eventState + d;
  const rgbAtr = cbAtr + d;
  const size = align(rgbAtr + p.atrSize, Math.max(pointerSize, d));
  return { size, eventState, cbAtr, rgbAtr };
}

/** PC/SC constants: the same values in pcsc-lite, macOS and Windows. */
export const SCARD = {
  SCOPE_SYSTEM: 2,
  SHARE_EXCLUSIVE: 1,
  SHARE_SHARED: 2,
  SHARE_DIRECT: 3,
  PROTOCOL_T0: 1,
  PROTOCOL_T1: 2,
  LEAVE_CARD: 0,
  RESET_CARD: 1,
  STATE_UNAWARE: 0,
  STATE_CHANGED: 0x2,
  STATE_UNKNOWN: 0x4,
  STATE_UNAVAILABLE: 0x8,
  STATE_EMPTY: 0x10,
  STATE_PRESENT: 0x20,
  STATE_EXCLUSIVE: 0x80,
  STATE_INUSE: 0x100,
  STATE_MUTE: 0x200,
  INFINITE: 0xffffffff,
  PNP_READER: '\\\\?PnP?\\Notification',
} as const;

/**
 * A PC/SC multi-string (reader names, each ending in NUL, the list in a second NUL) of `units`
 * characters: bytes in UTF-8, or 16-bit units in UTF-16 (the W functions). Empty names are no names.
 */
export function parseMultiString(buf: Buffer, units: number, wide: boolean): string[] {
  const bytes = Math.max(0, Math.min(buf.length, wide ? units * 2 : units));
  const text = buf.subarray(0, wide ? bytes - (bytes % 2) : bytes).toString(wide ? 'utf16le' : 'utf8');
  return text.split('\0').filter(Boolean);
}
