import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cns, tempDir } from '../helpers.js';
import { READER0, READER1, STACK_OK } from './stack.js';

describe.skipIf(!STACK_OK)('shell completion of --reader through pcscd (issue 23 item 11)', () => {
  it('offers sim and the readers present, each name one word for the shell', async () => {
    const r = await cns(['completion', 'bash']);
    const d = tempDir('cns-compl-stack-');
    const exe = join(d, 'cns');
    writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(exe, 0o755);
    const { spawnSync } = await import('node:child_process');
    const script = `${r.stdout}
COMP_WORDS=(${exe} --reader ""); COMP_CWORD=2; _cns_complete; printf '%s\\n' "\${COMPREPLY[@]}"; echo --
COMP_WORDS=(${exe} status -r Vir); COMP_CWORD=3; _cns_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 }).stdout;
    const [all, some] = out.split('--\n');
    const esc = (n: string): string => n.replace(/ /g, '\\ ');
    expect(all!.trim().split('\n')).toEqual(['sim', esc(READER0), esc(READER1)]);
    expect(some!.trim().split('\n')).toEqual([esc(READER0), esc(READER1)]);
  });
});
