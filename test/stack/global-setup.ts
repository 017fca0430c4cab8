import type { TestProject } from 'vitest/node';
// @ts-expect-error -- plain JavaScript module shared with the README's demo commands
import * as stack from '../../scripts/test-stack.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { ok: boolean; reason: string | null };
  }
}

/** Start pcscd (in a quickack network namespace when root) once for the real-stack tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason: string | undefined = stack.unavailableReason();
  if (reason) {
    if (process.env.CI) throw new Error(`real-stack tests cannot run in CI: ${reason}`);
    process.stderr.write(
      `\n*** SKIPPING the real-stack tests (pcscd, vpcd, OpenSC): ${reason}.\n*** Install: apt-get install pcscd vsmartcard-vpcd opensc opensc-pkcs11 softhsm2, then run npm test as root. ***\n\n`,
    );
    project.provide('stack', { ok: false, reason });
    return async () => {};
  }
  await stack.start();
  project.provide('stack', { ok: true, reason: null });
  return async () => {
    await stack.stop();
  };
}
