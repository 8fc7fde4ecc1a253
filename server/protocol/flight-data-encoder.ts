// Protobuf wire encoding (protobuf.dev "Encoding": varints, length-delimited fields) of the one
// message zipflight sends in bulk, Flight's FlightData {data_header = 2, data_body = 1000}. Written
// by hand so each body buffer is copied once, straight into the gRPC payload, with its padding.
import type { IpcMessage } from './ipc-messages.ts';

const WIRE_LENGTH_DELIMITED = 2;
const DATA_HEADER_FIELD = 2;
const DATA_BODY_FIELD = 1000;
const VARINT_CONTINUE = 0x80;
const DATA_HEADER_TAG = (DATA_HEADER_FIELD << 3) | WIRE_LENGTH_DELIMITED;
const DATA_BODY_TAG = (DATA_BODY_FIELD << 3) | WIRE_LENGTH_DELIMITED;
const IPC_ALIGNMENT = 8;

function varintLength(n: number): number {
  let len = 1;
  while (n >= VARINT_CONTINUE) {
    n = Math.floor(n / VARINT_CONTINUE);
    len++;
  }
  return len;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= VARINT_CONTINUE) {
    out[pos++] = (n % VARINT_CONTINUE) | VARINT_CONTINUE;
    n = Math.floor(n / VARINT_CONTINUE);
  }
  out[pos++] = n;
  return pos;
}

const fieldLength = (tag: number, len: number) => varintLength(tag) + varintLength(len) + len;

/** The serialized FlightData for one IPC message: ready for grpc-js to frame and send. */
export function encodeFlightData(message: IpcMessage): Buffer {
  const { header, buffers, bodyLength } = message;
  const size = fieldLength(DATA_HEADER_TAG, header.byteLength) + (bodyLength > 0 ? fieldLength(DATA_BODY_TAG, bodyLength) : 0);
  const out = Buffer.allocUnsafe(size);
  let pos = writeVarint(out, 0, DATA_HEADER_TAG);
  pos = writeVarint(out, pos, header.byteLength);
  out.set(header, pos);
  pos += header.byteLength;
  if (bodyLength === 0) return out;
  pos = writeVarint(out, pos, DATA_BODY_TAG);
  pos = writeVarint(out, pos, bodyLength);
  const bodyEnd = pos + bodyLength;
  for (const buf of buffers) {
    out.set(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), pos);
    const end = pos + ((buf.byteLength + IPC_ALIGNMENT - 1) & ~(IPC_ALIGNMENT - 1));
    out.fill(0, pos + buf.byteLength, end);
    pos = end;
  }
  // The assembler's bodyLength is the sum of padded buffers; anything else is a bug upstream.
  if (pos !== bodyEnd) throw new Error(`FlightData body length mismatch: wrote ${pos}, expected ${bodyEnd}`);
  return out;
}
