// Deflated Explicit VR Little Endian (PS3.5 §A.5) read incrementally when the walk stops before
// Pixel Data: files written by pydicom itself (CT_small re-encoded; a 512×512 noise image whose
// Pixel Data does not compress) read exactly as pydicom reads them in both modes, from prefixes
// too; a stream broken past Pixel Data still gives pydicom's header (the rest is never inflated)
// while the full read fails as pydicom's zlib does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDicom } from '../../server/dicom/parse.ts';
import { serialiseModel } from '../../server/dicom/serialise.ts';
import { asParsedJson, firstDifference, PYTHON, pydicomData, runOracle, sameJson, tempDir, textDisagreement } from './oracle.ts';

const skip = pydicomData() === null ? 'no .venv with pydicom' : false;

const WRITE = `
import io, sys, numpy as np, pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import DeflatedExplicitVRLittleEndian
out = sys.argv[1]
ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
ds.save_as(out + "/ct_small_dfl.dcm", enforce_file_format=True)
ds.Rows = ds.Columns = 512
ds.PixelData = np.random.default_rng(1).integers(0, 4096, 512 * 512, dtype=np.uint16).tobytes()
ds.save_as(out + "/noise_dfl.dcm", enforce_file_format=True)
`;

function writeFiles(): string {
  const dir = tempDir('dicom-deflated-');
  const r = spawnSync(PYTHON, ['-c', WRITE, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

const dir = skip ? '' : writeFiles();
const NAMES = ['ct_small_dfl.dcm', 'noise_dfl.dcm'];

test('deflated files pydicom wrote read as pydicom reads them, both modes, text too', { skip }, () => {
  const files = NAMES.map((n) => join(dir, n));
  const oracle = runOracle(files);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const mode of ['header', 'full'] as const) {
      const r = parseDicom(bytes, { stopBeforePixels: mode === 'header', complete: true });
      assert.equal(textDisagreement(bytes, { stopBeforePixels: mode === 'header', complete: true }, r), null, `${file} ${mode}`);
      assert.equal(r.status, 'ok', `${file} ${mode}`);
      assert.ok(sameJson(asParsedJson(r.json), oracle[file][mode]), `${file} ${mode}: ${firstDifference(asParsedJson(r.json), oracle[file][mode])}`);
      assert.equal(serialiseModel(r.json!), oracle[file][`${mode}_text`]);
    }
    const full = parseDicom(bytes, { stopBeforePixels: false, complete: true });
    assert.equal(createHash('sha1').update(full.pixelData!.value!).digest('hex'), oracle[file].pixel_sha1);
    // Header-only stops before Pixel Data: its position is known, its value not read.
    const header = parseDicom(bytes, { stopBeforePixels: true, complete: true });
    assert.deepEqual({ ...header.pixelData, value: null, valueLength: null }, { ...full.pixelData, value: null, valueLength: null });
  }
});

test('prefixes of a deflated file give need-more or exactly the whole file\'s header', { skip }, () => {
  const bytes = readFileSync(join(dir, 'noise_dfl.dcm'));
  const whole = parseDicom(bytes, { stopBeforePixels: true, complete: true });
  let answered = 0;
  for (let n = 200; n < bytes.length; n = Math.ceil(n * 1.5)) {
    const r = parseDicom(bytes.subarray(0, n), { stopBeforePixels: true, complete: false });
    if (r.status === 'need-more') continue;
    answered++;
    assert.ok(sameJson(asParsedJson(r.json), asParsedJson(whole.json)), `prefix ${n}`);
    assert.deepEqual(r.pixelData, whole.pixelData, `prefix ${n}`);
  }
  assert.ok(answered > 0);
});

test('a stream broken past Pixel Data: header read as pydicom reads what inflates, full read fails as pydicom does', { skip }, () => {
  const bytes = Uint8Array.from(readFileSync(join(dir, 'noise_dfl.dcm')));
  // Deflate blocks of incompressible data are stored blocks: overwrite bytes deep inside, then cut.
  bytes.fill(0xff, bytes.length - 5000, bytes.length - 4000);
  const broken = join(dir, 'broken_dfl.dcm');
  writeFileSync(broken, bytes.subarray(0, bytes.length - 3000));
  const oracle = runOracle([broken])[broken];
  assert.equal(oracle.header, null, 'pydicom fails on the broken stream');
  const header = parseDicom(readFileSync(broken), { stopBeforePixels: true, complete: true });
  assert.equal(header.status, 'ok');
  assert.ok(sameJson(asParsedJson(header.json), oracle.header_lenient ?? null));
  const full = parseDicom(readFileSync(broken), { stopBeforePixels: false, complete: true });
  assert.equal(full.status, 'error');
  assert.equal(full.error?.code, 'INFLATE');
  assert.equal(oracle.full, null);
});
