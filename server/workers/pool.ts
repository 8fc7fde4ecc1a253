// The worker pool for CPU-bound parsing (inflate + DICOM parse + JSON), shared by every stream.
// Node worker_threads via piscina; workers do not inherit tsx's register()ed loader, so the pool
// starts them on a small .cjs entry that registers tsx's CommonJS hook and loads the TypeScript handler.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { limits, type Limits } from '../limits.ts';
import type { MemberResult, MemberTask } from './member-task.ts';
import type { BatchTask, FilesTask } from './member-batch.ts';
import type { PackedColumns } from './member-columns.ts';

const ENTRY = fileURLToPath(new URL('./member-worker.cjs', import.meta.url));

/** What a worker receives: the task and the limits in force now. Worker threads have their own
 *  module state, so server/main.ts's setLimits (--max-dicom-element-bytes ...) reaches the
 *  parser there only this way; per task, so a change after the pool started applies too. */
export interface WorkerMessage {
  task: MemberTask | BatchTask | FilesTask;
  limits: Limits;
}

/** Tasks handed to a worker at once: it starts the next as soon as one ends (member-worker.cjs
 *  runs them one after the other) instead of waiting for the main thread to hand it one; traced
 *  under load, that round trip left a worker idle 2-5 ms between chunks, 0.1-0.2 ms with two. */
const TASKS_PER_WORKER = 2;

let shared: Piscina<WorkerMessage, MemberResult | PackedColumns> | undefined;

/** Threads the pool runs: one per core (ZIPFLIGHT_WORKERS is read in server/main.ts, not here). */
export function poolSize(): number {
  return shared?.maxThreads ?? availableParallelism();
}

/** Size the shared pool before first use (server/main.ts may call this from a CLI flag). */
export function configurePool(threads: number): void {
  if (shared) throw new Error('worker pool already started');
  shared = makePool(threads);
}

/**
 * Start the pool's threads now rather than at the first task: each warms itself up in the
 * background (warm-up.ts), so the first reads run on compiled code. For server start-up, after
 * configurePool; a no-op when the pool runs already.
 */
export function startPool(): void {
  shared ??= makePool(availableParallelism());
}

function makePool(threads: number): Piscina<WorkerMessage, MemberResult | PackedColumns> {
  const size = Math.max(1, threads);
  return new Piscina<WorkerMessage, MemberResult | PackedColumns>({
    filename: ENTRY,
    // Every thread from the start: a thread started on demand loads tsx and compiles the
    // parser in the middle of the read that needed it (seen as the second worker's cold first read).
    minThreads: size,
    // An idle worker waits with Atomics.waitAsync, not a blocking Atomics.wait, so its event loop
    // keeps turning: the background warm-up (warm-up.ts) runs only then.
    atomics: 'async',
    maxThreads: size,
    // A task the balancer cannot place goes back to the queue's head, not its tail: piscina's
    // default rotates the queue, and a stream's first chunk was traced running last (its stream,
    // waiting on it in order, then sent everything at the end of the read).
    stricterFIFO: true,
    concurrentTasksPerWorker: TASKS_PER_WORKER,
  });
}

/**
 * Run one member's parse on a worker. The task's byte buffer is transferred (not copied), so the
 * caller must not touch `task.bytes` afterwards. Rejects with the signal's reason when aborted.
 */
export function runMemberTask(task: MemberTask, signal?: AbortSignal): Promise<MemberResult> {
  shared ??= makePool(availableParallelism());
  const transferList = task.bytes.byteLength > 0 ? [task.bytes.buffer as ArrayBuffer] : [];
  // piscina's TransferList type infers the options-object overload of postMessage under recent
  // @types/node; at run time it wants (and checks for) an array.
  return shared.run({ task, limits: limits() }, { transferList: transferList as never, signal: signal ?? null }) as Promise<MemberResult>;
}

/** Read and parse a chunk of one archive's members, or of bare files, on a worker
 *  (member-batch.ts); the caller keeps the task's descriptors open until the promise settles. */
export function runBatchTask(task: BatchTask | FilesTask): Promise<PackedColumns> {
  shared ??= makePool(availableParallelism());
  return shared.run({ task, limits: limits() }) as Promise<PackedColumns>;
}

/** Tasks waiting for a free worker (the ops queue gauge); 0 before the pool starts. */
export function poolQueueSize(): number {
  return shared?.queueSize ?? 0;
}

/** Stop the pool's threads (tests and server shutdown); the next task starts a fresh pool. */
export async function closePool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.destroy();
}
