// server/dicom on inputs cut short and on garbage: truncated copies of real files read exactly
// as pydicom 3.0.1 reads the same bytes; a prefix (complete=false) gives 'need-more' or exactly
// the whole file's header; random and mutated bytes never throw and still match pydicom.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDicom } from '../../server/dicom/parse.ts';
import { asParsedJson, bytesOf, firstDifference, pydicomData, runOracle, sameJson, tempDir, textDisagreement } from './oracle.ts';

const data = pydicomData();
const skip = data === null ? 'no .venv with pydicom' : false;
const FILES = ['CT_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'JPEG2000.dcm', 'image_dfl.dcm',
  'nested_priv_SQ.dcm', 'rtplan.dcm', 'no_meta.dcm', 'waveform_ecg.dcm', 'reportsi.dcm'];
const FINE_PREFIXES = 8192;
const path = (name: string) => join(data as string, 'test_files', name);

function cutPoints(length: number): number[] {
  const fixed = [0, 1, 10, 131, 132, 140, 200, 333, 700, 1200, 2500];
  const relative = [Math.floor(length / 3), Math.floor(length / 2), length - 100, length - 9, length - 7, length - 1];
  return [...new Set([...fixed, ...relative])].filter((c) => c >= 0 && c < length);
}

/** Inputs whose header was read although pydicom fails on their broken deflated stream. */
const readPastBreak: string[] = [];

function compareWithOracle(specs: string[]): string[] {
  const oracle = runOracle(specs);
  const mismatches: string[] = [];
  for (const spec of specs) {
    const bytes = bytesOf(spec);
    for (const mode of ['header', 'full'] as const) {
      const opts = { stopBeforePixels: mode === 'header', complete: true };
      const r = parseDicom(bytes, opts);
      const text = textDisagreement(bytes, opts, r);
      if (text !== null) mismatches.push(`${mode} ${spec}: ${text}`);
      const mine = r.json === null ? null : asParsedJson(r.json);
      if (sameJson(mine, oracle[spec][mode])) continue;
      // A deflated dataset broken past Pixel Data: pydicom's zlib.decompress fails the file; we
      // inflate only up to Pixel Data, so the header is what pydicom reads from what inflates.
      const stoppedEarly = mode === 'header' && r.pixelData?.inflated === true && r.pixelData.value === null && oracle[spec].header === null;
      if (stoppedEarly && sameJson(mine, oracle[spec].header_lenient ?? null)) {
        readPastBreak.push(spec);
        continue;
      }
      mismatches.push(`${mode} ${spec}: ${firstDifference(mine, oracle[spec][mode])}`);
    }
  }
  return mismatches;
}

test('truncated copies read as pydicom reads the same bytes', { skip }, (t) => {
  const specs = FILES.flatMap((f) => cutPoints(bytesOf(path(f)).length).map((c) => `${path(f)}@${c}`));
  assert.deepEqual(compareWithOracle(specs), []);
  t.diagnostic(`${specs.length} truncated copies × 2 modes equal to pydicom; ${readPastBreak.length} deflated ones read up to Pixel Data where pydicom's zlib fails`);
});

test('a value cut short is an error row that still carries pydicom\'s JSON and says where', { skip }, () => {
  const whole = bytesOf(path('CT_small.dcm'));
  const pixels = parseDicom(whole, { stopBeforePixels: true, complete: true }).pixelData;
  assert.ok(pixels);
  const r = parseDicom(whole.subarray(0, pixels.valueOffset + 10), { stopBeforePixels: false, complete: true });
  assert.equal(r.status, 'error');
  assert.equal(r.error?.code, 'TRUNCATED');
  assert.equal(r.error?.tag, '7FE00010');
  assert.equal(r.error?.offset, pixels.valueOffset);
  assert.ok(r.json !== null && '00100010' in r.json);
  assert.equal(parseDicom(whole, { stopBeforePixels: false, complete: true }).status, 'ok');
});

