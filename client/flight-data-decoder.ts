// FlightData → Arrow IPC (Flight.proto `FlightData`; Arrow columnar format, "Encapsulated message
// format"). Flight sends each IPC message as a bare Message flatbuffer (`data_header`) plus its
// body (`data_body`); Arrow JS reads the stream format `0xFFFFFFFF, int32 length, flatbuffer
// padded to 8, body`. We rebuild that prefix per message and let Arrow's reader do the rest.
import { Message, MessageHeader, type Schema } from 'apache-arrow';

const CONTINUATION_MARKER = 0xffffffff;
const PREFIX_BYTES = 8;
const IPC_ALIGNMENT = 8;
const EMPTY = new Uint8Array(0);

/** The fields of FlightData the decoder needs (proto-loader keepCase names). */
export interface FlightDataFrame {
  data_header?: Uint8Array | null;
  data_body?: Uint8Array | null;
}

const padded = (n: number) => (n + IPC_ALIGNMENT - 1) & ~(IPC_ALIGNMENT - 1);

/** The stream-format prefix and padded flatbuffer of one FlightData's IPC message. */
export function encapsulateHeader(header: Uint8Array): Uint8Array {
  const metadataLength = padded(header.byteLength);
  const out = new Uint8Array(PREFIX_BYTES + metadataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION_MARKER, true);
  view.setInt32(4, metadataLength, true);
  out.set(header, PREFIX_BYTES);
  return out;
}

/**
 * Arrow IPC stream bytes for a sequence of FlightData: per message, the encapsulated header then
 * the body as received (no copy). FlightData without a header (app_metadata only) carries no IPC
 * message and is skipped.
 */
export async function* ipcStreamChunks(frames: AsyncIterable<FlightDataFrame>): AsyncGenerator<Uint8Array> {
  for await (const frame of frames) {
    const header = frame.data_header;
    if (!header || header.byteLength === 0) continue;
    yield encapsulateHeader(header);
    const body = frame.data_body;
    if (body && body.byteLength > 0) yield body;
    // Arrow's async byte stream pulls one chunk beyond what it has been asked for. An empty chunk
    // (which it skips) satisfies that pull, so a batch is handed out as soon as its body arrived,
    // not when the next message does.
    yield EMPTY;
  }
}

/**
 * The Schema inside FlightInfo.schema / SchemaResult.schema: an encapsulated Schema message
 * (continuation, length, flatbuffer). An old-style prefix without the continuation marker is
 * accepted too, as Arrow's own readers do.
 */
export function decodeEncapsulatedSchema(bytes: Uint8Array): Schema {
  if (bytes.byteLength < PREFIX_BYTES) throw new Error(`schema bytes too short (${bytes.byteLength})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const continued = view.getUint32(0, true) === CONTINUATION_MARKER;
  const start = continued ? PREFIX_BYTES : PREFIX_BYTES / 2;
  const length = view.getInt32(continued ? 4 : 0, true);
  if (length <= 0 || start + length > bytes.byteLength) throw new Error(`schema message length ${length} does not fit in ${bytes.byteLength} bytes`);
  const message = Message.decode(bytes.subarray(start, start + length));
  if (message.headerType !== MessageHeader.Schema) throw new Error(`expected a Schema message, got header type ${message.headerType}`);
  return message.header() as Schema;
}
