// Flight DoGet (Flight.proto `DoGet(Ticket) returns (stream FlightData)`): verify the ticket,
// re-run the source's read() (which re-validates what the ticket names) and turn its batches into
// FlightData: the Schema message first (also for zero rows), dictionaries before use, then batches.
import type { RecordBatch } from 'apache-arrow';
import type { Source, SourceContext, SourceRequest } from '../sources/source.ts';
import type { SourceRegistry } from '../sources/registry.ts';
import { encodeFlightData, type FrameBuffers } from './flight-data-encoder.ts';
import { DictionaryTracker, recordBatchMessages, schemaMessage } from './ipc-messages.ts';
import { decodeTicket } from './ticket.ts';

export interface DoGetContext extends SourceContext {
  sources: SourceRegistry;
  ticketKey: Uint8Array;
  /** Recycles the stream's FlightData buffers (flight-service.ts releases each once written). */
  frames?: FrameBuffers;
}

/** Serialized FlightData messages for one ticket, produced lazily as the client reads. */
export async function* flightDataForTicket(ticket: Uint8Array, ctx: DoGetContext): AsyncGenerator<Buffer> {
  const contents = decodeTicket(ticket, ctx.ticketKey);
  const source = ctx.sources.get(contents.source);
  const request: SourceRequest = { path: contents.path, options: contents.options };
  const sourceCtx: SourceContext = { root: ctx.root, signal: ctx.signal };
  const batches = source.read(request, contents.spec, sourceCtx)[Symbol.asyncIterator]();
  let finished = false;
  try {
    let next = await batches.next();
    const schema = next.done ? await schemaWithoutRows(source, request, sourceCtx) : next.value.schema;
    yield encodeFlightData(schemaMessage(schema));
    const dictionaries = new DictionaryTracker();
    for (; !next.done; next = await batches.next()) {
      yield* batchFrames(next.value, dictionaries, ctx.frames);
    }
    finished = true;
  } finally {
    // Cancelled or failed mid-stream: let the source close its files and workers.
    if (!finished) await batches.return?.();
  }
}

function* batchFrames(batch: RecordBatch, dictionaries: DictionaryTracker, frames?: FrameBuffers): Generator<Buffer> {
  if (batch.numRows === 0) return;
  for (const message of dictionaries.messagesFor(batch)) yield encodeFlightData(message, frames);
  for (const message of recordBatchMessages(batch)) yield encodeFlightData(message, frames);
}

/**
 * A partition that yields no batch still owes the client a Schema message; only then is the
 * plan asked again for it. Sources can avoid this by yielding one zero-row batch.
 */
async function schemaWithoutRows(source: Source, request: SourceRequest, ctx: SourceContext) {
  return (await source.describe(request, ctx)).schema;
}
