// The `fake` source: synthetic rows for trying a Flight client, Spark or a benchmark without data,
// after the reference Spark "fake" data source (options schema / numRows; field names are Python
// Faker methods). Deterministic: same options and seed, same rows, whichever partition is read first.
import { RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { parseDdl } from './ddl.ts';
import { columnGenerator, type ColumnGenerator } from './fake-columns.ts';
import { mixSeed } from './fake-random.ts';
import { intOption, parseOptions, stringOption, type ParsedOptions } from './options.ts';
import type { Partition, Plan, Source, SourceContext, SourceRequest } from './source.ts';

export const FAKE_DEFAULT_SCHEMA = 'name string, date string, zipcode string, state string';
/** The reference's default row count. */
export const FAKE_DEFAULT_ROWS = 3;
/** The seed used when none is given: a fixed one, so a default read is reproducible too. */
export const FAKE_DEFAULT_SEED = 0;
/** Rows per record batch: big enough to amortise per-batch costs, small enough to stream. */
export const FAKE_BATCH_ROWS = 65_536;
const MAX_ROWS = 1e12;
const MAX_PARTITIONS = 100_000;

export const fakeOptionSpecs = {
  schema: stringOption(`Spark DDL of the columns; string fields are named after Python Faker methods (default: ${FAKE_DEFAULT_SCHEMA})`, FAKE_DEFAULT_SCHEMA),
  numRows: intOption(`Total rows over all partitions (default ${FAKE_DEFAULT_ROWS})`, FAKE_DEFAULT_ROWS, 0, MAX_ROWS),
  numPartitions: intOption('Endpoints the rows are split over evenly (default 1)', 1, 1, MAX_PARTITIONS),
  seed: intOption(`Seed of the generators; same seed and options give the same rows (default ${FAKE_DEFAULT_SEED})`, FAKE_DEFAULT_SEED),
};

export type FakeOptions = ParsedOptions<typeof fakeOptionSpecs>;

/** What a fake endpoint's ticket carries: which partition to generate. */
export interface FakePartitionSpec {
  partition: number;
}

interface FakeSettings extends FakeOptions {
  arrowSchema: Schema;
}

function settings(request: SourceRequest): FakeSettings {
  const options = parseOptions('fake', fakeOptionSpecs, request.options);
  const arrowSchema = parseDdl(options.schema, 'schema');
  // Build one generator per column now so an unsupported field fails at describe time.
  arrowSchema.fields.forEach((field, i) => columnGenerator(field, i));
  return { ...options, arrowSchema };
}

/** Rows of partition `index`: numRows split evenly, the first `numRows % n` partitions one more. */
export function partitionRows(numRows: number, numPartitions: number, index: number): number {
  const base = Math.floor(numRows / numPartitions);
  return base + (index < numRows % numPartitions ? 1 : 0);
}

function checkSpec(spec: unknown, numPartitions: number): FakePartitionSpec {
  const p = (spec as FakePartitionSpec | null)?.partition;
  if (typeof spec !== 'object' || spec === null || Object.keys(spec).length !== 1 || typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= numPartitions) {
    throw invalidArgument(`fake: ticket names no partition of ${numPartitions}: ${JSON.stringify(spec)}`);
  }
  return { partition: p };
}

function batchOf(schema: Schema, columns: ColumnGenerator[], rows: number): RecordBatch {
  const children = columns.map((generate) => generate(rows));
  const data = makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** Every batch of one partition, `FAKE_BATCH_ROWS` at a time; checks the signal between batches. */
export async function* generatePartition(s: FakeSettings, partition: number, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  let left = partitionRows(s.numRows, s.numPartitions, partition);
  const columns = s.arrowSchema.fields.map((field, i) => columnGenerator(field, mixSeed(s.seed, partition, i), left));
  while (left > 0) {
    signal.throwIfAborted();
    const rows = Math.min(left, FAKE_BATCH_ROWS);
    yield batchOf(s.arrowSchema, columns, rows);
    left -= rows;
    // Let I/O callbacks (a client's cancel, 'drain') run between CPU-bound batches.
    if (left > 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

export const fakeSource: Source = {
  name: 'fake',
  description: 'Synthetic rows from Faker-style generators; options: schema (Spark DDL), numRows, numPartitions, seed',

  defaultSchema(): Schema {
    return parseDdl(FAKE_DEFAULT_SCHEMA);
  },

  async describe(request: SourceRequest, _ctx: SourceContext): Promise<Plan> {
    const s = settings(request);
    const partitions: Partition[] = [];
    for (let partition = 0; partition < s.numPartitions; partition++) {
      partitions.push({ spec: { partition } satisfies FakePartitionSpec, records: partitionRows(s.numRows, s.numPartitions, partition) });
    }
    return { schema: s.arrowSchema, partitions };
  },

  read(request: SourceRequest, spec: unknown, ctx: SourceContext): AsyncIterable<RecordBatch> {
    // Validate eagerly so a bad ticket fails before the stream starts.
    const s = settings(request);
    const { partition } = checkSpec(spec, s.numPartitions);
    return generatePartition(s, partition, ctx.signal);
  },
};
