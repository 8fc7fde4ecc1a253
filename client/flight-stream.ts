// One DoGet's results (Flight.proto `DoGet(Ticket) returns (stream FlightData)`) as Arrow record
// batches: the FlightData stream is rebuilt into IPC stream bytes (flight-data-decoder.ts) and read
// by Arrow JS's own reader, so dictionaries and every type Arrow JS knows come for free. Arrow's
// reader may pull past the message it is decoding, so a call's failure is held back until every
// batch received before it was yielded: the caller sees the rows, then the status.
import type * as grpc from '@grpc/grpc-js';
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';
import { ClientError, Status, toClientError } from './client-error.ts';
import { ipcStreamChunks, type FlightDataFrame } from './flight-data-decoder.ts';

type BatchReader = AsyncIterable<RecordBatch> & { schema: Schema; open(): Promise<unknown> };

export class FlightRecordBatchStream implements AsyncIterable<RecordBatch> {
  private readonly call: grpc.ClientReadableStream<FlightDataFrame>;
  private readonly reader: Promise<BatchReader>;
  private iterated = false;
  /** The call's failure, once the byte stream has ended because of it. */
  private failure: unknown;
  private readonly signal: AbortSignal | undefined;

  constructor(call: grpc.ClientReadableStream<FlightDataFrame>, signal?: AbortSignal) {
    this.call = call;
    this.signal = signal;
    this.reader = (async () => {
      const reader = (await RecordBatchReader.from(this.chunksUntilFailure())) as unknown as BatchReader;
      await reader.open();
      if (!reader.schema) throw this.failure ?? new Error('the server ended the stream without sending a schema');
      return reader;
    })();
    // Whoever awaits the reader sees its error; this only keeps an unread one from being "unhandled".
    this.reader.catch(() => undefined);
  }

  private async *chunksUntilFailure(): AsyncGenerator<Uint8Array> {
    try {
      yield* ipcStreamChunks(this.call);
    } catch (err) {
      this.failure = err;
    }
  }

  /** The stream's schema (its first message), also for a stream without rows. */
  async schema(): Promise<Schema> {
    try {
      return (await this.reader).schema;
    } catch (err) {
      throw toClientError(err);
    }
  }

  /** Batches as they arrive; leaving the loop early cancels the call. Iterable once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch> {
    if (this.iterated) throw new Error('a FlightRecordBatchStream can be iterated only once');
    this.iterated = true;
    let finished = false;
    try {
      for await (const batch of await this.reader) {
        // A batch read ahead before the caller aborted is not handed out after it.
        if (this.signal?.aborted) throw new ClientError(Status.CANCELLED, 'cancelled by the caller');
        yield batch;
      }
      if (this.failure !== undefined) throw this.failure;
      finished = true;
    } catch (err) {
      throw toClientError(err);
    } finally {
      if (!finished) this.cancel();
    }
  }

  /** Every batch of the stream as one Table with the stream's schema. */
  async readAll(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const batch of this) batches.push(batch);
    return batches.length ? new Table(batches) : new Table(await this.schema());
  }

  /** Stops the call: the server sees the cancellation and stops its source. */
  cancel(): void {
    this.call.cancel();
  }
}
