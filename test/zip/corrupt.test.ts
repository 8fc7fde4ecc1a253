// Corrupt and hostile archives → stable ZipError codes, never a hang, a crash or another error
// type. Each starts from an archive Python's zipfile wrote and patches bytes at the offsets
// zipfile reports (APPNOTE 4.3.7 local header, 4.3.12 central header, 4.3.16 end record).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { collect, errorCode, makeFixtures, openBytes, patched, type Fixtures, type OracleArchive } from './fixtures.ts';

const EOCD_SIZE = 22;
const EOCD_CD_SIZE_AT = 12;
const EOCD_CD_OFFSET_AT = 16;
const EOCD_ENTRIES_AT = 10;
const CENTRAL = { flags: 8, method: 10, crc: 16, compressed: 20, uncompressed: 24, nameLength: 28, localOffset: 42, name: 46 };
const LOCAL = { flags: 6, method: 8, name: 30 };

let fx: Fixtures;
let deflated: Uint8Array;
let stored: Uint8Array;
let bomb: Uint8Array;
before(() => {
  fx = makeFixtures();
  deflated = fx.bytes('py-deflated.zip');
  stored = fx.bytes('py-stored.zip');
  bomb = fx.bytes('py-bomb.zip');
});
after(() => fx?.cleanup());

/** Offsets of each central header, walked from zipfile's start_dir. */
function centralHeaders(bytes: Uint8Array, oracle: OracleArchive): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const out: number[] = [];
  let pos = oracle.startDir;
  for (let i = 0; i < oracle.entries.length; i++) {
    out.push(pos);
    pos += CENTRAL.name + dv.getUint16(pos + CENTRAL.nameLength, true) + dv.getUint16(pos + 30, true) + dv.getUint16(pos + 32, true);
  }
  return out;
}

/** Open, then read every member whole and as a prefix; the first error's code, or 'ok'. */
async function outcome(bytes: Uint8Array, member?: string, limits?: object): Promise<string> {
  const code = await errorCode((async () => {
    const archive = await openBytes(bytes, { limits });
    for (const entry of archive.entries) {
      if (member !== undefined && entry.name !== member) continue;
      await collect(archive.openStream(entry));
      await archive.readPrefix(entry, entry.uncompressedSize);
    }
  })());
  return code === 'resolved' ? 'ok' : code;
}

const entry = (name: string, archive = 'py-deflated.zip') => {
  const oracle = fx.oracle[archive]!;
  const i = oracle.entries.findIndex((e) => e.name === name);
  return { ...oracle.entries[i]!, central: centralHeaders(fx.bytes(archive), oracle)[i]! };
};

