// The fused zipcsv path (server/sources/zipcsv-fast.ts) and recycled batch buffers, against
// Python's csv module (escapechar '\' with doubled quotes, the two escapes Spark and Python read
// alike) plus int()/float()/fromisoformat() per value: a member cut into chunks of 1–200 bytes, so
// records end at every position of a chunk and the fused path has to decline and roll back; and
// a read through zipcsvSource of a ZIP that Python's zipfile wrote, consumed batch by batch as
// DoGet does, whose later batches must land in the buffers of earlier ones and stay correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { DataRoot } from '../../server/storage/data-root.ts';
import { BatchSink } from '../../server/sources/zipcsv-batches.ts';
import { parseZipcsvOptions } from '../../server/sources/zipcsv-options.ts';
import { MemberRows } from '../../server/sources/zipcsv-rows.ts';
import { buildSchema, layoutOf } from '../../server/sources/zipcsv-schema.ts';
import { zipcsvSource } from '../../server/sources/zipcsv.ts';

const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const skip = !existsSync(PYTHON) && 'no .venv';
const SCHEMA = 'id int, name string, value double, ok boolean, at timestamp, note string, _corrupt_record string';
const MAX_CHUNK = 200;
const MiB = 1024 * 1024;

// xorshift32: an LCG's low bits (taken by % n) repeat in short cycles and leave combinations out.
let state = 23;
const rand = (n: number) => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
};
const pick = <T>(xs: T[]) => xs[rand(xs.length)];

function memberText(rows: number): string {
  const lines = ['id,name,value,ok,at,note'];
  for (let i = 0; i < rows; i++) {
    const fields = [
      pick([String(i), String(-i), `"${i}"`, '', rand(100) === 0 ? 'x' : String(i * 7)]),
      pick([`n${i}`, `"a, ${i}"`, `"say ""hi"" ${i}"`, `"back\\"slash ${i}"`, `"two\\\\ ${i}"`, '""', '', 'é€😀', 'a-much-longer-name-than-a-word-or-two']),
      pick([`${i / 8}`, `-${i}.25`, '+3', '.5', '1e3', `"${i}.5"`, '', rand(50) === 0 ? '1.2.3' : '0.1']),
      pick(['true', 'FALSE', '', 'True']),
      pick([`${1900 + rand(200)}-0${1 + rand(9)}-${10 + rand(19)}T${10 + rand(14)}:${10 + rand(50)}:${10 + rand(50)}`, `2024-01-0${1 + rand(9)}T0${rand(10)}:0${rand(10)}:0${rand(10)}`, `1969-12-31 23:59:5${rand(10)}`, `2023-12-3${rand(2)} 23:59`, '',
        rand(30) === 0 ? pick(['2024-13-01T00:00:00', '2023-02-29T10:00:00', '2024-01-01T24:00:00', '2024-01-01T00:60:00', '2024-0a-01T00:00:00']) : `2024-02-29T1${rand(10)}:00:00`]),
      pick(['', 'routine', '"multi\nline"', '"x,y"', 'tail']),
    ];
    if (rand(300) === 0) fields.pop();
    if (rand(300) === 0) fields.push('extra');
    lines.push(fields.join(','));
  }
  return lines.map((l, i) => l + (i % 3 === 0 ? '\r\n' : '\n')).join('');
}

/** Python's reading of the member: rows of [id, name, value, ok, at µs, note, malformed]. */
const ORACLE = `
import csv, io, json, sys, datetime as d
text = sys.stdin.read()
E = d.datetime(1970, 1, 1)
def ts(s):
    t = d.datetime.fromisoformat(s)
    return (t - E) // d.timedelta(microseconds=1)
def boolean(s):
    if s.lower() not in ("true", "false"): raise ValueError(s)
    return s.lower() == "true"
conv = [int, str, float, boolean, ts, str]
out = []
for raw in list(csv.reader(io.StringIO(text, newline=""), escapechar="\\\\", doublequote=True))[1:]:
    vals, bad = [], len(raw) != 6
    for k in range(6):
        s = raw[k] if k < len(raw) else ""
        if s == "": vals.append(None); continue
        try: vals.append(conv[k](s))
        except ValueError: vals.append(None); bad = True
    out.append(vals + [bad])
print(json.dumps(out))
`;

function oracle(text: string): unknown[][] {
  const py = spawnSync(PYTHON, ['-c', ORACLE], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout);
}

/** A batch's rows as plain values, copied out (the timestamp as its stored µs). */
function rowsOf(batch: RecordBatch): unknown[][] {
  const cols = batch.schema.fields.map((f) => batch.getChild(f.name)!);
  const micros = cols[4].data[0].values as BigInt64Array;
  const out: unknown[][] = [];
  for (let i = 0; i < batch.numRows; i++) {
    out.push([cols[0].get(i), cols[1].get(i), cols[2].get(i), cols[3].get(i), cols[4].isValid(i) ? Number(micros[i]) : null, cols[5].get(i), cols[6].get(i) !== null]);
  }
  return out;
}

