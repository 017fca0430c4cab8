// Reads vitest's JSON report: prints "N passed, N failed, N skipped" and fails when any test
// was skipped or none ran (CI must never count a skipped real-stack test as passing).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`test-summary: no readable vitest report at ${file}: ${e.message}`);
  process.exit(1);
}
const passed = r.numPassedTests ?? 0;
const failed = r.numFailedTests ?? 0;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
if (skipped > 0) {
  for (const f of r.testResults ?? []) {
    for (const t of f.assertionResults ?? [])
      if (t.status !== 'passed' && t.status !== 'failed') console.error(`skipped: ${f.name}: ${t.fullName}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
