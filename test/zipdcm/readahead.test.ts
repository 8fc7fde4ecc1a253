// ReadAheadFile (server/sources/zipdcm-readahead.ts) returns exactly the bytes of the file it
// wraps, for any mix of small and large, sequential and interleaved reads, in fewer reads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataRoot } from '../../server/storage/data-root.ts';
import { BytesReader, type RandomAccessFile } from '../../server/storage/random-access-file.ts';
import { ReadAheadFile } from '../../server/sources/zipdcm-readahead.ts';

class Counting implements RandomAccessFile {
  reads = 0;
  failNext = false;
  readonly size: number;
  constructor(private readonly inner: RandomAccessFile) {
    this.size = inner.size;
  }
  async read(position: number, length: number): Promise<Uint8Array> {
    this.reads++;
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    }
    return this.inner.read(position, length);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const DATA = randomBytes(1 << 20);

test('every read equals the same range of the file, also past its end', async () => {
  const file = new ReadAheadFile(new BytesReader(DATA));
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const reads = Array.from({ length: 400 }, () => [next() % (DATA.length + 100), [30, 200, 16 << 10, 40 << 10, 300 << 10][next() % 5]!]);
  const got = await Promise.all(reads.map(([p, n]) => file.read(p!, n!)));
  got.forEach((bytes, i) => {
    const [p, n] = reads[i]!;
    assert.deepEqual(Buffer.from(bytes), DATA.subarray(p!, p! + n!), `read ${p}+${n}`);
  });
});

test('a local header read and the prefix behind it cost one read of the file', async () => {
  const inner = new Counting(new BytesReader(DATA));
  const file = new ReadAheadFile(inner);
  for (let member = 0; member < 10; member++) {
    const at = member * 3000;
    await file.read(at, 46);
    await file.read(at + 80, 2000);
  }
  assert.ok(inner.reads <= 1, `${inner.reads} reads`);
});

test('a failed read is not cached', async () => {
  const inner = new Counting(new BytesReader(DATA));
  const file = new ReadAheadFile(inner);
  inner.failNext = true;
  await assert.rejects(file.read(100, 10), /EIO/);
  assert.deepEqual(Buffer.from(await file.read(100, 10)), DATA.subarray(100, 110));
});

test('returned buffers are fresh copies (transferable to a worker)', async () => {
  const file = new ReadAheadFile(new BytesReader(DATA));
  const a = await file.read(0, 100);
  const b = await file.read(0, 100);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 100);
});

test('a data-root file exposes its descriptor to pool workers (the chunked read path), bytes in memory do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zipdcm-fd-'));
  try {
    writeFileSync(join(dir, 'a.bin'), DATA.subarray(0, 5000));
    const root = await DataRoot.open(dir);
    const file = new ReadAheadFile(await root.openFile('a.bin'));
    const fd = file.descriptor();
    assert.equal(typeof fd, 'number');
    const out = Buffer.alloc(100);
    assert.equal(readSync(fd!, out, 0, 100, 1234), 100);
    assert.deepEqual(out, DATA.subarray(1234, 1334));
    await file.close();
    assert.equal(new ReadAheadFile(new BytesReader(DATA)).descriptor(), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
