// inflate.ts against deflate streams written by Python's zlib (levels 0/1/9, Huffman-only, RLE,
// fixed codes, a sync-flushed stream) and by Info-ZIP `zip`: both backends, whole, prefix and
// streaming, must give back the bytes Python compressed; cut or corrupt streams give stable codes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { inflateRaw, inflateRawStream, STREAM_OUTPUT_CHUNK, type InflateBackend } from '../../server/zip/inflate.ts';
import { PYTHON, sha256 } from './fixtures.ts';

const ORACLE = String.raw`
import base64, hashlib, json, random, zlib
rng = random.Random(3)
inputs = {
  "text": b"The quick brown fox jumps over the lazy dog. " * 3000,
  "noise": rng.randbytes(70000),
  "mixed": bytes(rng.randrange(16) for _ in range(200000)),
  "zeros": bytes(300000),
  "empty": b"",
}
streams = []
for name, data in inputs.items():
  for label, level, strategy in [("l0", 0, 0), ("l1", 1, 0), ("l9", 9, 0), ("huff", 6, zlib.Z_HUFFMAN_ONLY), ("rle", 6, zlib.Z_RLE), ("fixed", 6, zlib.Z_FIXED)]:
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    raw = c.compress(data) + c.flush()
    streams.append({"id": name + "/" + label, "raw": base64.b64encode(raw).decode(), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
  c = zlib.compressobj(6, zlib.DEFLATED, -15)
  half = len(data) // 2
  raw = c.compress(data[:half]) + c.flush(zlib.Z_SYNC_FLUSH) + c.compress(data[half:]) + c.flush()
  streams.append({"id": name + "/sync", "raw": base64.b64encode(raw).decode(), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
print(json.dumps(streams))
`;

