import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModule, discoverModules } from '../src/pkcs11/modules.js';
import { familyOfFile, knownModules, MODULE_FILES } from '../src/pkcs11/moduleTable.js';
import { tempDir } from './helpers.js';

/**
 * Issue 25 items 3 and 4: where each TS-CNS middleware's library is on Linux, macOS and Windows
 * (file names and install folders), tested on any system: the tables are data, discovery takes
 * the system, its environment and the file test as parameters.
 */

const OPENSC_DLL = 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll';
const OPENSC_DLL_X86 = 'C:\\Program Files (x86)\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll';

describe('the module tables, per system (moduleTable.ts)', () => {
  it('Windows: OpenSC in Program Files (64-bit, ARM, then the 32-bit one), bit4id and Athena in System32', () => {
    const paths = knownModules('win32', {});
    expect(paths.slice(0, 3)).toEqual([
      { family: 'OpenSC', path: OPENSC_DLL },
      { family: 'OpenSC', path: 'C:\\Program Files\\OpenSC Project\\OpenSC_arm64\\pkcs11\\opensc-pkcs11.dll' },
      { family: 'OpenSC', path: OPENSC_DLL_X86, arch32: true },
    ]);
    expect(paths.filter((m) => !m.arch32).map((m) => m.path)).toContain('C:\\Windows\\System32\\bit4xpki.dll');
    expect(paths.filter((m) => !m.arch32).map((m) => m.path)).toContain('C:\\Windows\\System32\\asepkcs.dll');
    expect(paths.find((m) => m.path === 'C:\\Windows\\SysWOW64\\asepkcs.dll')?.arch32).toBe(true);
    // the folders come from the environment (whatever its letter case), not from guesses
    const moved = knownModules('win32', { systemroot: 'D:\\WIN', ProgramW6432: 'D:\\Programmi', ProgramFiles: 'D:\\Programmi (x86)' });
    expect(moved[0]!.path).toBe('D:\\Programmi\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll');
    expect(moved.map((m) => m.path)).toContain('D:\\WIN\\System32\\bit4xpki.dll');
    // a relative value is no folder
    expect(knownModules('win32', { SystemRoot: 'Windows' }).map((m) => m.path)).toContain('C:\\Windows\\System32\\asepkcs.dll');
  });

  it('macOS: OpenSC in /Library/OpenSC/lib, bit4id in /Library/bit4id/pkcs11, Athena in Application Support', () => {
    const paths = knownModules('darwin').map((m) => `${m.family}: ${m.path}`);
    expect(paths[0]).toBe('OpenSC: /Library/OpenSC/lib/opensc-pkcs11.so');
    expect(paths).toContain('OpenSC: /opt/homebrew/lib/opensc-pkcs11.so');
    expect(paths).toContain('bit4id xPKI: /Library/bit4id/pkcs11/libbit4xpki.dylib');
    expect(paths).toContain('Athena IDProtect: /Library/Application Support/Athena/libASEP11.dylib');
    expect(paths.some((p) => p.endsWith('.dll') || /x86_64-linux-gnu/.test(p))).toBe(false);
  });

  it('Linux: the distribution folders, and each maker’s own', () => {
    const paths = knownModules('linux').map((m) => m.path);
    expect(paths[0]).toBe('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so');
    expect(paths).toContain('/usr/lib/bit4id/libbit4xpki.so');
    expect(paths).toContain('/usr/lib/x64-athena/libASEP11.so');
    expect(paths.some((p) => p.endsWith('.dll') || p.endsWith('.dylib'))).toBe(false);
  });

  it('a library file is its family by the rules of its system: letter case ignored on Windows and macOS only', () => {
    expect(familyOfFile('C:\\WINDOWS\\system32\\BIT4XPKI.DLL', 'win32')).toBe('bit4id xPKI');
    expect(familyOfFile(OPENSC_DLL, 'win32')).toBe('OpenSC');
    expect(familyOfFile('C:\\x\\onepin-opensc-pkcs11.dll', 'win32')).toBe('OpenSC');
    expect(familyOfFile(OPENSC_DLL, 'linux')).toBeUndefined();
    expect(familyOfFile('/usr/local/lib/libasep11.dylib', 'darwin')).toBe('Athena IDProtect');
    expect(familyOfFile('/usr/lib/libasep11.so', 'linux')).toBeUndefined();
    for (const platform of ['linux', 'darwin', 'win32'] as const) expect(MODULE_FILES[platform].OpenSC.length).toBe(2);
  });

  it('discovery on Windows finds the installed DLLs; a 32-bit build is marked and never the default', () => {
    const x86only = discoverModules({ platform: 'win32', env: {}, exists: (p) => p === OPENSC_DLL_X86 });
    expect(x86only).toEqual([expect.objectContaining({ name: 'OpenSC', path: OPENSC_DLL_X86, arch32: true })]);
    expect(defaultModule(x86only)).toBeUndefined();
    const both = discoverModules({ platform: 'win32', env: {}, exists: (p) => p === OPENSC_DLL_X86 || p === OPENSC_DLL });
    expect(defaultModule(both)?.path).toBe(OPENSC_DLL);
    const bit4id = discoverModules({ platform: 'win32', env: { SystemRoot: 'C:\\Windows' }, exists: (p) => /bit4xpki/.test(p) });
    expect(bit4id.map((m) => [m.name, m.path])).toEqual([
      ['bit4id xPKI', 'C:\\Windows\\System32\\bit4xpki.dll'],
      ['bit4id xPKI', 'C:\\Windows\\SysWOW64\\bit4xpki.dll'],
    ]);
    // p11-kit is Linux's: never looked at elsewhere
    const dirs = tempDir('cns-p11kit-');
    writeFileSync(join(dirs, 'opensc.module'), 'module: /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so\n');
    expect(discoverModules({ platform: 'darwin', exists: () => false, p11kitDirs: [dirs] })).toEqual([]);
  });
});
