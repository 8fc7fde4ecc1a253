// pixel_hash's value range (server/workers/pixel-value.ts) against pydicom 3.0's ds.PixelData
// over pydicom's own test corpus: defined-length and encapsulated (PS3.5 §A.4) values, whole and
// streamed in random chunk sizes, including a fragment that embeds a delimiter pattern.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EncapsulatedValue, littleEndianAt, pixelDataRange } from '../../server/workers/pixel-value.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
// pydicom is the oracle: where each Pixel Data value starts and the SHA-1 of ds.PixelData.
const ORACLE = `
import hashlib, json, logging, pathlib, warnings, pydicom
warnings.simplefilter("ignore")
logging.getLogger("pydicom").setLevel(logging.CRITICAL)
out = []
for p in sorted((pathlib.Path(pydicom.__file__).parent / "data" / "test_files").rglob("*.dcm")):
    try:
        ds = pydicom.dcmread(p)
        # Deflated transfer syntax: file_tell indexes the inflated dataset, not the file.
        if "PixelData" not in ds or ds.file_meta.get("TransferSyntaxUID") == "1.2.840.10008.1.2.1.99": continue
        el = ds["PixelData"]
        implicit = ds.original_encoding[0]
        out.append({"path": str(p), "valueOffset": el.file_tell, "elementOffset": el.file_tell - (8 if implicit else 12),
                    "undefined": el.is_undefined_length, "sha1": hashlib.sha1(ds.PixelData).hexdigest()})
    except Exception:
        pass
print(json.dumps(out))
`;

interface Case { path: string; valueOffset: number; elementOffset: number; undefined: boolean; sha1: string }

const cases: Case[] = JSON.parse(execFileSync(PYTHON, ['-c', ORACLE], { encoding: 'utf8', maxBuffer: 16 << 20 }));
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

/** A small deterministic PRNG so chunk boundaries vary but failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('the oracle found defined-length and encapsulated Pixel Data, incl. an embedded delimiter', () => {
  assert.ok(cases.filter((c) => c.undefined).length >= 10);
  assert.ok(cases.filter((c) => !c.undefined).length >= 10);
  assert.ok(cases.some((c) => c.path.endsWith('JPEG2000-embedded-sequence-delimiter.dcm')));
});

test('pixelDataRange covers exactly ds.PixelData', () => {
  for (const c of cases) {
    const data = new Uint8Array(readFileSync(c.path));
    const length = c.undefined ? null : new DataView(data.buffer).getUint32(c.valueOffset - 4, littleEndianAt(data, c.elementOffset));
    const range = pixelDataRange(data, { elementOffset: c.elementOffset, valueOffset: c.valueOffset, length });
    assert.ok(range, c.path);
    assert.equal(sha1(data.subarray(range[0], range[1])), c.sha1, c.path);
  }
});

test('EncapsulatedValue streams the same value in any chunking and stops after the delimiter item', () => {
  const random = lcg(7);
  for (const c of cases.filter((x) => x.undefined)) {
    const data = new Uint8Array(readFileSync(c.path));
    const [, end] = pixelDataRange(data, { elementOffset: c.elementOffset, valueOffset: c.valueOffset, length: null })!;
    for (let round = 0; round < 5; round++) {
      const hash = createHash('sha1');
      const value = new EncapsulatedValue(littleEndianAt(data, c.elementOffset), (b) => hash.update(b));
      const rest: Uint8Array[] = [];
      for (let at = c.valueOffset; at < data.length; ) {
        const n = 1 + Math.floor(random() * (round === 0 ? 3 : 4096));
        const chunk = data.subarray(at, Math.min(data.length, at + n));
        rest.push(value.done ? chunk : chunk.subarray(value.feed(chunk)));
        at += chunk.length;
      }
      assert.ok(value.done, c.path);
      assert.equal(hash.digest('hex'), c.sha1, c.path);
      assert.deepEqual(Buffer.concat(rest), Buffer.from(data.subarray(end + 8)), `${c.path}: bytes after the delimiter item`);
    }
  }
});
