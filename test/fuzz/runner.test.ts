// The fuzz runner's own detectors, checked on a target that misbehaves on purpose (selftest):
// an escaping TypeError is a crash, a broken invariant a finding, a never-settling promise and a
// busy loop are hangs, a 1 GiB allocation is a memory failure; clean cases count as outcomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseInput, formatReport, fuzzTarget } from './runner.ts';
import { SELFTEST_ACTIONS } from './targets.ts';

const SEED = 3;
const EXPECTED_KIND: Record<string, string> = { crash: 'crash', finding: 'finding', 'hang-async': 'hang', 'hang-sync': 'hang', memory: 'memory' };

/** The shortest run of case indexes in which every selftest action occurs. */
function windowWithEveryAction(): { start: number; actions: string[] } {
  const actions = Array.from({ length: 300 }, (_, i) => SELFTEST_ACTIONS[caseInput('selftest', SEED, i)[0] % SELFTEST_ACTIONS.length] as string);
  let best = { start: 0, length: Infinity };
  for (let s = 0; s < actions.length; s++) {
    const seen = new Set<string>();
    for (let e = s; e < actions.length && e - s < best.length; e++) {
      seen.add(actions[e]);
      if (seen.size === SELFTEST_ACTIONS.length) best = { start: s, length: e - s + 1 };
    }
  }
  assert.ok(Number.isFinite(best.length), 'no window holds every selftest action');
  return { start: best.start, actions: actions.slice(best.start, best.start + best.length) };
}

test('the runner reports crashes, findings, hangs and memory blow-ups by case, and keeps going', async (t) => {
  const { start, actions } = windowWithEveryAction();
  const report = await fuzzTarget({ target: 'selftest', seed: SEED, start, cases: actions.length, caseTimeoutMs: 4000, rssBudgetMb: 256 });
  t.diagnostic(formatReport(report));
  const got = new Map(report.failures.map((f) => [f.index, f.kind]));
  actions.forEach((action, i) => {
    assert.equal(got.get(start + i), EXPECTED_KIND[action], `case ${start + i} (${action})`);
  });
  const clean = actions.filter((a) => a === 'ok').length;
  assert.equal(report.outcomes.ok ?? 0, clean, 'every clean case counted once');
  assert.equal(report.failures.length, actions.length - clean);
  for (const f of report.failures) assert.ok(f.input && f.input.length === 1, `case ${f.index} keeps its input for a reproducer`);
});
