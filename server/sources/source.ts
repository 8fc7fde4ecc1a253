// The contract between the Flight protocol layer and the data sources. Sources know Arrow, not
// gRPC: describe() plans a read (schema + partitions), read() streams one partition's batches.
// The protocol layer turns each Partition into a FlightEndpoint whose ticket carries the request
// and the partition's `spec` back to read(); read() must re-validate whatever the spec names.
import type { RecordBatch, Schema } from 'apache-arrow';
import type { DataRoot } from '../storage/data-root.ts';

/** What a client asked for: a source's name, a path under the data root and raw option values. */
export interface SourceRequest {
  /** Path relative to the data root; '' means the root itself. Absent for sources without data. */
  path: string;
  /** Option values as the client sent them: JSON values, or strings (Spark passes strings). */
  options: Record<string, unknown>;
}

export interface Partition {
  /** Source-specific, JSON-serialisable description of the work (e.g. archive + member range). */
  spec: unknown;
  /** Rows this partition will yield, when known in advance; else undefined. */
  records?: number;
  /** Bytes this partition will read, when known; else undefined. */
  bytes?: number;
}

export interface Plan {
  schema: Schema;
  partitions: Partition[];
}

export interface SourceContext {
  root: DataRoot;
  /** Aborted when the client cancels the stream or the server shuts down. */
  signal: AbortSignal;
}

export interface Source {
  readonly name: string;
  readonly description: string;
  /** Schema with default options: what ListFlights shows. */
  defaultSchema(): Schema;
  describe(request: SourceRequest, ctx: SourceContext): Promise<Plan>;
  /**
   * One partition's batches, pulled one at a time. A batch is consumed when the next one is asked
   * for (or the iteration returns): the consumer has encoded or copied whatever it keeps by then,
   * so a source may reuse a batch's memory for the next one (the fake source does, so generating
   * rows touches no fresh memory: issue 7). Sources that allocate fresh batches stay correct.
   */
  read(request: SourceRequest, spec: unknown, ctx: SourceContext): AsyncIterable<RecordBatch>;
}