interface Stream { id: string; raw: string; size: number; sha256: string }
const streams = (JSON.parse(execFileSync(PYTHON, ['-c', ORACLE], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Stream[])
  .map((s) => ({ ...s, bytes: new Uint8Array(Buffer.from(s.raw, 'base64')) }));
const BACKENDS: InflateBackend[] = ['zlib', 'fflate'];

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function codeOf(fn: () => unknown): string {
  try { fn(); return 'returned'; } catch (err) { return String((err as { code?: string }).code); }
}

describe('inflateRaw', () => {
  it('inflates every Python zlib stream whole to the original bytes, both backends', () => {
    assert.ok(streams.length >= 35);
    for (const backend of BACKENDS) {
      for (const s of streams) {
        const out = inflateRaw(s.bytes, { backend, expectedSize: s.size });
        assert.equal(sha256(out), s.sha256, `${backend} ${s.id}`);
      }
    }
  });

  it('decodes compressed prefixes to prefixes of the original', () => {
    for (const s of streams.filter((x) => x.size > 0)) {
      const original = inflateRaw(s.bytes);
      for (const cut of [100, Math.floor(s.bytes.length / 3), s.bytes.length]) {
        const got = { zlib: 0, fflate: 0 };
        for (const backend of BACKENDS) {
          const out = inflateRaw(s.bytes.subarray(0, cut), { backend, prefix: true, expectedSize: s.size });
          assert.deepEqual(out, original.subarray(0, out.length), `${backend} ${s.id} cut ${cut}`);
          got[backend] = out.length;
        }
        if (cut === s.bytes.length) assert.equal(got.zlib, s.size, `${s.id} whole input as prefix`);
      }
    }
  });

  it('stopAfter ends a prefix at that much output: the same bytes, never more, both backends', () => {
    let bounded = 0;
    for (const s of streams.filter((x) => x.size > 0)) {
      const original = inflateRaw(s.bytes);
      for (const cut of [100, Math.floor(s.bytes.length / 3), s.bytes.length]) {
        const unbounded = inflateRaw(s.bytes.subarray(0, cut), { prefix: true }).length;
        for (const stopAfter of [1, 4096, 65536, s.size + 7]) {
          for (const backend of BACKENDS) {
            const out = inflateRaw(s.bytes.subarray(0, cut), { backend, prefix: true, stopAfter, expectedSize: s.size });
            assert.deepEqual(out, original.subarray(0, out.length), `${backend} ${s.id} cut ${cut} stop ${stopAfter}`);
            if (backend === 'zlib') assert.equal(out.length, Math.min(stopAfter, unbounded), `${s.id} cut ${cut} stop ${stopAfter}`);
            else assert.ok(out.length <= stopAfter);
            if (out.length === stopAfter && stopAfter < unbounded) bounded++;
          }
        }
      }
    }
    assert.ok(bounded > 100, `only ${bounded} prefixes were cut by stopAfter`);
  });

  it('stopAfter: a corrupt stream is INFLATE_FAILED, the next call decodes again; over the declared size is SIZE_MISMATCH', () => {
    const s = streams.find((x) => x.id === 'mixed/l9')!;
    const reservedBlockType = new Uint8Array([0x07, ...s.bytes.subarray(1)]);
    const original = inflateRaw(s.bytes);
    for (let round = 0; round < 2; round++) {
      assert.equal(codeOf(() => inflateRaw(reservedBlockType, { prefix: true, stopAfter: 4096 })), 'INFLATE_FAILED');
      assert.deepEqual(inflateRaw(s.bytes, { prefix: true, stopAfter: 4096 }), original.subarray(0, 4096));
    }
    const zeros = streams.find((x) => x.id === 'zeros/l9')!;
    assert.equal(codeOf(() => inflateRaw(zeros.bytes, { prefix: true, stopAfter: 4096, expectedSize: 1000 })), 'SIZE_MISMATCH');
    assert.equal(inflateRaw(zeros.bytes, { prefix: true, stopAfter: 4096, expectedSize: 4096 }).length, 4096);
  });

  it('a stream cut before its final block is TRUNCATED, a corrupt one INFLATE_FAILED', () => {
    const s = streams.find((x) => x.id === 'mixed/l9')!;
    const reservedBlockType = new Uint8Array([0x07, ...s.bytes.subarray(1)]); // BTYPE 11 (RFC 1951 3.2.3)
    for (const backend of BACKENDS) {
      assert.equal(codeOf(() => inflateRaw(s.bytes.subarray(0, s.bytes.length - 10), { backend })), 'TRUNCATED', backend);
      assert.equal(codeOf(() => inflateRaw(reservedBlockType, { backend })), 'INFLATE_FAILED', backend);
      assert.equal(codeOf(() => inflateRaw(reservedBlockType, { backend, prefix: true })), 'INFLATE_FAILED', backend);
    }
  });

  it('output over the declared size is SIZE_MISMATCH, over a limit LIMIT_EXCEEDED, short is SIZE_MISMATCH', () => {
    const s = streams.find((x) => x.id === 'zeros/l9')!;
    for (const backend of BACKENDS) {
      assert.equal(codeOf(() => inflateRaw(s.bytes, { backend, expectedSize: 1000 })), 'SIZE_MISMATCH', backend);
      assert.equal(codeOf(() => inflateRaw(s.bytes, { backend, expectedSize: s.size + 1 })), 'SIZE_MISMATCH', backend);
      assert.equal(codeOf(() => inflateRaw(s.bytes, { backend, maxOutput: 4096 })), 'LIMIT_EXCEEDED', backend);
      assert.equal(codeOf(() => inflateRaw(s.bytes, { backend, prefix: true, expectedSize: 10 })), 'SIZE_MISMATCH', backend);
      assert.equal(inflateRaw(s.bytes, { backend, maxOutput: s.size }).length, s.size, backend);
    }
  });
});

describe('inflateRawStream', () => {
  it('streams every Python zlib stream, fed in odd-sized pieces, to the original bytes', async () => {
    for (const backend of BACKENDS) {
      for (const s of streams) {
        const parts: Uint8Array[] = [];
        for await (const chunk of inflateRawStream(chunked(s.bytes, 4093), { backend })) {
          if (backend === 'zlib') assert.ok(chunk.length <= STREAM_OUTPUT_CHUNK);
          parts.push(chunk);
        }
        assert.equal(sha256(Buffer.concat(parts)), s.sha256, `${backend} ${s.id}`);
      }
    }
  });

  it('a cut stream is TRUNCATED; a failing source passes its own error through', async () => {
    const s = streams.find((x) => x.id === 'noise/l1')!;
    for (const backend of BACKENDS) {
      await assert.rejects(collectAll(inflateRawStream(chunked(s.bytes.subarray(0, 5000), 1000), { backend })), { code: 'TRUNCATED' });
      async function* failing() { yield s.bytes.subarray(0, 1000); throw new Error('disk on fire'); }
      await assert.rejects(collectAll(inflateRawStream(failing(), { backend })), /disk on fire/);
    }
  });

  it('stops when the signal aborts, and when the consumer stops early', async () => {
    const s = streams.find((x) => x.id === 'zeros/l1')!;
    for (const backend of BACKENDS) {
      const controller = new AbortController();
      let seen = 0;
      await assert.rejects(async () => {
        for await (const chunk of inflateRawStream(chunked(s.bytes, 64), { backend, signal: controller.signal })) {
          seen += chunk.length;
          controller.abort();
        }
      }, { name: 'AbortError' });
      assert.ok(seen > 0 && seen < s.size, `${backend} saw ${seen}`);
      for await (const _ of inflateRawStream(chunked(s.bytes, 64), { backend })) break;
    }
  });

  it('works inside a worker thread', async () => {
    const s = streams.find((x) => x.id === 'text/l9')!;
    const code = `
      const { register } = await import('tsx/esm/api'); register();
      const { parentPort, workerData } = await import('node:worker_threads');
      const { inflateRaw } = await import(${JSON.stringify(new URL('../../server/zip/inflate.ts', import.meta.url).href)});
      parentPort.postMessage(inflateRaw(workerData, { prefix: true, stopAfter: 300 }).length);`;
    const worker = new Worker(code, { eval: true, workerData: s.bytes.subarray(0, 200) });
    const length = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    assert.equal(length, 300);
  });
});

async function collectAll(it: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of it) n += c.length;
  return n;
}
