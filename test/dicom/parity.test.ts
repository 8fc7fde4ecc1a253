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
import { JsonSink } from '../../server/dicom/json-sink.ts';
import { parseDicomText } from '../../server/dicom/parse-text.ts';
import { asParsedJson, bigIntsInText, bytesOf, firstDifference, keysInText, listFiles, PYTHON, pydicomData, runOracle, sameJson, tempDir } from './oracle.ts';

const data = pydicomData();
/** Top-level tags whose first value parseDicomText reports (zipdcm's key columns and a few more). */
const KEY_TAGS = ['00080018', '00080016', '0020000D', '0020000E', '00100010', '00100020', '00080020', '00080060', '00280010', '00280011',
  '00280008', '00200013', '00280030', '00280034', '00080005'];
const skip = data === null ? 'no .venv with pydicom' : false;

function checkCorpus(t: { diagnostic: (m: string) => void }, files: string[], label: string): void {
  // An empty corpus (pydicom's data moved, the edge-case writer wrote nothing) would pass unchecked.
  assert.ok(files.length > 0, `${label}: no files to compare`);
  const oracle = runOracle(files);
  const mismatches: string[] = [];
  const counts = { header: 0, full: 0, text: 0, texts: 0, direct: 0 };
  // One sink for the whole corpus, as a worker keeps one: each text is appended after the last.
  const sink = new JsonSink(256);
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
      const direct = checkDirectText(bytes, mode, r, sink, o[`${mode}_text`] ?? null, `${mode} ${file}`);
      if (direct === null) counts.direct++;
      else mismatches.push(direct);
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
  t.diagnostic(`${label}: header-only ${counts.header}/${files.length}, full ${counts.full}/${files.length} equal to pydicom; JSON text ${counts.text}/${counts.texts} equal to json.dumps; parseDicomText agrees ${counts.direct}/${2 * files.length}`);
  assert.deepEqual(mismatches, []);
  assert.ok(counts.texts > 0, `${label}: no file both sides read, so no JSON text was compared`);
}

/** parseDicomText against parseDicom (status, error, Pixel Data, key values) and against
 *  json.dumps' text where pydicom read the file; a message, or null when all agree. */
function checkDirectText(bytes: Uint8Array, mode: 'header' | 'full', r: ReturnType<typeof parseDicom>, sink: JsonSink, theirs: string | null, label: string): string | null {
  const before = sink.length;
  const d = parseDicomText(bytes, { stopBeforePixels: mode === 'header', complete: true, keyTags: KEY_TAGS }, sink);
  if (d.status !== r.status || JSON.stringify(d.error) !== JSON.stringify(r.error)) return `${label}: parseDicomText status ${d.status} ${JSON.stringify(d.error)}, parseDicom ${r.status} ${JSON.stringify(r.error)}`;
  if ((d.textStart < 0) !== (r.json === null)) return `${label}: parseDicomText ${d.textStart < 0 ? 'wrote no text' : 'wrote text'} where parseDicom's model is ${r.json === null ? 'null' : 'present'}`;
  if (d.textStart >= 0 && d.textStart !== before) return `${label}: text does not start where the sink ended`;
  if (d.textStart < 0 && sink.length !== before) return `${label}: a failed parse left bytes in the sink`;
  if (d.pixelData?.valueOffset !== r.pixelData?.valueOffset || d.pixelData?.length !== r.pixelData?.length) return `${label}: Pixel Data position differs`;
  if (r.json === null) return null;
  const text = sink.toString(d.textStart);
  // A sink of one byte grows inside every write: the same text must come out.
  const tiny = new JsonSink(1);
  parseDicomText(bytes, { stopBeforePixels: mode === 'header', complete: true, keyTags: KEY_TAGS }, tiny);
  if (tiny.toString() !== text) return `${label}: a growing sink gives other text ${textDifference(tiny.toString(), text)}`;
  if (theirs !== null && text !== theirs) return `${label}: parseDicomText differs from json.dumps' ${textDifference(text, theirs)}`;
  if (theirs === null && text !== serialiseModel(r.json)) return `${label}: parseDicomText differs from serialiseModel ${textDifference(text, serialiseModel(r.json))}`;
  const json = r.json as Record<string, { Value?: unknown[] }>;
  const expected = KEY_TAGS.map((k) => json[k]?.Value?.[0]);
  const seq = (v: unknown) => (v !== null && typeof v === 'object' && !('Alphabetic' in v) ? undefined : v);
  if (JSON.stringify(d.keyValues.map(String)) !== JSON.stringify(expected.map(seq).map(String))) return `${label}: key values ${JSON.stringify(d.keyValues.map(String))} vs the model's ${JSON.stringify(expected.map(String))}`;
  return null;
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

test('seeded random values (DS/IS layouts, escapes, Latin-1, PN groups, binary numbers) match pydicom', { skip }, (t) => {
  const dir = tempDir('dicom-random-');
  const made = spawnSync(PYTHON, [join(import.meta.dirname, 'make_random_values.py'), dir], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  checkCorpus(t, listFiles(dir), 'random values');
});

test('keysFilter leaves the listed top-level tags out and nothing else', { skip }, () => {
  const bytes = bytesOf(join(data as string, 'test_files', 'CT_small.dcm'));
  const all = parseDicom(bytes, { stopBeforePixels: false, complete: true }).json as Record<string, unknown>;
  const some = parseDicom(bytes, { stopBeforePixels: false, complete: true, keysFilter: ['7FE00010', '00100010'] }).json as Record<string, unknown>;
  assert.ok('7FE00010' in all && '00100010' in all);
  assert.deepEqual(Object.keys(some), Object.keys(all).filter((k) => k !== '7FE00010' && k !== '00100010'));
});
