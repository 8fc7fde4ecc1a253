// server/dicom against pydicom 3.0.1 (the oracle): every file of pydicom's own test corpus
// (test_files incl. dicomdirtests, charset_files) and hand-built edge cases, in both modes
// (stop_before_pixels and full read), compared as parsed JSON, as JSON text (json.dumps with compact
// separators: attribute order, floats as repr(float), exact big integers), and ds.PixelData's bytes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDicom } from '../../server/dicom/parse.ts';
import { serialiseModel } from '../../server/dicom/serialise.ts';
import { asParsedJson, bigIntsInText, bytesOf, firstDifference, keysInText, listFiles, PYTHON, pydicomData, runOracle, sameJson, tempDir } from './oracle.ts';

const data = pydicomData();
const skip = data === null ? 'no .venv with pydicom' : false;

function checkCorpus(t: { diagnostic: (m: string) => void }, files: string[], label: string): void {
  // An empty corpus (pydicom's data moved, the edge-case writer wrote nothing) would pass unchecked.
  assert.ok(files.length > 0, `${label}: no files to compare`);
  const oracle = runOracle(files);
  const mismatches: string[] = [];
  const counts = { header: 0, full: 0, text: 0, texts: 0 };
  for (const file of files) {
    const o = oracle[file];
    const bytes = bytesOf(file);
    for (const mode of ['header', 'full'] as const) {
      const r = parseDicom(bytes, { stopBeforePixels: mode === 'header', complete: true });
      const mine = r.json === null ? null : asParsedJson(r.json);
      if (r.json !== null && o[mode] !== null) {
        const text = serialiseModel(r.json);
        if (keysInText(text).join() !== (o[`${mode}_keys`] ?? []).join()) mismatches.push(`${mode} ${file}: attribute order differs from pydicom's`);
        if (bigIntsInText(text).join() !== (o[`${mode}_big_ints`] ?? []).join()) mismatches.push(`${mode} ${file}: integers past 2^53 differ`);
        counts.texts++;
        const theirs = o[`${mode}_text`] as string;
        if (text === theirs) counts.text++;
        else mismatches.push(`${mode} ${file}: JSON text differs from json.dumps' ${textDifference(text, theirs)}`);
      }
      if (sameJson(mine, o[mode])) counts[mode]++;
      else mismatches.push(`${mode} ${file}: ${firstDifference(mine, o[mode])} ${r.error ? JSON.stringify(r.error) : ''}`);
      if (o[mode] === null) assert.equal(r.status, 'error', `${file} ${mode}: pydicom fails (${o.error}), we must report an error`);
      if (mode === 'full' && o.full !== null) {
        const value = r.pixelData?.value;
        const sha1 = value ? createHash('sha1').update(value).digest('hex') : null;
        assert.equal(sha1, o.pixel_sha1, `${file}: Pixel Data bytes differ from pydicom's ds.PixelData`);
      }
    }
    assert.equal(parseDicom(bytes, { stopBeforePixels: true, complete: true }).hasPreamble, !o.force, `${file}: DICM prefix`);
  }
  t.diagnostic(`${label}: header-only ${counts.header}/${files.length}, full ${counts.full}/${files.length} equal to pydicom; JSON text ${counts.text}/${counts.texts} equal to json.dumps`);
  assert.deepEqual(mismatches, []);
  assert.ok(counts.texts > 0, `${label}: no file both sides read, so no JSON text was compared`);
}

/** Where two texts first differ, with a little context. */
function textDifference(mine: string, theirs: string): string {
  let i = 0;
  while (i < mine.length && mine[i] === theirs[i]) i++;
  return `at ${i}: ours …${mine.slice(Math.max(0, i - 40), i + 40)}… pydicom …${theirs.slice(Math.max(0, i - 40), i + 40)}…`;
}

test('pydicom test_files (incl. dicomdirtests) match pydicom in both modes', { skip }, (t) => {
  checkCorpus(t, listFiles(join(data as string, 'test_files')), 'test_files');
});

test('pydicom charset_files match pydicom in both modes', { skip }, (t) => {
  checkCorpus(t, listFiles(join(data as string, 'charset_files')), 'charset_files');
});

test('hand-built edge cases (VR rules, charsets, ambiguous VRs, private, UN, sequences) match pydicom', { skip }, (t) => {
  const dir = tempDir('dicom-edge-');
  const made = spawnSync(PYTHON, [join(import.meta.dirname, 'make_edge_cases.py'), dir], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  checkCorpus(t, listFiles(dir), 'edge cases');
});

test('keysFilter leaves the listed top-level tags out and nothing else', { skip }, () => {
  const bytes = bytesOf(join(data as string, 'test_files', 'CT_small.dcm'));
  const all = parseDicom(bytes, { stopBeforePixels: false, complete: true }).json as Record<string, unknown>;
  const some = parseDicom(bytes, { stopBeforePixels: false, complete: true, keysFilter: ['7FE00010', '00100010'] }).json as Record<string, unknown>;
  assert.ok('7FE00010' in all && '00100010' in all);
  assert.deepEqual(Object.keys(some), Object.keys(all).filter((k) => k !== '7FE00010' && k !== '00100010'));
});