test("fused records cut at every chunk position equal Python's csv (PERMISSIVE)", { skip }, () => {
  const text = memberText(6000);
  const expected = oracle(text);
  const settings = parseZipcsvOptions({ header: true, schema: SCHEMA });
  const schema = buildSchema([], settings);
  const sink = new BatchSink(schema);
  const rows = new MemberRows(layoutOf(schema, settings), settings, sink, 'a.zip', 'm.csv');
  const tokenizer = new CsvTokenizer(settings.dialect, rows);
  const bytes = new TextEncoder().encode(text);
  const header = bytes.indexOf(0x0a) + 1;
  tokenizer.push(bytes.slice(0, header));
  // Count the records the fused path took, so this cannot pass on the general path alone.
  const fast = rows.fast!;
  const read = fast.read.bind(fast);
  let fused = 0;
  fast.read = (...args) => {
    const next = read(...args);
    if (next >= 0) fused++;
    return next;
  };
  const got: unknown[][] = [];
  for (let at = header; at < bytes.length;) {
    const n = 1 + rand(MAX_CHUNK);
    tokenizer.push(bytes.slice(at, at + n));
    at += n;
    for (const batch of sink.take(false)) got.push(...rowsOf(batch));
  }
  tokenizer.end();
  for (const batch of sink.take(true)) got.push(...rowsOf(batch));
  assert.equal(got.length, expected.length);
  assert.ok(expected.some((r) => r[6] === true), 'the member has malformed rows');
  assert.ok(fused > expected.length / 4, `the fused path took ${fused} of ${expected.length} records`);
  for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `row ${i}`);
});

test("a read consumed batch by batch reuses earlier batches' buffers and equals Python's csv", { skip }, async () => {
  const text = memberText(70_000);
  const dir = mkdtempSync(join(tmpdir(), 'zipcsv-fast-'));
  try {
    const zip = spawnSync(PYTHON, ['-c', 'import sys,zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z: z.writestr("m.csv", sys.stdin.buffer.read())', join(dir, 'a.zip')], { input: text });
    assert.equal(zip.status, 0, String(zip.stderr));
    const ctx = { root: await DataRoot.open(dir), signal: new AbortController().signal };
    const request = { path: 'a.zip', options: { header: true, schema: SCHEMA } };
    const plan = await zipcsvSource.describe(request, ctx);
    assert.equal(plan.partitions.length, 1);
    const got: unknown[][] = [];
    const buffers = new Set<ArrayBufferLike>();
    let batches = 0;
    for await (const batch of zipcsvSource.read(request, plan.partitions[0].spec, ctx)) {
      batches++;
      buffers.add(batch.getChild('name')!.data[0].values.buffer);
      got.push(...rowsOf(batch)); // copied out before the next batch is pulled (the contract)
    }
    assert.ok(batches >= 4, `${batches} batches`);
    assert.ok(buffers.size < batches, `${batches} batches in ${buffers.size} distinct name buffers: nothing was reused`);
    assert.deepEqual(got, oracle(text));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a member 18,000 fields wide reads in bounded memory and equals Python's csv (header=false)", { skip }, () => {
  const width = 18_000;
  const lines = Array.from({ length: 40 }, (_, r) => (r % 4 === 3 ? `short,${r},"q, ${r}"` : Array.from({ length: width }, (_, c) => ((r + c) % 5 === 0 ? '' : `${r}.${c}`)).join(',')));
  const text = lines.join('\n') + '\n';
  const py = spawnSync(PYTHON, ['-c', 'import csv,io,json,sys\nprint(json.dumps([row + [None] * (18000 - len(row)) for row in ([v or None for v in r] for r in csv.reader(io.StringIO(sys.stdin.read(), newline="")))]))'], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as unknown[][];
  const settings = parseZipcsvOptions({ mode: 'PERMISSIVE' });
  const schema = buildSchema([{ where: 'w.csv', names: null, width, kinds: [] }], settings);
  const base = process.memoryUsage();
  const sink = new BatchSink(schema);
  const tokenizer = new CsvTokenizer(settings.dialect, new MemberRows(layoutOf(schema, settings), settings, sink, 'w.zip', 'w.csv'));
  const bytes = new TextEncoder().encode(text);
  const got: unknown[][] = [];
  let peak = 0;
  const collect = (final: boolean) => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    for (const batch of sink.take(final)) {
      const cols = batch.schema.fields.slice(0, width).map((f) => batch.getChild(f.name)!);
      for (let i = 0; i < batch.numRows; i++) got.push(cols.map((c) => c.get(i)));
    }
  };
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    tokenizer.push(bytes.slice(at, at + 64 * 1024));
    collect(false);
  }
  tokenizer.end();
  collect(true);
  assert.ok(peak < 256 * MiB, `memory grew by ${(peak / MiB).toFixed(0)} MiB for a ${(bytes.length / MiB).toFixed(1)} MiB member`);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `row ${i}`);
});
