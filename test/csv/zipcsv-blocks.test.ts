// The column-at-a-time path (server/sources/zipcsv-block.ts) against Python's csv module: a member
// of many blocks and batches, with quoted fields, doubled quotes, empty fields, values that do not
// parse and records of the wrong width scattered through it, fed in uneven chunks, in PERMISSIVE
// and DROPMALFORMED. Python splits the records and converts the values (int(), float()); a row is
// malformed when its width is wrong or a value does not convert, as the mode rules say (Spark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { BatchSink } from '../../server/sources/zipcsv-batches.ts';
import { parseZipcsvOptions } from '../../server/sources/zipcsv-options.ts';
import { MemberRows } from '../../server/sources/zipcsv-rows.ts';
import { buildSchema, layoutOf } from '../../server/sources/zipcsv-schema.ts';

// From the repo root whatever the cwd: a relative path skipped the Python oracle tests outside it.
const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const skip = !existsSync(PYTHON) && 'no .venv';
const ROWS = 40_000;

let seed = 5;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);

function memberText(): string {
  const lines = ['id,name,value,when'];
  for (let i = 0; i < ROWS; i++) {
    const id = rand(200) === 0 ? `x${i}` : rand(50) === 0 ? '' : String(i - 1000);
    const name = [`n${i}`, `"q, ${i}"`, `"say ""${i}"""`, '', '"multi\nline"'][rand(5)];
    const value = rand(300) === 0 ? 'nope' : rand(40) === 0 ? '' : (i / 8 - 50).toString();
    const when = rand(300) === 0 ? '2024-13-01T00:00:00' : `2024-0${1 + rand(9)}-1${rand(10)}T0${rand(10)}:1${rand(10)}:00`;
    const fields = [id, name, value, when];
    if (rand(500) === 0) fields.pop();
    if (rand(500) === 0) fields.push('extra');
    lines.push(fields.join(','));
  }
  return lines.join(rand(2) ? '\n' : '\r\n') + '\n';
}

/** Python's reading: csv.reader records, int()/float()/datetime.fromisoformat() per value. */
const ORACLE = `
import csv, io, json, sys, datetime as d
text, mode = json.load(sys.stdin)
rows = list(csv.reader(io.StringIO(text, newline='')))[1:]
E = d.datetime(1970, 1, 1)
conv = [int, str, float, lambda s: (d.datetime.fromisoformat(s) - E) // d.timedelta(microseconds=1)]
out = []
for raw in rows:
    vals, bad = [], len(raw) != 4
    for k in range(4):
        s = raw[k] if k < len(raw) else ''
        if s == '': vals.append(None); continue
        try: vals.append(conv[k](s))
        except ValueError: vals.append(None); bad = True
    if bad and mode == 'DROPMALFORMED': continue
    out.append(vals + [bad])
print(json.dumps(out))
`;

function readThroughRows(text: string, mode: string): unknown[][] {
  const settings = parseZipcsvOptions({ header: true, schema: 'id int, name string, value double, when timestamp, _corrupt_record string', mode });
  const schema = buildSchema([], settings);
  const sink = new BatchSink(schema);
  const tokenizer = new CsvTokenizer(settings.dialect, new MemberRows(layoutOf(schema, settings), settings, sink, 'a.zip', 'm.csv'));
  const bytes = new TextEncoder().encode(text);
  const out: unknown[][] = [];
  const collect = (final: boolean) => {
    for (const batch of sink.take(final)) {
      const [id, name, value, when, corrupt] = batch.schema.fields.map((f) => batch.getChild(f.name)!);
      // The timestamp's stored µs (Vector.get would give milliseconds).
      const micros = when.data[0].values as BigInt64Array;
      for (let i = 0; i < batch.numRows; i++) {
        out.push([id.get(i), name.get(i), value.get(i), when.isValid(i) ? Number(micros[i]) : null, corrupt.get(i) !== null]);
      }
    }
  };
  for (let at = 0; at < bytes.length;) {
    const n = 1 + rand(64 * 1024);
    tokenizer.push(bytes.slice(at, at + n));
    at += n;
    collect(false);
  }
  tokenizer.end();
  collect(true);
  return out;
}

for (const mode of ['PERMISSIVE', 'DROPMALFORMED']) {
  test(`blocks of typed columns equal Python's csv + int/float/fromisoformat (${mode})`, { skip }, () => {
    const text = memberText();
    const py = spawnSync(PYTHON, ['-c', ORACLE], { input: JSON.stringify([text, mode]), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(py.status, 0, py.stderr);
    const expected = JSON.parse(py.stdout) as unknown[][];
    const got = readThroughRows(text, mode);
    assert.equal(got.length, expected.length);
    assert.ok(expected.some((r) => r[4] === true) === (mode === 'PERMISSIVE'), 'the member has malformed rows');
    for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `row ${i}`);
  });
}

test("a wide member (2,000 columns: few rows per block) equals Python's csv, header=false", { skip }, () => {
  const width = 2000;
  const lines = Array.from({ length: 100 }, (_, r) => Array.from({ length: width }, (_, c) => ((r + c) % 7 === 0 ? '' : (r * c) % 5 === 0 ? `"v,${r}.${c}"` : `${r}.${c}`)).join(','));
  const text = lines.join('\n') + '\n';
  const py = spawnSync(PYTHON, ['-c', 'import csv,io,json,sys\nprint(json.dumps([[v or None for v in row] for row in csv.reader(io.StringIO(sys.stdin.read(), newline=""))]))'], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const settings = parseZipcsvOptions({ mode: 'FAILFAST' });
  const names = Array.from({ length: width }, (_, c) => `_c${c}`);
  const schema = buildSchema([{ where: 'w.csv', names: null, width, kinds: [] }], settings);
  assert.deepEqual(schema.fields.map((f) => f.name), names);
  const sink = new BatchSink(schema);
  const tokenizer = new CsvTokenizer(settings.dialect, new MemberRows(layoutOf(schema, settings), settings, sink, 'w.zip', 'w.csv'));
  tokenizer.push(new TextEncoder().encode(text));
  tokenizer.end();
  const got: unknown[][] = [];
  for (const batch of sink.take(true)) for (const row of batch.toArray()) got.push(names.map((n) => row[n]));
  assert.deepEqual(got, JSON.parse(py.stdout));
});
