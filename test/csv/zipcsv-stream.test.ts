// zipcsv's row pipeline without ZIP or gRPC: asLines stripping against Python's str.strip(), and a
// member far larger than a batch (generated chunk by chunk, ~100 MB) flowing through the tokenizer,
// the row mapper and the batch builder with bounded memory and every row counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { BatchSink, BATCH_ROWS } from '../../server/sources/zipcsv-batches.ts';
import { stripRange } from '../../server/sources/zipcsv-lines.ts';
import { parseZipcsvOptions } from '../../server/sources/zipcsv-options.ts';
import { MemberRows } from '../../server/sources/zipcsv-rows.ts';
import { buildSchema, layoutOf } from '../../server/sources/zipcsv-schema.ts';

// From the repo root whatever the cwd: a relative path skipped the Python oracle tests outside it.
const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const MiB = 1024 * 1024;

test('asLines strip equals Python str.strip() on whitespace-heavy lines', { skip: !existsSync(PYTHON) && 'no .venv' }, () => {
  const pieces = [' ', '\t', '\x0b', '\x0c', '\r', '\x1c', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b', 'a', 'é', '€', '😀', ','];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const lines = Array.from({ length: 400 }, () => Array.from({ length: rand(8) }, () => pieces[rand(pieces.length)]).join(''));
  const py = spawnSync(PYTHON, ['-c', 'import json,sys\nprint(json.dumps([s.strip() for s in json.load(sys.stdin)]))'], { input: JSON.stringify(lines), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const expected: string[] = JSON.parse(py.stdout);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const got = lines.map((l) => {
    const b = enc.encode(l);
    const [s, e] = stripRange(b, 0, b.length);
    return dec.decode(b.subarray(s, e));
  });
  assert.deepEqual(got, expected);
});

test('a ~100 MB member streams through tokenizer, rows and batches in bounded memory', () => {
  const settings = parseZipcsvOptions({ header: 'true', schema: 'id bigint, name string, value double, ok boolean', mode: 'FAILFAST' });
  const schema = buildSchema([], settings);
  const sink = new BatchSink(schema);
  const rows = new MemberRows(layoutOf(schema, settings), settings, sink, 'big.zip', 'big.csv');
  const tokenizer = new CsvTokenizer(settings.dialect, rows);
  const lines = Array.from({ length: 2000 }, (_, i) => `${i},"name ${i}, quoted",${i / 4},${i % 2 === 0}\n`).join('');
  const block = new TextEncoder().encode(lines);
  const blocks = Math.ceil((100 * MiB) / block.length);
  const base = process.memoryUsage();
  let peak = 0;
  let seen = 0;
  let idSum = 0;
  tokenizer.push(new TextEncoder().encode('id,name,value,ok\n'));
  for (let k = 0; k < blocks; k++) {
    tokenizer.push(block.slice()); // a fresh chunk each time, as an inflater hands them out
    for (const batch of sink.take(false)) {
      assert.ok(batch.numRows <= BATCH_ROWS);
      seen += batch.numRows;
      idSum += Number(batch.getChildAt(0)!.get(batch.numRows - 1));
    }
    if (k % 64 === 0) {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }
  }
  tokenizer.end();
  for (const batch of sink.take(true)) seen += batch.numRows;
  assert.equal(seen, blocks * 2000);
  assert.ok(idSum > 0);
  assert.ok(peak < 64 * MiB, `memory grew by ${(peak / MiB).toFixed(0)} MiB while ${blocks * block.length / MiB | 0} MiB streamed`);
});
