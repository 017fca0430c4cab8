import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cns, tempDir } from './helpers.js';
import { haveTool } from './tmux.js';

const ready = haveTool('cc');
let dir: string;

/** A fake PKCS#11 library whose C_GetFunctionList misbehaves. */
function fakeModule(name: string, body: string): string {
  const src = join(dir, `${name}.c`);
  const out = join(dir, `${name}.so`);
  writeFileSync(
    src,
    `#include <unistd.h>\n#include <signal.h>\n#include <stdio.h>\n#include <stdlib.h>\nextern char **environ;\nlong C_GetFunctionList(void **p) { ${body} }\n`,
  );
  const r = spawnSync('cc', ['-shared', '-fPIC', '-o', out, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

describe.skipIf(!ready)('a PKCS#11 module that fails as a program', () => {
  beforeAll(() => {
    dir = tempDir('cns-p11fault-');
  });

  it('crashes: a clear error and exit 1, not a silent death', async () => {
    const lib = fakeModule('crash', 'raise(SIGSEGV); return 0;');
    const r = await cns(['status', '--module', lib, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('PKCS11_MODULE_ERROR');
    expect(r.json.error.message).toMatch(/crashed \(signal SIGSEGV\)/);
  });

  it('hangs: bounded by a timeout, then exit 1', async () => {
    const lib = fakeModule('hang', 'sleep(60); return 0;');
    const t0 = Date.now();
    const r = await cns(['status', '--module', lib, '--json'], { env: { CNS_PKCS11_TIMEOUT_MS: '1500' } });
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('PKCS11_MODULE_ERROR');
    expect(r.json.error.message).toMatch(/did not answer/);
    expect(Date.now() - t0).toBeLessThan(15000);
  });

  it('never sees the PIN, new PIN or PUK a user put in the environment for --env', async () => {
    const dump = join(dir, 'env.txt');
    const lib = fakeModule(
      'env',
      'FILE *f = fopen(getenv("CNS_TEST_ENV_DUMP"), "w"); for (char **e = environ; *e; e++) fprintf(f, "%s\\n", *e); fclose(f); return 5;',
    );
    const r = await cns(['pin', 'verify', '--env', '--module', lib, '--json'], {
      env: { CNS_PIN: '24681', CNS_NEW_PIN: '13579', CNS_PUK: '86420864', CNS_TEST_ENV_DUMP: dump },
    });
    expect(r.code).toBe(1); // the module refuses to load: the dump was made at load time
    const seen = readFileSync(dump, 'utf8');
    expect(seen).toContain(`CNS_TEST_ENV_DUMP=${dump}`);
    expect(seen).not.toMatch(/CNS_PIN|CNS_NEW_PIN|CNS_PUK|24681|13579|86420864/);
  });

  it('is not a PKCS#11 library, or does not exist: exit 1 / a clear message', async () => {
    let r = await cns(['status', '--module', '/bin/true', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('PKCS11_MODULE_ERROR');
    r = await cns(['status', '--module', join(dir, 'missing.so'), '--json'], { env: { LANG: 'it_IT.UTF-8' } });
    expect(r.code).toBe(1);
    expect(r.json.error.message).toMatch(/modulo PKCS#11/);
  });
});
