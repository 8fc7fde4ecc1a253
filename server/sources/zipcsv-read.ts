// zipcsv DoGet: stream one partition. Each archive of the partition is opened once, its members
// are checked against the plan (same names, same count), and each member is inflated, decoded
// and tokenized chunk by chunk; batches are yielded as soon as they fill, so memory is bounded by
// a chunk plus a batch, never a member. Damaged archives or members fail the stream with
// DATA_LOSS naming them, unless ignoreCorruptFiles (then the rows read before the damage stay).
import type { RecordBatch } from 'apache-arrow';
import { ServerError } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import type { ZipEntry } from '../zip/archive.ts';
import { BatchSink } from './zipcsv-batches.ts';
import { inputError, isSkippableDamage, openArchive, tokenizeMember, type OpenArchive } from './zipcsv-inputs.ts';
import { LineRows } from './zipcsv-lines.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';
import { checkSpec, digestNames, selectMembers, type Segment } from './zipcsv-plan.ts';
import { MemberRows } from './zipcsv-rows.ts';
import { layoutOf } from './zipcsv-schema.ts';


/** The archive and the members the segment names, or DATA_LOSS when it changed since planning. */
async function openSegment(root: DataRoot, seg: Segment, settings: ZipcsvSettings): Promise<{ input: OpenArchive; members: ZipEntry[] }> {
  let input: OpenArchive;
  try {
    input = await openArchive(root, seg.path);
  } catch (err) {
    throw inputError(err, seg.path);
  }
  const inRange = input.archive.entries.filter((e) => e.index >= seg.from && e.index < seg.to);
  const members = selectMembers(inRange, settings);
  if (members.length !== seg.count || digestNames(members.map((m) => m.name)) !== seg.digest) {
    await input.close();
    throw new ServerError('data-loss', `zipcsv: archive '${seg.path}' changed since the FlightInfo was planned; call GetFlightInfo again`);
  }
  return { input, members };
}

export async function* readZipcsv(root: DataRoot, rawSpec: unknown, settings: ZipcsvSettings, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  const { schema, segments } = checkSpec(rawSpec);
  const layout = settings.asLines ? null : layoutOf(schema, settings);
  const sink = new BatchSink(schema);
  for (const seg of segments) {
    let opened;
    try {
      opened = await openSegment(root, seg, settings);
    } catch (err) {
      if (settings.ignoreCorruptFiles && isSkippableDamage(err)) continue;
      throw err;
    }
    try {
      for (const entry of opened.members) {
        const steps = layout
          ? tokenizeMember(opened.input, entry, settings, signal, new MemberRows(layout, settings, sink, seg.path, entry.name))
          : new LineRows(sink, settings, seg.path, entry.name).read(opened.input, entry, signal);
        try {
          for await (const _ of steps) yield* sent(sink, false);
        } catch (err) {
          if (!(settings.ignoreCorruptFiles && isSkippableDamage(err))) throw err;
        }
      }
    } finally {
      await opened.input.close();
    }
  }
  yield* sent(sink, true);
}

/**
 * The sink's ready batches, each released once the consumer pulls the next: Source.read's
 * consumer (DoGet) has encoded — copied — a batch before it asks for another, so the batch's
 * buffers can take later rows. A consumer that keeps batches must copy them first.
 */
function* sent(sink: BatchSink, final: boolean): Generator<RecordBatch> {
  for (const batch of sink.take(final)) {
    yield batch;
    sink.release(batch);
  }
}
