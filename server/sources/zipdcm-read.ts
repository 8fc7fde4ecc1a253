// zipdcm DoGet: stream one partition's rows. The main thread does the I/O (local headers,
// compressed byte ranges) and ships bytes to the worker pool; results come back in order and
// become Arrow batches. A bounded window of members is in flight per stream, and each bad input
// costs only its own row (PERMISSIVE), nothing (DROPMALFORMED) or the stream (FAILFAST).
import type { RecordBatch } from 'apache-arrow';
import { ServerError } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import { poolSize } from '../workers/pool.ts';
import type { MemberResult } from '../workers/member-task.ts';
import { checkSpec, digestNames, selectMembers, type Segment } from './zipdcm-plan.ts';
import type { ZipdcmSettings } from './zipdcm-options.ts';
import { BatchBuilder, zipdcmSchema, type RowInput } from './zipdcm-schema.ts';
import { describeError, openInput, type OpenInput } from './zipdcm-inputs.ts';
import { readBareFile, readMember, type MemberContext } from './zipdcm-member.ts';

/** Rows per Arrow batch ("a few thousand"), and a text budget that keeps a batch's FlightData small. */
export const BATCH_ROWS = 2048;
const BATCH_TEXT_BYTES = 3 * 1024 * 1024;
/** Members in flight per stream: enough to keep every worker busy, few enough to bound memory. */
const WINDOW_PER_WORKER = 4;
const MIN_WINDOW = 8;

/** A started row: wrapped, because an async generator would await a bare yielded promise. */
type Job = { row: Promise<RowInput> };
const ignore = () => {};

function errorRow(rowid: number, path: string, error: string, memberSize: number | null = null): RowInput {
  const result: MemberResult = { status: 'error', meta: null, error, strings: [], ints: [], hash: null, pixelHash: null };
  return { rowid, path, memberSize, result };
}

async function openSegment(root: DataRoot, seg: Extract<Segment, { kind: 'zip' }>, settings: ZipdcmSettings): Promise<{ input: OpenInput; members: Awaited<ReturnType<typeof selectMembers>> }> {
  const input = await openInput(root, seg.path);
  try {
    const inRange = input.archive.entries.filter((e) => e.index >= seg.from && e.index < seg.to);
    const members = await selectMembers(input.archive, settings, inRange);
    if (members.length !== seg.count || digestNames(members.map((m) => m.name)) !== seg.digest) {
      throw new ServerError('data-loss', `zipdcm: archive '${seg.path}' changed since the FlightInfo was planned; call GetFlightInfo again`);
    }
    return { input, members };
  } catch (err) {
    await input.close();
    throw err;
  }
}

/** Start every row's work in order, one promise per row; the consumer bounds how far ahead. */
async function* startJobs(root: DataRoot, segments: Segment[], ctx: MemberContext): AsyncGenerator<Job> {
  for (const seg of segments) {
    if (seg.kind === 'dcm') {
      yield { row: readBareFile(root, seg.path, seg.first, ctx) };
      continue;
    }
    let opened;
    try {
      opened = seg.kind === 'zip' ? await openSegment(root, seg, ctx.settings) : await openInput(root, seg.path).then((input) => ({ input, members: [] }));
    } catch (err) {
      const text = describeError(err);
      if (text === null) throw err;
      yield { row: Promise.resolve(errorRow(seg.first, seg.path, `${seg.path}: unreadable archive: ${text}`)) };
      continue;
    }
    if (seg.kind === 'bad') {
      await opened.input.close();
      yield { row: Promise.resolve(errorRow(seg.first, seg.path, `${seg.path}: archive changed since planning (it was unreadable then)`)) };
      continue;
    }
    const jobs: Promise<RowInput>[] = [];
    let rowid = seg.first;
    try {
      for (const entry of opened.members) {
        const row = readMember(opened.input, seg.path, entry, rowid++, ctx);
        jobs.push(row);
        yield { row };
      }
    } finally {
      // Close once the members' reads are done, also when the stream stops early.
      const input = opened.input;
      void Promise.allSettled(jobs).then(() => input.close()).catch(ignore);
    }
  }
}

function routeRow(row: RowInput, settings: ZipdcmSettings): RowInput | null {
  const error = row.error !== undefined ? row.error : row.result.error;
  if (error === null) return row;
  if (settings.mode === 'DROPMALFORMED') return null;
  if (settings.mode === 'FAILFAST') throw new ServerError('data-loss', `zipdcm: ${error}`);
  return row;
}

export async function* readZipdcm(root: DataRoot, rawSpec: unknown, settings: ZipdcmSettings, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  const spec = checkSpec(rawSpec);
  const batch = new BatchBuilder(zipdcmSchema(settings.hashes), settings.hashes);
  const ctx: MemberContext = { settings, signal };
  const window = Math.max(MIN_WINDOW, poolSize() * WINDOW_PER_WORKER);
  const jobs = startJobs(root, spec.segments, ctx);
  const queue: Job[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && queue.length < window) {
        const next = await jobs.next();
        if (next.done) exhausted = true;
        else {
          next.value.row.catch(ignore); // a failure surfaces when the row is awaited, never unhandled
          queue.push(next.value);
        }
      }
      const job = queue.shift();
      if (job === undefined) break;
      const row = routeRow(await job.row, settings);
      if (signal.aborted) throw signal.reason;
      if (row) batch.append(row);
      if (batch.length >= BATCH_ROWS || batch.bytes >= BATCH_TEXT_BYTES) yield batch.flush();
    }
    if (batch.length > 0) yield batch.flush();
  } finally {
    await jobs.return(undefined);
  }
}
