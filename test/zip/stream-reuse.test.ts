// openStream's reuse mode (inflate-chunks.ts): chunks written into reused buffers, each valid
// until the next pull. Oracles: Python's zipfile (the bytes of every fixture member, written by
// zipfile and Info-ZIP `zip`), Python's csv (records longer than a chunk through CsvTokenizer, a
// consumer that keeps chunks) and, for damaged archives, the codes the default stream gives.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDialect, type CsvDialect } from '../../server/csv/record.ts';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { openZip, type StreamOptions, type ZipArchive, type ZipEntry } from '../../server/zip/archive.ts';
import { REUSED_OUTPUT_CHUNK } from '../../server/zip/inflate-chunks.ts';
import { BytesReader } from '../../server/storage/random-access-file.ts';
import { collect, errorCode, makeFixtures, openFile, patched, PYTHON, sha256, type Fixtures } from './fixtures.ts';

/** Members zipfile reads but we refuse (archive.test.ts checks their codes). */
const REFUSED = new Set(['iz-encrypted.zip', 'py-bzip2.zip', 'py-lzma.zip', 'py-bomb.zip']);
const CENTRAL = { crc: 16, compressed: 20, uncompressed: 24 };
const LOCAL_NAME_AT = 30;
/** Damaged variants per member in the code comparison (seeded, so a failure repeats). */
const VARIANTS = 60;

/** BytesReader that can also read into the caller's buffer (archive.ts reuses compressed reads). */
class IntoReader extends BytesReader {
  constructor(private readonly all: Uint8Array) { super(all); }
  async readInto(position: number, out: Uint8Array, offset: number, length: number): Promise<number> {
    const part = this.all.subarray(position, Math.min(this.all.length, position + length));
    out.set(part, offset);
    return part.length;
  }
}

/** Copies of the chunks as they arrive, and how many distinct buffers they were yielded in. */
async function reused(archive: ZipArchive, entry: ZipEntry, options: StreamOptions = { reuse: true }, signal?: AbortSignal) {
  const parts: Uint8Array[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const c of archive.openStream(entry, signal, options)) {
    parts.push(c.slice());
    buffers.add(c.buffer);
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), chunks: parts.length, buffers: buffers.size };
}

async function code(p: Promise<unknown>): Promise<string> {
  const c = await errorCode(p);
  return c === 'resolved' ? 'ok' : c;
}

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx?.cleanup());

describe('openStream with reuse', () => {
  it('streams every member to the bytes zipfile reads, through one output buffer', async () => {
    let members = 0;
    let multiChunk = 0;
    for (const [name, want] of Object.entries(fx.oracle)) {
      if (REFUSED.has(name)) continue;
      const { archive, close } = await openFile(fx.path(name));
      try {
        for (const [i, entry] of archive.entries.entries()) {
          const got = await reused(archive, entry);
          assert.equal(sha256(got.bytes), want.entries[i]!.sha256, `${name}::${entry.name}`);
          if (entry.method !== 0 && got.chunks > 2) {
            multiChunk++;
            assert.equal(got.buffers, 1, `${name}::${entry.name}: ${got.chunks} chunks in ${got.buffers} buffers`);
          }
          members++;
        }
      } finally {
        await close();
      }
    }
    assert.ok(members >= 80 && multiChunk >= 5, `${members} members, ${multiChunk} of several chunks`);
  });

  it('reuses compressed reads where the file can read into a buffer', async () => {
    for (const name of ['py-deflated.zip', 'py-stored.zip', 'iz-default.zip', 'py-zip64.zip']) {
      const archive = await openZip(new IntoReader(fx.bytes(name)));
      for (const [i, entry] of archive.entries.entries()) {
        const got = await reused(archive, entry);
        assert.equal(sha256(got.bytes), fx.oracle[name]!.entries[i]!.sha256, `${name}::${entry.name}`);
        if (got.chunks > 1) assert.equal(got.buffers, 1, `${name}::${entry.name}`);
      }
    }
  });

  it('leaves a retained chunk alone: chunks kept without copying still equal zipfile', async () => {
    for (const name of ['py-deflated.zip', 'py-stored.zip']) {
      const archive = await openZip(new IntoReader(fx.bytes(name)));
      for (const [i, entry] of archive.entries.entries()) {
        const kept: Uint8Array[] = [];
        for await (const c of archive.openStream(entry, undefined, { reuse: true, retained: () => true })) kept.push(c);
        assert.equal(sha256(new Uint8Array(Buffer.concat(kept))), fx.oracle[name]!.entries[i]!.sha256, `${name}::${entry.name}`);
      }
    }
  });

  it('damaged members give the default stream\'s codes (TRUNCATED, INFLATE_FAILED, SIZE_MISMATCH, CRC_MISMATCH)', async () => {
    const bytes = fx.bytes('py-deflated.zip');
    const oracle = fx.oracle['py-deflated.zip']!;
    const central = centralOffsets(bytes, oracle.startDir, oracle.entries.length);
    let seed = 7;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const seen = new Set<string>();
    for (const [i, e] of oracle.entries.entries()) {
      if (e.method !== 8 || e.compressedSize < 16) continue;
      const data = e.headerOffset + LOCAL_NAME_AT + e.name.length;
      const variants: Uint8Array[] = [
        patched(bytes, [[central[i]! + CENTRAL.crc, e.crc32 ^ 1, 4]]),
        patched(bytes, [[central[i]! + CENTRAL.uncompressed, e.size + 1, 4]]),
        patched(bytes, [[central[i]! + CENTRAL.uncompressed, Math.max(0, e.size - 1), 4]]),
        patched(bytes, [[data, 0x07, 1]]),
      ];
      for (let v = 0; v < VARIANTS; v++) {
        variants.push(v % 2 === 0
          ? patched(bytes, [[central[i]! + CENTRAL.compressed, random(e.compressedSize), 4]])
          : patched(bytes, [[data + random(e.compressedSize), random(256), 1]]));
      }
      for (const variant of variants) {
        const a = await openZip(new BytesReader(variant));
        const b = await openZip(new IntoReader(variant));
        const entry = a.entries.find((x) => x.name === e.name)!;
        const want = await code(collect(a.openStream(entry)));
        assert.equal(await code(reused(b, b.entries.find((x) => x.name === e.name)!)), want, e.name);
        seen.add(want);
      }
    }
    for (const c of ['TRUNCATED', 'INFLATE_FAILED', 'SIZE_MISMATCH', 'CRC_MISMATCH']) assert.ok(seen.has(c), [...seen].join(' '));
  });

  it('limits and abort as the default stream: LIMIT_EXCEEDED, SIZE_MISMATCH on a liar, AbortError', async () => {
    const bomb = fx.bytes('py-bomb.zip');
    const refused = await openZip(new BytesReader(bomb));
    assert.equal(await code(reused(refused, refused.entries[0]!)), 'LIMIT_EXCEEDED');
    const liar = patched(bomb, [[fx.oracle['py-bomb.zip']!.startDir + CENTRAL.uncompressed, 100_000, 4]]);
    const archive = await openZip(new BytesReader(liar));
    let seen = 0;
    await assert.rejects(async () => { for await (const c of archive.openStream(archive.entries[0]!, undefined, { reuse: true })) seen += c.length; }, { code: 'SIZE_MISMATCH' });
    assert.ok(seen <= 100_000, `yielded ${seen} bytes`);

    const big = await openZip(new BytesReader(bomb), { limits: { maxCompressionRatio: 2000 } });
    const controller = new AbortController();
    seen = 0;
    await assert.rejects(async () => {
      for await (const c of big.openStream(big.entries[0]!, controller.signal, { reuse: true })) {
        seen += c.length;
        if (seen > 1 << 20) controller.abort();
      }
    }, { name: 'AbortError' });
    assert.ok(seen <= (1 << 20) + REUSED_OUTPUT_CHUNK, `read ${seen} bytes after abort`);
  });
});

