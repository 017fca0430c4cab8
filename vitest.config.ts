import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // .ci/run asks for a JSON report too, to fail the run on any skipped test
    reporters: process.env.CNS_TEST_REPORT ? ['default', ['json', { outputFile: process.env.CNS_TEST_REPORT }]] : ['default'],
    testTimeout: 60000,
    hookTimeout: 60000,
    sequence: { groupOrder: 0 },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/*.test.ts', 'test/adversarial/*.test.ts'],
          exclude: ['test/adversarial/*.stack.test.ts'],
          testTimeout: 60000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // pcscd + vpcd + virtual cards + OpenSC: one shared pcscd and two fixed reader ports, so
        // these files run one at a time, after the others.
        test: {
          name: 'stack',
          include: ['test/stack/*.test.ts', 'test/adversarial/*.stack.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/stack/global-setup.ts'],
          testTimeout: 60000,
          hookTimeout: 60000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
