// The case loop of one fuzz worker: for each case index, derive its Rng, build its input, run it
// through the target and tell the runner what happened (per case, so nothing is lost when a
// worker dies). The runner watches the shared progress word from the main thread, so a case that
// never returns (a hang) can be detected and killed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { setLimits } from '../../server/limits.ts';
import { caseSeed, Rng } from './rng.ts';
import { loadSeeds } from './seeds.ts';
import { FuzzFinding, TARGETS } from './targets.ts';
import { disposeScratch } from './source-targets.ts';
import { disposePathSandbox } from './path-target.ts';
import { FUZZ_LIMITS, PROGRESS_INDEX, PROGRESS_READY, type WorkerData, type WorkerMessage } from './protocol.ts';

/** Cases run before the heap baseline is taken (lazy tables and caches settle first). */
const WARMUP_CASES = 200;
const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const data = workerData as WorkerData;
const progress = new Int32Array(data.progress);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
let current = -1;

function describe(err: unknown): string {
  if (!(err instanceof Error)) return `non-Error thrown: ${String(err).slice(0, 300)}`;
  const where = (err.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ');
  return `${err.name}: ${err.message.slice(0, 300)}${where ? ` @ ${where}` : ''}`;
}

// Errors escaping a case asynchronously (a stream's feeder rejecting later) are crashes too.
process.on('uncaughtException', (err) => post({ type: 'failure', index: current, kind: 'crash', message: `uncaught (async): ${describe(err)}` }));
process.on('unhandledRejection', (err) => post({ type: 'failure', index: current, kind: 'crash', message: `unhandled rejection (async): ${describe(err)}` }));

async function main(): Promise<void> {
  setLimits(FUZZ_LIMITS);
  const target = TARGETS[data.target];
  const seeds = loadSeeds();
  Atomics.store(progress, PROGRESS_READY, 1);
  let heapBase = -1;
  for (let i = data.from; i < data.to; i++) {
    current = i;
    Atomics.store(progress, PROGRESS_INDEX, i);
    const rng = new Rng(caseSeed(data.seed, data.target, i));
    const input = target.input(rng, seeds);
    const t0 = performance.now();
    try {
      const label = await target.exercise(input, rng);
      post({ type: 'outcome', index: i, label, ms: performance.now() - t0 });
    } catch (err) {
      post({ type: 'failure', index: i, kind: err instanceof FuzzFinding ? 'finding' : 'crash', message: describe(err), input });
    }
    if (i - data.from === WARMUP_CASES) {
      gc();
      heapBase = process.memoryUsage().heapUsed;
    }
  }
  disposeScratch();
  disposePathSandbox();
  gc();
  const heapGrowthMb = heapBase < 0 ? 0 : (process.memoryUsage().heapUsed - heapBase) / MiB;
  post({ type: 'done', heapGrowthMb });
}

await main();
