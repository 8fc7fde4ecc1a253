// Runs one fuzz target's cases in a worker thread under a watchdog: a case that makes no progress
// within the time limit is a hang, process RSS past the budget (or the worker's heap limit) is a
// memory failure; either way the worker is killed and a fresh one resumes at the next case.
import { Worker } from 'node:worker_threads';
import { caseSeed, Rng } from './rng.ts';
import { loadSeeds } from './seeds.ts';
import { TARGETS } from './targets.ts';
import { PROGRESS_INDEX, PROGRESS_READY, PROGRESS_WORDS, type FailureKind, type WorkerData, type WorkerMessage } from './protocol.ts';

const ENTRY = new URL('./fuzz-worker.mjs', import.meta.url);
const WATCH_INTERVAL_MS = 20;
/** Loading tsx, the layers and the seeds in a fresh worker (a cold, loaded machine is slow). */
const STARTUP_TIMEOUT_MS = 120_000;
const MiB = 1024 * 1024;

export interface FuzzOptions {
  target: string;
  seed: number;
  cases: number;
  /** First case index (replaying one case: start = index, cases = 1). */
  start?: number;
  /** A case running longer than this is a hang. */
  caseTimeoutMs?: number;
  /** Process RSS may grow this far over its level at start. */
  rssBudgetMb?: number;
  /** The worker's V8 old-generation cap. */
  heapLimitMb?: number;
  /** Heap growth over the run (after GC) above this is a leak. */
  leakMb?: number;
}

export interface Failure {
  target: string;
  index: number;
  kind: FailureKind;
  message: string;
  input?: Uint8Array;
}

export interface TargetReport {
  target: string;
  seed: number;
  cases: number;
  outcomes: Record<string, number>;
  failures: Failure[];
  ms: number;
  maxCaseMs: number;
  peakRssMb: number;
  heapGrowthMb: number;
  restarts: number;
}

/** Rebuild a case's input in this thread (the worker that ran it may be gone). */
export function caseInput(target: string, seed: number, index: number): Uint8Array {
  return TARGETS[target].input(new Rng(caseSeed(seed, target, index)), loadSeeds());
}

export async function fuzzTarget(o: FuzzOptions): Promise<TargetReport> {
  if (!TARGETS[o.target]) throw new Error(`unknown fuzz target '${o.target}' (have ${Object.keys(TARGETS).join(', ')})`);
  const start = o.start ?? 0;
  const end = start + o.cases;
  const report: TargetReport = { target: o.target, seed: o.seed, cases: o.cases, outcomes: {}, failures: [], ms: 0, maxCaseMs: 0, peakRssMb: 0, heapGrowthMb: 0, restarts: 0 };
  const t0 = performance.now();
  const baseRss = process.memoryUsage.rss();
  let from = start;
  while (from < end) {
    const next = await runWorker(o, from, end, baseRss, report);
    if (next < end) report.restarts++;
    from = next;
  }
  report.ms = performance.now() - t0;
  return report;
}

/** One worker over [from, end); resolves with the index to resume at (end when finished). */
function runWorker(o: FuzzOptions, from: number, end: number, baseRss: number, report: TargetReport): Promise<number> {
  const progress = new SharedArrayBuffer(4 * PROGRESS_WORDS);
  const view = new Int32Array(progress);
  Atomics.store(view, PROGRESS_INDEX, from);
  const data: WorkerData = { target: o.target, seed: o.seed, from, to: end, progress };
  const worker = new Worker(ENTRY, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: o.heapLimitMb ?? 512 } });
  const timeout = o.caseTimeoutMs ?? 5000;
  const budget = (o.rssBudgetMb ?? 768) * MiB;
  return new Promise((resolve) => {
    let seen = from;
    const started = performance.now();
    let since = started;
    let settled = false;
    const fail = (kind: FailureKind, index: number, message: string, input?: Uint8Array) => {
      report.failures.push({ target: o.target, index, kind, message, input: input ?? safeInput(o, index) });
    };
    const finish = (resumeAt: number) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      void worker.terminate();
      resolve(resumeAt);
    };
    const watch = setInterval(() => {
      const index = Atomics.load(view, PROGRESS_INDEX);
      const now = performance.now();
      if (Atomics.load(view, PROGRESS_READY) === 0) {
        since = now;
        if (now - started > STARTUP_TIMEOUT_MS) {
          fail('crash', index, `worker did not start in ${STARTUP_TIMEOUT_MS} ms`);
          finish(end);
        }
        return;
      }
      if (index !== seen) {
        seen = index;
        since = now;
      }
      const rss = process.memoryUsage.rss();
      report.peakRssMb = Math.max(report.peakRssMb, rss / MiB);
      if (rss - baseRss > budget) {
        fail('memory', index, `process RSS ${Math.round(rss / MiB)} MiB, over the start level + ${o.rssBudgetMb ?? 768} MiB`);
        finish(index + 1);
      } else if (now - since > timeout) {
        fail('hang', index, `case ran longer than ${timeout} ms`);
        finish(index + 1);
      }
    }, WATCH_INTERVAL_MS);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'failure') fail(m.kind, m.index, m.message, m.input);
      else if (m.type === 'outcome') {
        report.outcomes[m.label] = (report.outcomes[m.label] ?? 0) + 1;
        report.maxCaseMs = Math.max(report.maxCaseMs, m.ms);
      } else {
        report.heapGrowthMb = Math.max(report.heapGrowthMb, m.heapGrowthMb);
        if (o.leakMb !== undefined && m.heapGrowthMb > o.leakMb) fail('leak', end - 1, `heap grew ${m.heapGrowthMb.toFixed(1)} MiB over the run (after GC)`);
        finish(end);
      }
    });
    worker.on('error', (err) => {
      const index = Atomics.load(view, PROGRESS_INDEX);
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      fail(oom ? 'memory' : 'crash', index, `worker died: ${(err as Error).message}`);
      finish(index + 1);
    });
    worker.on('exit', () => {
      const index = Atomics.load(view, PROGRESS_INDEX);
      // A worker whose event loop empties while a case's promise is pending exits on its own.
      if (!settled) fail('hang', index, 'worker exited mid-case: the case never settled (event loop empty) or called process.exit');
      finish(index + 1);
    });
  });
}

function safeInput(o: FuzzOptions, index: number): Uint8Array | undefined {
  try {
    return caseInput(o.target, o.seed, index);
  } catch {
    return undefined;
  }
}

/** A few lines: counts, failures by kind, the commonest outcomes. */
export function formatReport(r: TargetReport): string {
  const byKind: Record<string, number> = {};
  for (const f of r.failures) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const top = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [
    `fuzz ${r.target}: ${r.cases} cases, seed ${r.seed}, ${(r.ms / 1000).toFixed(1)} s, max case ${r.maxCaseMs.toFixed(0)} ms, peak RSS ${r.peakRssMb.toFixed(0)} MiB, heap growth ${r.heapGrowthMb.toFixed(1)} MiB, restarts ${r.restarts}`,
    `  failures: ${r.failures.length}${Object.keys(byKind).length ? ` (${Object.entries(byKind).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
    `  outcomes: ${top}`,
  ];
  for (const f of r.failures.slice(0, 10)) lines.push(`  #${f.index} ${f.kind}: ${f.message.slice(0, 400)}`);
  return lines.join('\n');
}