/** Offsets of each central header from the directory start (APPNOTE 4.3.12). */
function centralOffsets(bytes: Uint8Array, start: number, count: number): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const out: number[] = [];
  for (let pos = start, i = 0; i < count; i++) {
    out.push(pos);
    pos += 46 + dv.getUint16(pos + 28, true) + dv.getUint16(pos + 30, true) + dv.getUint16(pos + 32, true);
  }
  return out;
}

/** Writes data.zip (one deflated CSV member: short rows around quoted fields of ~700 KB, longer
 *  than many output windows) into argv[1] and prints csv.reader's rows of it as JSON. */
const LONG_RECORDS_PY = `
import csv, io, json, random, sys, zipfile
csv.field_size_limit(sys.maxsize)
rnd = random.Random(5)
def text(n):
    return ''.join(rnd.choice('abcdefghij ,\\n"') for _ in range(n))
rows = [['id', 'note']]
for i in range(400):
    rows.append([str(i), text(700_000) if i in (3, 4, 250) else text(rnd.randrange(0, 40))])
buf = io.StringIO()
csv.writer(buf, lineterminator='\\n').writerows(rows)
with zipfile.ZipFile(sys.argv[1] + '/data.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('data.csv', buf.getvalue())
print(json.dumps(list(csv.reader(io.StringIO(buf.getvalue())))))
`;

describe('a consumer that keeps chunks (retained)', () => {
  // CsvTokenizer keeps a chunk unscanned while a record longer than the chunks is open; a push
  // that completes no line may have kept it, and `retained` then says so.
  it('records longer than a chunk read as Python csv reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zipflight-reuse-'));
    try {
      const want = JSON.parse(execFileSync(PYTHON, ['-c', LONG_RECORDS_PY, dir], { encoding: 'utf8', maxBuffer: 64 << 20 })) as string[][];
      const { archive, close } = await openFile(join(dir, 'data.zip'));
      const got: string[][] = [];
      const dialect = makeDialect({ sep: ',', quote: '"', escape: '"', comment: '' }) as CsvDialect;
      const tokenizer = new CsvTokenizer(dialect, (rec) => got.push(Array.from({ length: rec.count }, (_, k) => rec.text(k))));
      let kept = false;
      let chunks = 0;
      for await (const chunk of archive.openStream(archive.entries[0]!, undefined, { reuse: true, retained: () => kept })) {
        const line = tokenizer.currentLine;
        tokenizer.push(chunk);
        kept = tokenizer.currentLine === line;
        chunks++;
      }
      tokenizer.end();
      await close();
      assert.ok(chunks > 8, `${chunks} chunks`);
      assert.equal(got.length, want.length);
      for (const [i, row] of got.entries()) assert.ok(row.length === want[i]!.length && row.every((f, k) => f === want[i]![k]), `row ${i}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
