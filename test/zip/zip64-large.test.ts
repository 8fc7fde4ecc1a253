// A ZIP64 archive larger than 4 GiB (APPNOTE 4.3.14–4.3.15, 4.5.3), written by Python's zipfile
// around a filesystem hole so it costs ~1 MB of disk: members past 4 GiB read as zipfile reads
// them, and a 256 MiB member streams through with memory bounded (no whole member in memory).
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { collect, makeFixtures, openFile, sha256, type Fixtures } from './fixtures.ts';

const FOUR_GIB = 2 ** 32;
/** Generous: GC timing varies; holding the member would add its 256 MiB. */
const MAX_RSS_GROWTH = 96 << 20;
const RSS_SAMPLE_EVERY = 32;

let fx: Fixtures;
before(() => { fx = makeFixtures('sparse64'); });
after(() => fx?.cleanup());

describe('sparse ZIP64 archive over 4 GiB', () => {
  it('lists entries with offsets past 4 GiB as zipfile does', async () => {
    const path = fx.path('py-sparse64.zip');
    assert.ok(statSync(path).size > FOUR_GIB);
    const want = fx.oracle['py-sparse64.zip']!;
    const { archive, close } = await openFile(path);
    try {
      assert.equal(archive.zip64, true);
      assert.equal(archive.centralDirectoryOffset, want.startDir);
      assert.deepEqual(
        archive.entries.map((e) => [e.name, e.uncompressedSize, e.compressedSize, e.crc32, e.localHeaderOffset]),
        want.entries.map((e) => [e.name, e.size, e.compressedSize, e.crc32, e.headerOffset]),
      );
      assert.ok(archive.entries[2]!.localHeaderOffset > FOUR_GIB);
      for (const [i, entry] of archive.entries.entries()) {
        if (want.entries[i]!.sha256 === undefined) continue;
        assert.equal(sha256(await collect(archive.openStream(entry))), want.entries[i]!.sha256, entry.name);
      }
    } finally {
      await close();
    }
  });

  it('streams a 256 MiB member past 4 GiB in bounded memory, CRC and size verified', async (t) => {
    const { archive, close } = await openFile(fx.path('py-sparse64.zip'));
    try {
      const entry = archive.entries.find((e) => e.name === 'after-hole/zeros.bin')!;
      const prefix = await archive.readPrefix(entry, 4096);
      assert.deepEqual([prefix.bytes.length, prefix.complete, prefix.bytes.every((b) => b === 0)], [4096, false, true]);
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      let size = 0;
      let chunks = 0;
      for await (const chunk of archive.openStream(entry)) {
        size += chunk.length;
        if (++chunks % RSS_SAMPLE_EVERY === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      assert.equal(size, entry.uncompressedSize);
      t.diagnostic(`${chunks} chunks, peak RSS growth ${((peak - baseline) / 2 ** 20).toFixed(1)} MiB`);
      assert.ok(peak - baseline < MAX_RSS_GROWTH, `RSS grew by ${((peak - baseline) / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      await close();
    }
  });
});
