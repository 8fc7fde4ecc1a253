// The ZIP reader against Python's zipfile (the oracle) on archives written by zipfile and Info-ZIP
// `zip`: deflated, stored, deflate level 0/9, ZIP64 (forced, small-limit records, `zip -fz`), data
// descriptors (unseekable writer, `zip -` to a pipe, stdin), UTF-8 and CP437 names, comments,
// prepended bytes. Every entry's fields and every member's bytes must equal zipfile's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { collect, errorCode, makeFixtures, openFile, sha256, type Fixtures } from './fixtures.ts';

/** Archives whose members Python reads but we refuse, with the code we must give. */
const REFUSED: Record<string, string> = {
  'iz-encrypted.zip': 'ENCRYPTED',
  'py-bzip2.zip': 'UNSUPPORTED_METHOD',
  'py-lzma.zip': 'UNSUPPORTED_METHOD',
  'py-bomb.zip': 'LIMIT_EXCEEDED', // ~1030:1, over the default compression-ratio limit
};
const PREFIX_BYTES = [0, 1, 132, 5000];

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx?.cleanup());

describe('archives written by zipfile and Info-ZIP read as zipfile reads them', () => {
  it('made the expected fixtures', () => {
    assert.ok(Object.keys(fx.oracle).length >= 20, Object.keys(fx.oracle).join(' '));
  });

  it('lists every entry with the same name, sizes, CRC, method, flags and offset', async () => {
    for (const [name, want] of Object.entries(fx.oracle)) {
      const { archive, close } = await openFile(fx.path(name));
      try {
        assert.equal(archive.centralDirectoryOffset, want.startDir, name);
        assert.equal(archive.comment, want.comment, name);
        const got = archive.entries.map((e) => ({
          name: e.name, size: e.uncompressedSize, compressedSize: e.compressedSize, crc32: e.crc32,
          method: e.method, flags: e.flags, headerOffset: e.localHeaderOffset,
        }));
        assert.deepEqual(got, want.entries.map(({ sha256: _, ...rest }) => rest), name);
      } finally {
        await close();
      }
    }
  });

  it('streams every member to the bytes zipfile reads, and prefixes agree', async () => {
    let members = 0;
    for (const [name, want] of Object.entries(fx.oracle)) {
      if (REFUSED[name]) continue;
      const { archive, close } = await openFile(fx.path(name));
      try {
        for (const [i, entry] of archive.entries.entries()) {
          const bytes = await collect(archive.openStream(entry));
          assert.equal(sha256(bytes), want.entries[i]!.sha256, `${name}::${entry.name}`);
          for (const n of PREFIX_BYTES) {
            const prefix = await archive.readPrefix(entry, n);
            assert.deepEqual(prefix.bytes, bytes.subarray(0, n), `${name}::${entry.name} prefix ${n}`);
            assert.equal(prefix.complete, n >= bytes.length, `${name}::${entry.name} complete ${n}`);
          }
          const whole = await archive.readPrefix(entry, entry.uncompressedSize);
          assert.ok(whole.complete && sha256(whole.bytes) === want.entries[i]!.sha256);
          members++;
        }
      } finally {
        await close();
      }
    }
    assert.ok(members >= 80, `${members} members compared`);
  });

  it('refuses encrypted, BZIP2 and LZMA members with a code naming why', async () => {
    for (const [name, code] of Object.entries(REFUSED)) {
      const { archive, close } = await openFile(fx.path(name));
      try {
        for (const entry of archive.entries) {
          assert.equal(await errorCode(collect(archive.openStream(entry))), code, name);
          assert.equal(await errorCode(archive.readPrefix(entry, 10)), code, name);
        }
      } finally {
        await close();
      }
    }
    const { archive, close } = await openFile(fx.path('py-lzma.zip'));
    await assert.rejects(archive.readPrefix(archive.entries[0]!, 1), /LZMA \(method 14\)/);
    await close();
  });

  it('uses ZIP64 end records where zipfile and Info-ZIP wrote them', async () => {
    for (const [name, zip64] of [['py-zip64.zip', true], ['iz-fz.zip', true], ['py-deflated.zip', false]] as const) {
      const { archive, close } = await openFile(fx.path(name));
      assert.equal(archive.zip64, zip64, name);
      await close();
    }
  });
});
