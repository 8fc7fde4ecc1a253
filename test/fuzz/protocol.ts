// Messages between the fuzz runner (main thread) and its worker, and the limits the worker sets:
// small enough that a bomb trips them in milliseconds, so a reader that ignores them shows.
import type { Limits } from '../../server/limits.ts';

export const PROGRESS_INDEX = 0;
/** Set to 1 once the worker loaded its modules and seeds: case timing starts then. */
export const PROGRESS_READY = 1;
export const PROGRESS_WORDS = 2;
const MiB = 1024 * 1024;

export const FUZZ_LIMITS: Partial<Limits> = {
  maxInflatedBytesPerMember: 4 * MiB,
  maxCompressionRatio: 1000,
  maxDicomElementBytes: 1 * MiB,
  maxCsvRecordBytes: 1 * MiB,
};

export interface WorkerData {
  target: string;
  seed: number;
  from: number;
  to: number;
  /** SharedArrayBuffer of Int32s: [PROGRESS_INDEX] = case being run, [PROGRESS_READY] = 1 when loaded. */
  progress: SharedArrayBuffer;
}

export type FailureKind = 'crash' | 'finding' | 'hang' | 'memory' | 'leak';

export type WorkerMessage =
  | { type: 'failure'; index: number; kind: FailureKind; message: string; input?: Uint8Array }
  | { type: 'outcome'; index: number; label: string; ms: number }
  | { type: 'done'; heapGrowthMb: number };
