// Bytes of a member in its declared `encoding` → valid UTF-8 chunks for the tokenizer (WHATWG
// Encoding Standard labels). UTF-8 passes through untouched when valid (checked natively); a
// UTF-8 BOM (EF BB BF) is skipped; bad sequences become U+FFFD as Spark's Java decoder does.
import { isUtf8 } from 'node:buffer';
import { CsvError } from './csv-error.ts';

const BOM = [0xef, 0xbb, 0xbf];
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);
const LATIN1_LABELS = new Set(['latin1', 'iso-8859-1', 'iso8859-1', 'l1']);

export interface Utf8Normalizer {
  push(chunk: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

/** A normalizer for one member; throws UNSUPPORTED_ENCODING for a label Node cannot decode. */
export function makeNormalizer(encoding: string, keepBom = false): Utf8Normalizer {
  const label = encoding.trim().toLowerCase();
  if (UTF8_LABELS.has(label)) return new Utf8Pass(keepBom);
  // Java's ISO-8859-1 maps every byte to the same code point; WHATWG's 'latin1' is windows-1252.
  if (LATIN1_LABELS.has(label)) return new Latin1();
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { ignoreBOM: keepBom });
  } catch {
    throw new CsvError('UNSUPPORTED_ENCODING', `encoding '${encoding}' is not supported`);
  }
  return {
    push: (chunk) => Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'),
    end: () => Buffer.from(decoder.decode(), 'utf8'),
  };
}

class Utf8Pass implements Utf8Normalizer {
  private started = false;
  private tail: Uint8Array = new Uint8Array(0);
  constructor(private readonly keepBom: boolean) {}

  push(chunk: Uint8Array): Uint8Array {
    let buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    if (!this.started) {
      if (buf.length < BOM.length && BOM.slice(0, buf.length).every((b, i) => buf[i] === b)) {
        this.tail = buf.slice();
        return new Uint8Array(0);
      }
      this.started = true;
      if (!this.keepBom && BOM.every((b, i) => buf[i] === b)) buf = buf.subarray(BOM.length);
    }
    const cut = completeLength(buf);
    this.tail = buf.slice(cut);
    return valid(buf.subarray(0, cut));
  }

  end(): Uint8Array {
    const rest = this.tail;
    this.tail = new Uint8Array(0);
    this.started = true;
    return valid(rest);
  }
}

class Latin1 implements Utf8Normalizer {
  push(chunk: Uint8Array): Uint8Array {
    let high = 0;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] >= 0x80) high++;
    if (high === 0) return chunk;
    const out = new Uint8Array(chunk.length + high);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b < 0x80) out[n++] = b;
      else {
        out[n++] = 0xc0 | (b >> 6);
        out[n++] = 0x80 | (b & 0x3f);
      }
    }
    return out;
  }
  end(): Uint8Array {
    return new Uint8Array(0);
  }
}

/** Length of the prefix that does not end inside a multi-byte sequence. */
function completeLength(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function valid(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || isUtf8(bytes)) return bytes;
  return Buffer.from(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), 'utf8');
}
