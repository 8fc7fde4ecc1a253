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
import { readBareFile, readMember, WHOLE_MEMBER_LIMIT, type MemberContext } from './zipdcm-member.ts';

/** Rows per Arrow batch ("a few thousand"), and a text budget that keeps a batch's FlightData small. */
export const BATCH_ROWS = 2048;
const BATCH_TEXT_BYTES = 3 * 1024 * 1024;
/** Members in flight per stream: enough to keep every worker busy, few enough to bound memory. */
const WINDOW_PER_WORKER = 4;
const MIN_WINDOW = 8;
/** Compressed bytes in flight per stream (hashes mode reads whole members): bounds memory per
 *  stream whatever the member sizes; one member is always let through, however large. */
const WINDOW_BYTES = 64 * 1024 * 1024;
/** What a header-only read of one member costs at most in the window, before it grows. */
const HEADER_READ_COST = 64 * 1024;

/** A started row: wrapped, because an async generator would await a bare yielded promise.
 *  `cost` is the compressed bytes it may hold while in flight. */
type Job = { row: Promise<RowInput>; cost: number };
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
      yield { row: readBareFile(root, seg.path, seg.first, ctx), cost: memberCost(seg.size, ctx.settings) };
      continue;
    }
    let opened;
    try {
      opened = seg.kind === 'zip' ? await openSegment(root, seg, ctx.settings) : await openInput(root, seg.path).then((input) => ({ input, members: [] }));
    } catch (err) {
      const text = describeError(err);
      if (text === null) throw err;
      yield { row: Promise.resolve(errorRow(seg.first, seg.path, `${seg.path}: unreadable archive: ${text}`)), cost: 0 };
      continue;
    }
    if (seg.kind === 'bad') {
      await opened.input.close();
      yield { row: Promise.resolve(errorRow(seg.first, seg.path, `${seg.path}: archive changed since planning (it was unreadable then)`)), cost: 0 };
      continue;
    }
    // Close the archive once its members' reads are done, also when the stream stops early.
    // Counted, not collected: a settled row must not stay referenced (bounded memory).
    const input = opened.input;
    let pending = 0;
    let issued = false;
    const settle = () => {
      if (--pending === 0 && issued) void input.close().catch(ignore);
    };
    let rowid = seg.first;
    try {
      for (const entry of opened.members) {
        const row = readMember(input, seg.path, entry, rowid++, ctx);
        pending++;
        row.then(settle, settle);
        yield { row, cost: memberCost(entry.compressedSize, ctx.settings) };
      }
    } finally {
      issued = true;
      if (pending === 0) void input.close().catch(ignore);
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
  let inFlight = 0;
  let exhausted = false;
  let sent = false;
  try {
    for (;;) {
      while (!exhausted && queue.length < window && (queue.length === 0 || inFlight < WINDOW_BYTES)) {
        const next = await jobs.next();
        if (next.done) exhausted = true;
        else {
          next.value.row.catch(ignore); // a failure surfaces when the row is awaited, never unhandled
          queue.push(next.value);
          inFlight += next.value.cost;
        }
      }
      const job = queue.shift();
      if (job === undefined) break;
      const row = routeRow(await job.row, settings);
      inFlight -= job.cost;
      if (signal.aborted) throw signal.reason;
      if (row) batch.append(row);
      if (batch.length >= BATCH_ROWS || batch.bytes >= BATCH_TEXT_BYTES) {
        sent = true;
        yield batch.flush();
      }
    }
    // A partition whose rows were all dropped still answers with its schema (a zero-row batch),
    // so DoGet need not plan the whole request again to find it.
    if (batch.length > 0 || !sent) yield batch.flush();
  } finally {
    await jobs.return(undefined);
  }
}

/** Bytes a member holds while in flight: its whole compressed size when hashes reads it all
 *  (members past WHOLE_MEMBER_LIMIT stream in bounded chunks). */
function memberCost(compressedSize: number, settings: ZipdcmSettings): number {
  return Math.min(compressedSize, settings.hashes ? WHOLE_MEMBER_LIMIT : HEADER_READ_COST);
}
