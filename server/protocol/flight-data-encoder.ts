// Protobuf wire encoding (protobuf.dev "Encoding": varints, length-delimited fields) of the one
// message zipflight sends in bulk, Flight's FlightData {data_header = 2, data_body = 1000}. Written
// by hand so each body buffer is copied once, straight into the gRPC payload, with its padding.
import { TARGET_BODY_BYTES, type IpcMessage } from './ipc-messages.ts';

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

/** Room for a full-size message's flatbuffer header and field tags next to its body. */
const SLAB_HEADROOM = 64 * 1024;
const SLAB_BYTES = TARGET_BODY_BYTES + SLAB_HEADROOM;
/** Free slabs kept per stream: about grpc-js's object-mode write queue (16) plus the one in flight. */
const MAX_FREE_SLABS = 20;

/**
 * Recycles one stream's FlightData buffers. grpc-js copies each message into its own framed
 * buffer (5-byte gRPC prefix) before the write callback runs, so once that callback has fired our
 * buffer is garbage: reusing it saves allocating (and collecting) the stream's bytes a second time.
 * Only call release() from the write callback; a frame never released is simply collected.
 */
export class FrameBuffers {
  private readonly free: Buffer[] = [];
  private readonly slabOf = new WeakMap<Buffer, Buffer>();

  take(size: number): Buffer {
    if (size > SLAB_BYTES) return Buffer.allocUnsafe(size);
    const slab = this.free.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
    const frame = slab.subarray(0, size);
    this.slabOf.set(frame, slab);
    return frame;
  }

  release(frame: Buffer): void {
    const slab = this.slabOf.get(frame);
    if (!slab) return;
    this.slabOf.delete(frame);
    if (this.free.length < MAX_FREE_SLABS) this.free.push(slab);
  }
}

/** The serialized FlightData for one IPC message: ready for grpc-js to frame and send. */
export function encodeFlightData(message: IpcMessage, frames?: FrameBuffers): Buffer {
  const { header, buffers, bodyLength } = message;
  const size = fieldLength(DATA_HEADER_TAG, header.byteLength) + (bodyLength > 0 ? fieldLength(DATA_BODY_TAG, bodyLength) : 0);
  const out = frames ? frames.take(size) : Buffer.allocUnsafe(size);
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
