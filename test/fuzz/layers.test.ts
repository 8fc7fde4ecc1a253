// The CI fuzz suite (issue 6 "Tests"): ≥ 10,000 seeded cases through the ZIP reader, the DICOM
// parser (and the pool's whole member task), the CSV tokenizer and value parsers, ticket /
// descriptor parsing, the data-root sandbox, then whole archives through the zipdcm and zipcsv
// sources. Every case must end in a clean result or the layer's own error with a
// stable code: no escaping TypeError/RangeError, no hang, no memory blow-up, no silent corruption.
// FUZZ_SEED=N reruns with another seed; `npm run fuzz` is the long run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, fuzzTarget } from './runner.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
/** Cases per target: 10,000 through the layers, weighted to the readers of untrusted archives,
 *  and a few hundred whole-source reads (each plans and streams an archive: ~40 ms a case). */
const CASES: Record<string, number> = { zip: 3500, dicom: 3000, csv: 2500, ticket: 1000, path: 1000, zipdcm: 250, zipcsv: 200 };

for (const [target, cases] of Object.entries(CASES)) {
  test(`fuzz ${target}: ${cases} cases, no crash, hang or memory blow-up`, async (t) => {
    const report = await fuzzTarget({ target, seed: SEED, cases, caseTimeoutMs: 10_000, rssBudgetMb: 768, leakMb: 64 });
    t.diagnostic(formatReport(report));
    const done = Object.values(report.outcomes).reduce((a, b) => a + b, 0) + report.failures.length;
    assert.equal(done, cases, 'every case accounted for');
    assert.deepEqual(report.failures.map((f) => `#${f.index} ${f.kind}: ${f.message}`), []);
  });
}
