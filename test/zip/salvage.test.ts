// Damaged archives against Python's zipfile and Info-ZIP unzip (test/zip/make_damaged.py writes
// them and records what zipfile and `unzip -t` read from each and from the intact archive): we
// must read at least what they read, with zipfile's names and bytes; salvage what an interrupted
// copy leaves (every member whose data lies before the cut); and never return bytes that differ
// from the intact member's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collect, openBytes, PYTHON } from './fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** A signed data descriptor with 4-byte sizes (APPNOTE 4.3.9) follows each streamed member. */
const DESCRIPTOR_SIZE = 16;

interface Variant {
  base: string;
  size: number;
  intact: { name: string; sha256: string; dataEnd: number }[];
  zipfile: { names: string[]; sha256: (string | null)[] } | null;
  /** Members Info-ZIP's `unzip -t` tests OK. */
  unzip: string[];
}

/** Our reading: the open error's code, or the names and per member a SHA-256 or an error code. */
interface Ours {
  open: string | null;
  recovered: string | null;
  names: string[];
  members: Map<string, { sha256?: string; error?: string }>;
}

let dir: string;
let oracle: Record<string, Variant>;
const ours = new Map<string, Ours>();

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function readOurs(bytes: Uint8Array): Promise<Ours> {
  let archive;
  try {
    archive = await openBytes(bytes);
  } catch (err) {
    return { open: (err as { code?: string }).code ?? String(err), recovered: null, names: [], members: new Map() };
  }
  const members = new Map<string, { sha256?: string; error?: string }>();
  for (const entry of archive.entries) {
    try {
      members.set(entry.name, { sha256: sha256(await collect(archive.openStream(entry))) });
    } catch (err) {
      assert.equal((err as Error).name, 'ZipError', `${entry.name}: ${String(err)}`);
      members.set(entry.name, { error: (err as { code: string }).code });
    }
  }
  return { open: null, recovered: archive.recovered, names: archive.entries.map((e) => e.name), members };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zipflight-salvage-'));
  oracle = JSON.parse(execFileSync(PYTHON, [join(here, 'make_damaged.py'), dir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  for (const file of Object.keys(oracle)) ours.set(file, await readOurs(new Uint8Array(readFileSync(join(dir, file)))));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('damaged archives: at least what zipfile reads, never other bytes', () => {
  it('made a spread of damage (sanity)', () => {
    const files = Object.keys(oracle);
    assert.ok(files.length > 150, `${files.length} variants`);
    assert.ok(files.filter((f) => oracle[f]!.zipfile !== null).length > 40);
    assert.ok(files.filter((f) => oracle[f]!.zipfile === null).length > 100);
  });

  it('every member read has the intact archive\'s bytes', () => {
    let read = 0;
    for (const [file, v] of Object.entries(oracle)) {
      const truth = new Map(v.intact.map((m) => [m.name, m.sha256]));
      for (const [name, got] of ours.get(file)!.members) {
        if (got.sha256 === undefined) continue;
        read++;
        assert.ok(truth.has(name), `${file}: listed ${JSON.stringify(name)}, not a member of the archive`);
        assert.equal(got.sha256, truth.get(name), `${file}: ${name} read with other bytes`);
      }
    }
    assert.ok(read > 500, `${read} members read`);
  });

  it('where zipfile opens an archive we open it with the same names and read every member it reads', () => {
    let theirs = 0;
    let nested = 0;
    for (const [file, v] of Object.entries(oracle)) {
      if (v.zipfile === null) continue;
      const mine = ours.get(file)!;
      assert.equal(mine.open, null, `${file}: zipfile opens it, we say ${mine.open}`);
      const members = new Set(v.intact.map((m) => m.name));
      if (!v.zipfile.names.every((n) => members.has(n))) {
        // A cut copy whose last end record is a stored nested archive's: zipfile lists that
        // archive's members as this one's; we list this one's, rebuilt from local headers.
        nested++;
        assert.ok(mine.names.every((n) => members.has(n)) && mine.recovered !== null, `${file}: ${mine.names}`);
        continue;
      }
      assert.deepEqual(mine.names, v.zipfile.names, file);
      v.zipfile.names.forEach((name, i) => {
        const sha = v.zipfile!.sha256[i];
        if (sha === null) return;
        theirs++;
        assert.equal(mine.members.get(name)?.sha256, sha, `${file}: ${name}: zipfile reads it, we say ${mine.members.get(name)?.error}`);
      });
    }
    assert.ok(theirs > 200, `${theirs} members zipfile reads`);
    assert.ok(nested > 0, 'some cut lands after the nested archive');
  });

  it('every member Info-ZIP unzip tests OK we read too', () => {
    let theirs = 0;
    const missed: string[] = [];
    for (const [file, v] of Object.entries(oracle)) {
      const truth = new Map(v.intact.map((m) => [m.name, m.sha256]));
      // Known difference: a stored member whose uncompressed size says less than its compressed
      // size reads as zipfile reads it (the smaller count, then a CRC mismatch); unzip trusts the
      // compressed size. Each entry has one size for every reader, so only one rule can hold.
      if (/-stored-\d+-usize-minus\.zip$/.test(file)) continue;
      // unzip prints names in the terminal's charset: compare those that match a member's.
      for (const name of v.unzip.filter((n) => truth.has(n))) {
        theirs++;
        if (ours.get(file)!.members.get(name)?.sha256 !== truth.get(name)) missed.push(`${file}: ${name}`);
      }
    }
    assert.deepEqual(missed, []);
    assert.ok(theirs > 250, `${theirs} members unzip reads`);
  });

  it('a cut archive gives every member whose data lies before the cut, and an error for the one it cuts', () => {
    let salvaged = 0;
    let cutErrors = 0;
    for (const [file, v] of Object.entries(oracle)) {
      if (!/-cut-\d+\.zip$/.test(file)) continue;
      const mine = ours.get(file)!;
      const tail = v.base === 'streamed' ? DESCRIPTOR_SIZE : 0;
      for (const m of v.intact) {
        if (m.dataEnd + tail > v.size) continue;
        salvaged++;
        assert.equal(mine.members.get(m.name)?.sha256, m.sha256, `${file}: ${m.name} ends before the cut; ours: ${mine.open ?? mine.members.get(m.name)?.error ?? 'not listed'}`);
      }
      const cut = v.intact.find((m) => m.dataEnd + tail > v.size && m.dataEnd - v.size < m.dataEnd);
      const error = cut && mine.members.get(cut.name)?.error;
      // A cut inside the member's local header may leave it unlisted; a listed one must say TRUNCATED.
      if (error !== undefined) {
        cutErrors++;
        assert.equal(error, 'TRUNCATED', `${file}: ${cut!.name}`);
      }
    }
    assert.ok(salvaged > 120, `${salvaged} members before cuts`);
    assert.ok(cutErrors > 0, 'no cut member was listed with an error: the TRUNCATED check never ran');
    console.log(`salvage: ${cutErrors} cut members reported TRUNCATED`);
  });

  it('reads more than zipfile and unzip overall (tally printed)', () => {
    let zipfileReads = 0;
    let unzipReads = 0;
    let weRead = 0;
    for (const [file, v] of Object.entries(oracle)) {
      zipfileReads += v.zipfile?.sha256.filter((h) => h !== null).length ?? 0;
      unzipReads += v.unzip.length;
      weRead += [...ours.get(file)!.members.values()].filter((m) => m.sha256 !== undefined).length;
    }
    console.log(`salvage: ${Object.keys(oracle).length} damaged archives; members read: zipfile ${zipfileReads}, unzip ${unzipReads}, ours ${weRead}`);
    assert.ok(weRead > zipfileReads && weRead > unzipReads);
  });

  it('the fuzz findings (comment length past EOF, entry count lie) read as zipfile reads them', async () => {
    const findings = join(here, '..', 'fuzz', 'findings');
    for (const name of ['zip-eocd-comment-length-past-eof.zip', 'zip-eocd-entry-count-lie.zip']) {
      const script = [
        'import hashlib, json, sys, zipfile',
        'z = zipfile.ZipFile(sys.argv[1])',
        'def sha(i):',
        '    try: return hashlib.sha256(z.read(i)).hexdigest()',
        '    except Exception: return None',
        'print(json.dumps([[i.filename, sha(i)] for i in z.infolist()]))',
      ].join('\n');
      const theirs = JSON.parse(execFileSync(PYTHON, ['-c', script, join(findings, name)], { encoding: 'utf8' })) as [string, string | null][];
      const mine = await readOurs(new Uint8Array(readFileSync(join(findings, name))));
      const read = theirs.filter(([, sha]) => sha !== null);
      assert.ok(read.length >= 2, name);
      assert.deepEqual(read.map(([n]) => [n, mine.members.get(n)?.sha256]), read, name);
      assert.deepEqual(mine.names, theirs.map(([n]) => n), name);
    }
  });

  it('damage is reported on the archive when the directory was not read whole', () => {
    for (const [file, v] of Object.entries(oracle)) {
      const mine = ours.get(file)!;
      if (/-cut-\d+\.zip$/.test(file) && v.zipfile === null && mine.open === null) assert.notEqual(mine.recovered, null, file);
    }
    assert.equal(ours.get('py-count-lie-65534.zip')!.recovered, null);
  });
});