describe('corrupt archives give stable ZipError codes', () => {
  it('the unpatched archives read fine (the patches below are what fails)', async () => {
    assert.equal(await outcome(deflated), 'ok');
    assert.equal(await outcome(stored), 'ok');
  });

  it('empty and garbage files: EOCD_NOT_FOUND', async () => {
    assert.equal(await outcome(new Uint8Array(0)), 'EOCD_NOT_FOUND');
    assert.equal(await outcome(new Uint8Array(randomBytes(10_000))), 'EOCD_NOT_FOUND');
    // A cut archive after junk: no end record, and no local header at byte 0 to rebuild from.
    assert.equal(await outcome(Buffer.concat([Buffer.from('MZ not a zip'), deflated.subarray(0, deflated.length - EOCD_SIZE)])), 'EOCD_NOT_FOUND');
  });

  it('cut archives (no end record): entries rebuilt from local headers, the cut member TRUNCATED', async () => {
    for (const cut of [10, EOCD_SIZE]) {
      const archive = await openBytes(deflated.subarray(0, deflated.length - cut));
      assert.match(String(archive.recovered), /^EOCD_NOT_FOUND: .*6 entries rebuilt from local headers$/);
      assert.equal(await outcome(deflated.subarray(0, deflated.length - cut)), 'ok', `cut ${cut}`);
    }
    const ct = entry('sub/ct.raw');
    const half = deflated.subarray(0, ct.headerOffset + (ct.compressedSize >> 1));
    assert.equal(await outcome(half), 'TRUNCATED');
    for (const name of ['hello.txt', 'random.bin', 'zeros.bin']) assert.equal(await outcome(half, name), 'ok', name);
  });

  it('end record lying about the directory: read from the declared offset, or from local headers', async () => {
    const eocd = deflated.length - EOCD_SIZE;
    const cdSize = new DataView(deflated.buffer).getUint32(eocd + EOCD_CD_SIZE_AT, true);
    for (const size of [cdSize + 10, cdSize - 10, 0xfffffff0]) {
      const bytes = patched(deflated, [[eocd + EOCD_CD_SIZE_AT, size, 4]]);
      assert.equal(await outcome(bytes), 'ok', `size ${size}`);
      assert.match(String((await openBytes(bytes)).recovered), /directory size \d+ is wrong/);
    }
    // Counts are hints, as in zipfile; the directory is walked by its size.
    const countLie = patched(deflated, [[eocd + EOCD_ENTRIES_AT, 0xffff, 2]]);
    assert.equal(await outcome(countLie), 'ok');
    assert.equal((await openBytes(countLie)).entries.length, fx.oracle['py-deflated.zip']!.entries.length);
    // A larger directory offset reads as bytes lost before the directory, a smaller one as
    // prepended data (zipfile's reading): every offset moves and no local header is found.
    const cdOffset = fx.oracle['py-deflated.zip']!.startDir;
    assert.equal(await outcome(patched(deflated, [[eocd + EOCD_CD_OFFSET_AT, cdOffset + 1000, 4]])), 'BAD_LOCAL_HEADER');
    assert.equal(await outcome(patched(deflated, [[eocd + EOCD_CD_OFFSET_AT, cdOffset - 1000, 4]])), 'BAD_LOCAL_HEADER');
    const zip64Lie = patched(deflated, [[eocd + EOCD_CD_OFFSET_AT, 0xffffffff, 4]]);
    assert.match(String((await openBytes(zip64Lie)).recovered), /^ZIP64_INVALID: .* rebuilt from local headers$/);
  });

  it('a damaged central header: the entries before it, or all rebuilt from local headers', async () => {
    const e = entry('zeros.bin');
    const bytes = patched(deflated, [[e.central, 0x02014b51, 4]]);
    const archive = await openBytes(bytes);
    assert.match(String(archive.recovered), /^BAD_CENTRAL_HEADER: .*6 entries rebuilt from local headers$/);
    assert.equal(await outcome(bytes), 'ok');
  });

  it('bad local headers: BAD_LOCAL_HEADER', async () => {
    const e = entry('random.bin');
    assert.equal(await outcome(patched(deflated, [[e.headerOffset, 0x04034b51, 4]])), 'BAD_LOCAL_HEADER');
    assert.equal(await outcome(patched(deflated, [[e.headerOffset + LOCAL.name, 'R'.charCodeAt(0), 1]])), 'BAD_LOCAL_HEADER');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.localOffset, 1, 4]])), 'BAD_LOCAL_HEADER');
    const first = entry('hello.txt');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.localOffset, first.headerOffset, 4]])), 'BAD_LOCAL_HEADER');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.localOffset, deflated.length + 100, 4]])), 'BAD_LOCAL_HEADER');
  });

  it('lying sizes: MEMBER_OVERLAP, TRUNCATED, SIZE_MISMATCH', async () => {
    const e = entry('random.bin');
    const last = entry('sub/ct.raw');
    // A deflate stream ends by itself: a compressed size past the next member, the directory or
    // the end of the file is cut to the room there is (zipfile reads these too)...
    for (const [at, size] of [[e.central, e.compressedSize + 1000], [last.central, last.compressedSize + 10], [e.central, 0x7fffffff]]) {
      assert.equal(await outcome(patched(deflated, [[at! + CENTRAL.compressed, size!, 4]])), 'ok', `size ${size}`);
    }
    // ...but a stream that does not end there is cut short.
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.compressed, e.compressedSize - 100, 4]])), 'TRUNCATED');
    // Stored data has no end of its own: its sizes are what there is.
    const s = entry('random.bin', 'py-stored.zip');
    const sl = entry('sub/ct.raw', 'py-stored.zip');
    const both = (x: typeof s, size: number) => patched(stored, [[x.central + CENTRAL.compressed, size, 4], [x.central + CENTRAL.uncompressed, size, 4]]);
    assert.equal(await outcome(both(s, s.size + 1000)), 'MEMBER_OVERLAP');
    assert.equal(await outcome(both(sl, sl.size + 10)), 'MEMBER_OVERLAP');
    assert.equal(await outcome(both(s, 0x7fffffff)), 'TRUNCATED');
    for (const size of [e.size - 1, e.size + 1, 0]) {
      assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.uncompressed, size, 4]])), 'SIZE_MISMATCH', `size ${size}`);
    }
    // Stored sizes that disagree: zipfile reads the smaller count of bytes and checks the CRC.
    const h = entry('hello.txt', 'py-stored.zip');
    assert.equal(await outcome(patched(stored, [[h.central + CENTRAL.uncompressed, h.size + 1, 4]])), 'ok');
    assert.equal(await outcome(patched(stored, [[h.central + CENTRAL.compressed, h.size + 7, 4]])), 'ok');
    assert.equal(await outcome(patched(stored, [[h.central + CENTRAL.uncompressed, h.size - 1, 4]])), 'CRC_MISMATCH');
  });

  it('damaged data: CRC_MISMATCH, INFLATE_FAILED', async () => {
    const e = entry('hello.txt');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.crc, e.crc32 ^ 1, 4]])), 'CRC_MISMATCH');
    const s = entry('hello.txt', 'py-stored.zip');
    const dataAt = s.headerOffset + LOCAL.name + s.name.length;
    assert.equal(await outcome(patched(stored, [[dataAt + 7, 0x21, 1]])), 'CRC_MISMATCH');
    const dataStart = e.headerOffset + LOCAL.name + e.name.length;
    assert.equal(await outcome(patched(deflated, [[dataStart, 0x07, 1]])), 'INFLATE_FAILED'); // reserved block type
  });

  it('Deflate64, unknown methods and encryption flags: refused, naming the method', async () => {
    const e = entry('hello.txt');
    const deflate64 = patched(deflated, [[e.central + CENTRAL.method, 9, 2], [e.headerOffset + LOCAL.method, 9, 2]]);
    assert.equal(await outcome(deflate64, 'hello.txt'), 'UNSUPPORTED_METHOD');
    const archive = await openBytes(deflate64);
    await assert.rejects(collect(archive.openStream(archive.entries[0]!)), /Deflate64 \(method 9\)/);
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.method, 77, 2]]), 'hello.txt'), 'UNSUPPORTED_METHOD');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.flags, 1, 2]]), 'hello.txt'), 'ENCRYPTED');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.flags, 0x40, 2]]), 'hello.txt'), 'ENCRYPTED');
    assert.equal(await outcome(patched(deflated, [[e.central + CENTRAL.flags, 1, 2]]), 'random.bin'), 'ok');
  });

  it('zip bombs: refused before inflating, or stopped at the declared size', async () => {
    const b = entry('bomb.bin', 'py-bomb.zip');
    assert.equal(await outcome(bomb), 'LIMIT_EXCEEDED'); // ratio over the default 1000:1
    assert.equal(await outcome(bomb, undefined, { maxCompressionRatio: 2000 }), 'ok');
    assert.equal(await outcome(bomb, undefined, { maxCompressionRatio: 2000, maxInflatedBytes: b.size - 1 }), 'LIMIT_EXCEEDED');
    // Declared small, inflates big: the stream stops just past the declared size.
    const liar = patched(bomb, [[b.central + CENTRAL.uncompressed, 100_000, 4]]);
    assert.equal(await outcome(liar), 'SIZE_MISMATCH');
    const archive = await openBytes(liar);
    let seen = 0;
    await assert.rejects(async () => { for await (const c of archive.openStream(archive.entries[0]!)) seen += c.length; }, { code: 'SIZE_MISMATCH' });
    assert.ok(seen <= 100_000, `yielded ${seen} bytes`);
    // Even a short prefix: its first compressed bytes already inflate past the declared size.
    assert.equal(await errorCode(archive.readPrefix(archive.entries[0]!, 50)), 'SIZE_MISMATCH');
    assert.equal(await errorCode(archive.readPrefix(archive.entries[0]!, 200_000)), 'SIZE_MISMATCH');
  });

  it('too many entries: LIMIT_EXCEEDED', async () => {
    assert.equal(await outcome(deflated, undefined, { maxEntries: 3 }), 'LIMIT_EXCEEDED');
  });

  it('aborting a stream stops it promptly with the signal reason', async () => {
    const archive = await openBytes(bomb, { limits: { maxCompressionRatio: 2000 } });
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(async () => {
      for await (const c of archive.openStream(archive.entries[0]!, controller.signal)) {
        seen += c.length;
        if (seen > 1 << 20) controller.abort();
      }
    }, { name: 'AbortError' });
    assert.ok(seen < 4 << 20, `read ${seen} bytes after abort`);
    await assert.rejects(archive.readPrefix(archive.entries[0]!, 10, controller.signal), { name: 'AbortError' });
  });
});
