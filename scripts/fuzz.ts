// `npm run fuzz -- [--cases N] [--seed S] [--target zip|dicom|csv|ticket|all] [--case I] [--save]`:
// the long fuzz run (issue 6 "Tests"). Deterministic: a case is a function of (seed, target,
// index), so `--target T --seed S --case I` replays one. --save writes each failing input to
// test/fuzz/crashers/<target>-s<seed>-c<index>.bin. Exits 1 when anything failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatReport, fuzzTarget } from '../test/fuzz/runner.ts';
import { LAYER_TARGETS } from '../test/fuzz/targets.ts';

const CRASHERS = fileURLToPath(new URL('../test/fuzz/crashers/', import.meta.url));

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    target: { type: 'string', default: 'all' },
    case: { type: 'string' },
    save: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '5000' },
  },
});

const targets = values.target === 'all' ? LAYER_TARGETS : values.target!.split(',');
const seed = Number(values.seed);
const one = values.case === undefined ? undefined : Number(values.case);
let failed = 0;
for (const target of targets) {
  const report = await fuzzTarget({
    target,
    seed,
    cases: one === undefined ? Number(values.cases) : 1,
    start: one,
    caseTimeoutMs: Number(values.timeout),
    leakMb: 64,
  });
  console.log(formatReport(report));
  failed += report.failures.length;
  if (values.save) {
    mkdirSync(CRASHERS, { recursive: true });
    for (const f of report.failures) {
      if (!f.input) continue;
      const file = join(CRASHERS, `${target}-s${seed}-c${f.index}.bin`);
      writeFileSync(file, f.input);
      console.log(`  saved ${file} (${f.kind})`);
    }
  }
}
console.log(`fuzz total: ${failed} failure(s); replay one with --target T --seed ${seed} --case I`);
process.exit(failed ? 1 : 0);