test('a prefix gives need-more or exactly the whole file\'s header and Pixel Data position', { skip }, () => {
  for (const f of FILES) {
    const whole = bytesOf(path(f));
    const full = parseDicom(whole, { stopBeforePixels: true, complete: true });
    let firstOk = -1;
    let after = 0;
    // Every 61 bytes through the first 8 KB (most headers), then ×1.25; a few sizes past the first success.
    for (let n = 0; n < whole.length && after < 8; n = n < FINE_PREFIXES ? n + 61 : Math.ceil(n * 1.25)) {
      const opts = { stopBeforePixels: true, complete: false };
      const r = parseDicom(whole.subarray(0, n), opts);
      assert.equal(textDisagreement(whole.subarray(0, n), opts, r), null, `${f}@${n}`);
      if (r.status === 'need-more') {
        assert.equal(firstOk, -1, `${f}@${n}: need-more after a shorter prefix was enough`);
        continue;
      }
      if (firstOk < 0) firstOk = n;
      after++;
      assert.equal(r.status, full.status, `${f}@${n}`);
      assert.ok(sameJson(asParsedJson(r.json), asParsedJson(full.json)), `${f}@${n}: ${firstDifference(r.json, full.json)}`);
      assert.deepEqual(r.pixelData, full.pixelData, `${f}@${n}`);
    }
  }
});

/** Deterministic bytes (xorshift32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % 256;
  };
}

test('garbage and mutated files never throw and match pydicom', { skip }, (t) => {
  const dir = tempDir('dicom-garbage-');
  const next = prng(20261125);
  const sources = FILES.map((f) => bytesOf(path(f)).subarray(0, 4000));
  const specs: string[] = [];
  for (let i = 0; i < 400; i++) {
    let bytes: Uint8Array;
    if (i % 4 === 0) bytes = Uint8Array.from({ length: next() * 3 }, next);
    else if (i % 4 === 1) bytes = Uint8Array.from([...new Uint8Array(128), 0x44, 0x49, 0x43, 0x4d, ...Array.from({ length: next() * 2 }, next)]);
    else {
      bytes = Uint8Array.from(sources[i % sources.length]);
      // Random bytes, or the 4-byte patterns the walker branches on: undefined lengths,
      // Item / Item Delimitation / Sequence Delimitation tags, a VR turned to UN or SQ.
      // ... and tags other elements' decoding depends on: Pixel Representation, Specific Character
      // Set, LUT Descriptor/Data, Bits Allocated, Pixel Data, a private creator.
      const patterns = [[0xff, 0xff, 0xff, 0xff], [0xfe, 0xff, 0x00, 0xe0], [0xfe, 0xff, 0x0d, 0xe0], [0xfe, 0xff, 0xdd, 0xe0], [0x55, 0x4e], [0x53, 0x51],
        [0x28, 0x00, 0x03, 0x01], [0x08, 0x00, 0x05, 0x00], [0x28, 0x00, 0x02, 0x30], [0x28, 0x00, 0x06, 0x30], [0x28, 0x00, 0x00, 0x01],
        [0xe0, 0x7f, 0x10, 0x00], [0x29, 0x00, 0x10, 0x00]];
      for (let k = 0; k < 1 + (next() % 12); k++) {
        const at = (next() * 256 + next()) % bytes.length;
        if (i % 8 < 4) bytes[at] = next();
        else bytes.set(patterns[next() % patterns.length].slice(0, bytes.length - at), at & ~1);
      }
    }
    const file = join(dir, `g${i}.bin`);
    writeFileSync(file, bytes);
    specs.push(file);
    for (const stopBeforePixels of [true, false]) {
      for (const complete of [true, false]) {
        const r = parseDicom(bytes, { stopBeforePixels, complete });
        assert.equal(textDisagreement(bytes, { stopBeforePixels, complete }, r), null, `g${i}`);
        assert.ok(['ok', 'error', 'need-more'].includes(r.status));
        if (complete) assert.notEqual(r.status, 'need-more');
      }
    }
  }
  assert.deepEqual(compareWithOracle(specs), []);
  t.diagnostic(`${specs.length} garbage/mutated inputs equal to pydicom in both modes`);
});
