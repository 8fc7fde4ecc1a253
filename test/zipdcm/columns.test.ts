// Worker results cross threads packed (server/workers/member-columns.ts) and are copied into Arrow
// buffers row by row or a whole chunk at once (server/sources/zipdcm-schema.ts). Arrow's own
// reader (tableFromIPC over the IPC stream) must see the very values the results held, both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordBatchStreamWriter, tableFromIPC, type RecordBatch } from 'apache-arrow';
import { toColumns, unpackColumns } from '../../server/workers/member-columns.ts';
import type { MemberResult } from '../../server/workers/member-task.ts';
import { BatchBuilder, KEY_INT_COLUMNS, KEY_STRING_COLUMNS, zipdcmSchema, type RowsPart } from '../../server/sources/zipdcm-schema.ts';

function result(i: number): MemberResult {
  const bad = i % 5 === 3;
  return {
    status: bad ? 'error' : 'ok',
    meta: bad ? null : JSON.stringify({ '00100010': { vr: 'PN', Value: [{ Alphabetic: `Müller^${i}^山田` }] } }),
    error: bad ? `TRUNCATED: cut at ${i}` : null,
    strings: Array.from({ length: KEY_STRING_COLUMNS.length }, (_, k) => ((i + k) % 4 === 0 ? null : `1.2.${i}.${k}`)),
    ints: Array.from({ length: KEY_INT_COLUMNS.length }, (_, k) => ((i + k) % 3 === 0 ? null : i * 100 - k)),
    hash: i % 2 ? `h${i}` : null,
    pixelHash: i % 7 ? null : `p${i}`,
  };
}

function part(first: number, n: number, withErrors: boolean): { part: RowsPart; results: MemberResult[] } {
  const results = Array.from({ length: n }, (_, i) => result(first + i));
  const paths = results.map((_, i) => `a.zip::${i % 2 ? 'ç' : 'x'}${first + i}.dcm`);
  const errors = results.map((r, i) => (withErrors && r.error ? `${paths[i]}: ${r.error}` : null));
  return { part: { cols: unpackColumns(toColumns(results)), firstRowid: first, paths, sizes: results.map((_, i) => (i % 4 ? first + i : null)), errors }, results };
}

function rowsOf(batch: RecordBatch): unknown[] {
  const bytes = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  return tableFromIPC(bytes).toArray().map((row) => JSON.parse(JSON.stringify(row.toJSON(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));
}

test('packed columns read back through Arrow IPC equal the results, whole-part and row-by-row', () => {
  const parts = [part(0, 32, false), part(32, 1, false), part(33, 17, false)];
  const whole = new BatchBuilder(zipdcmSchema(true), true);
  const byRow = new BatchBuilder(zipdcmSchema(true), true);
  for (const { part: p } of parts) {
    whole.appendAll(p);
    for (let i = 0; i < p.cols.length; i++) byRow.append(p, i);
  }
  const a = rowsOf(whole.flush());
  const b = rowsOf(byRow.flush());
  assert.deepEqual(a, b);
  const results = parts.flatMap((p) => p.results);
  assert.equal(a.length, results.length);
  results.forEach((r, i) => {
    const row = a[i] as Record<string, unknown>;
    assert.equal(row.rowid, i);
    assert.equal(row.meta, r.meta);
    assert.equal(row.hash, r.hash);
    assert.equal(row.pixel_hash, r.pixelHash);
    KEY_STRING_COLUMNS.forEach((c, k) => assert.equal(row[c], r.strings[k]));
    KEY_INT_COLUMNS.forEach((c, k) => assert.equal(row[c], r.ints[k]));
    assert.match(String(row.path), /^a\.zip::[xç]\d+\.dcm$/);
  });
});

test('error rows keep their text; null meta stays null', () => {
  const { part: p, results } = part(0, 10, true);
  const b = new BatchBuilder(zipdcmSchema(false), false);
  for (let i = 0; i < p.cols.length; i++) b.append(p, i);
  const rows = rowsOf(b.flush()) as Record<string, unknown>[];
  results.forEach((r, i) => {
    assert.equal(rows[i].error, r.error === null ? null : `${p.paths[i]}: ${r.error}`);
    assert.equal(rows[i].meta, r.meta);
  });
});
