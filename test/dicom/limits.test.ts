// The element size limit (limits.maxDicomElementBytes, --max-dicom-element-bytes): a header
// element value over it ends the parse before it with LIMIT_EXCEEDED naming the tag and where its
// element starts (pydicom's raw element position is the oracle), keeping what pydicom reads before
// it; Pixel Data is exempt; a prefix asks for more bytes only until the limit is passed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDicom, type ParseResult } from '../../server/dicom/parse.ts';
import { setLimits } from '../../server/limits.ts';
import { asParsedJson, PYTHON, pydicomData, sameJson, tempDir, textDisagreement } from './oracle.ts';

const skip = pydicomData() === null ? 'no .venv with pydicom' : false;
/** Under the 100,000-byte values make_limit_cases.py writes, over everything else in the files. */
const LIMIT = 65_536;
const BIG = 100_000;

interface Case { tag: string; offset: number; json: Record<string, unknown> }

function makeCases(): { dir: string; oracle: Record<string, Case> } {
  const dir = tempDir('dicom-limits-');
  const r = spawnSync(PYTHON, [join(import.meta.dirname, 'make_limit_cases.py'), dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { dir, oracle: JSON.parse(readFileSync(join(dir, 'oracle.json'), 'utf8')) };
}

const cases = skip ? null : makeCases();
const bytesOf = (name: string) => readFileSync(join(cases!.dir, `${name}.dcm`));

/** pydicom's top-level attributes that come before `tag` in the file. */
function before(json: Record<string, unknown>, tag: string): Record<string, unknown> {
  const keys = Object.keys(json);
  return Object.fromEntries(keys.slice(0, keys.indexOf(tag)).map((k) => [k, json[k]]));
}

function assertOverLimit(r: ParseResult, c: Case, label: string): void {
  assert.equal(r.status, 'error', label);
  assert.equal(r.error?.code, 'LIMIT_EXCEEDED', label);
  assert.equal(r.error?.tag, c.tag, label);
  assert.equal(r.error?.offset, c.offset, `${label}: where the element starts, as pydicom read it`);
  assert.match(r.error?.message ?? '', new RegExp(`\\(${c.tag.slice(0, 4)},${c.tag.slice(4)}\\).*${LIMIT}`), label);
}

for (const name of ['big_top', 'big_deflated', 'big_undefined']) {
  test(`${name}: a value over the limit ends the parse before it, keeping what came before`, { skip }, () => {
    const c = cases!.oracle[name];
    for (const stopBeforePixels of [true, false]) {
      const r = parseDicom(bytesOf(name), { stopBeforePixels, complete: true, maxElementBytes: LIMIT });
      assert.equal(textDisagreement(bytesOf(name), { stopBeforePixels, complete: true, maxElementBytes: LIMIT }, r), null, name);
      assertOverLimit(r, c, name);
      assert.ok(r.json !== null && sameJson(asParsedJson(r.json), before(c.json, c.tag)), `${name}: attributes before the element`);
    }
  });
}

test('over the limit inside a sequence item: what came before it is kept, at every level', { skip }, () => {
  const c = cases!.oracle.big_in_item;
  const r = parseDicom(bytesOf('big_in_item'), { stopBeforePixels: true, complete: true, maxElementBytes: LIMIT });
  assertOverLimit(r, c, 'big_in_item');
  const sequence = (c.json['0040A730'] as { Value: Record<string, unknown>[] }).Value;
  const mine = asParsedJson(r.json) as Record<string, { Value: unknown[] }>;
  assert.deepEqual(Object.keys(mine), ['00100010', '0040A730']);
  assert.ok(sameJson(mine['0040A730'].Value, [sequence[0], before(sequence[1], c.tag)]));
});

test('values at the limit, and Pixel Data of any size, read as pydicom reads them', { skip }, () => {
  for (const name of ['big_top', 'big_in_item', 'big_deflated', 'big_undefined']) {
    const r = parseDicom(bytesOf(name), { stopBeforePixels: true, complete: true, maxElementBytes: BIG + 16 });
    assert.equal(r.status, 'ok', name);
    assert.ok(sameJson(asParsedJson(r.json), cases!.oracle[name].json), name);
  }
  // big_top's Pixel Data is 200,000 bytes: exempt.
  const full = parseDicom(bytesOf('big_top'), { stopBeforePixels: false, complete: true, maxElementBytes: BIG });
  assert.equal(full.status, 'ok');
  assert.equal(full.pixelData?.valueLength, 2 * BIG);
});

test('a prefix asks for more bytes until the value present passes the limit, then fails', { skip }, () => {
  const c = cases!.oracle.big_top;
  const head = bytesOf('big_top').subarray(0, c.offset + LIMIT);
  assert.equal(parseDicom(head, { stopBeforePixels: true, complete: false, maxElementBytes: LIMIT }).status, 'need-more');
  // A complete file cut inside the element holds no more than the limit: read short, as pydicom does.
  assert.equal(parseDicom(head, { stopBeforePixels: true, complete: true, maxElementBytes: LIMIT }).error?.code, 'TRUNCATED');
  const longer = bytesOf('big_top').subarray(0, c.offset + 2 * LIMIT);
  assertOverLimit(parseDicom(longer, { stopBeforePixels: true, complete: false, maxElementBytes: LIMIT }), c, 'prefix');
});

test('the limit defaults to limits().maxDicomElementBytes', { skip }, () => {
  const previous = setLimits({ maxDicomElementBytes: LIMIT });
  try {
    assertOverLimit(parseDicom(bytesOf('big_top'), { stopBeforePixels: true, complete: true }), cases!.oracle.big_top, 'default');
  } finally {
    setLimits(previous);
  }
  assert.equal(parseDicom(bytesOf('big_top'), { stopBeforePixels: true, complete: true }).status, 'ok');
});
