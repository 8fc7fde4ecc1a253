// Tokenizer tests: RFC 4180 §2 cases with Spark's extensions, checked split at every byte
// position (a chunk boundary must never change a record), and against Python's csv module as
// an oracle on random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { makeDialect, type CsvDialect } from '../../server/csv/record.ts';
import { makeNormalizer } from '../../server/csv/decode.ts';

interface Row {
  fields: string[];
  line: number;
  unclosed: boolean;
  raw: string;
}

function dialect(o: Partial<{ sep: string; quote: string; escape: string; comment: string }> = {}): CsvDialect {
  const d = makeDialect({ sep: ',', quote: '"', escape: '\\', comment: '', ...o });
  if (typeof d === 'string') throw new Error(d);
  return d;
}

function tokenize(chunks: Uint8Array[], d = dialect(), encoding = 'utf-8'): Row[] {
  const rows: Row[] = [];
  const norm = makeNormalizer(encoding);
  const t = new CsvTokenizer(d, (r) => {
    const fields: string[] = [];
    for (let k = 0; k < r.count; k++) fields.push(r.text(k));
    rows.push({ fields, line: r.line, unclosed: r.unclosed, raw: r.raw() });
  });
  for (const c of chunks) t.push(norm.push(c));
  t.push(norm.end());
  t.end();
  return rows;
}

const enc = (s: string) => new TextEncoder().encode(s);
const fieldsOf = (rows: Row[]) => rows.map((r) => r.fields);

/** Every split of `bytes` into two chunks, and into single bytes, gives the same rows. */
function assertSplitAnywhere(bytes: Uint8Array, d = dialect()): Row[] {
  const whole = tokenize([bytes], d);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(tokenize([bytes.subarray(0, cut), bytes.subarray(cut)], d), whole, `split at byte ${cut}`);
  }
  const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(tokenize(single, d), whole, 'one byte per chunk');
  return whole;
}

const TRICKY =
  '\uFEFFid,"name, quoted",note\r\n' +
  '1,"say ""hi""","line one\nline two"\r\n' +
  '2,plain,"cr\r\nlf"\n' +
  '\n' +
  '3,"esc \\" quote",é€😀\r' +
  '4,,""\n' +
  '5,"a"tail,x,';

test('tricky input: quotes, doubled quotes, escapes, embedded newlines, CRLF/LF/CR, BOM, no final newline', () => {
  const rows = assertSplitAnywhere(enc(TRICKY));
  assert.deepEqual(fieldsOf(rows), [
    ['id', 'name, quoted', 'note'],
    ['1', 'say "hi"', 'line one\nline two'],
    ['2', 'plain', 'cr\r\nlf'],
    ['3', 'esc " quote', 'é€😀'],
    ['4', '', ''],
    ['5', 'atail', 'x', ''],
  ]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2, 4, 7, 8, 9]);
  assert.equal(rows[1].raw, '1,"say ""hi""","line one\nline two"');
});

test('unclosed quote at the end of the member is one malformed record', () => {
  const rows = assertSplitAnywhere(enc('a,b\n1,"open\n2,3\n'));
  assert.deepEqual(rows.map((r) => r.unclosed), [false, true]);
  assert.deepEqual(rows[1].fields, ['1', 'open\n2,3\n']);
  assert.equal(rows[1].line, 2);
});

test('a quote as the last byte closes the field only when the member ends', () => {
  assert.deepEqual(fieldsOf(assertSplitAnywhere(enc('"a""b"'))), [['a"b']]);
  assert.deepEqual(fieldsOf(assertSplitAnywhere(enc('"x\\\\"'))), [['x\\']]);
});

test('comments, other separators, escape outside quotes kept, no quoting', () => {
  const d = dialect({ sep: '\\t', comment: '#' });
  assert.deepEqual(fieldsOf(assertSplitAnywhere(enc('# note\na\tb\\c\n#x,y\n"q\tq"\tz'), d)), [
    ['a', 'b\\c'],
    ['"q', 'q"', 'z'].length === 3 ? ['q\tq', 'z'] : [],
  ]);
  const noQuote = dialect({ quote: '' });
  assert.deepEqual(fieldsOf(tokenize([enc('"a,b"\n')], noQuote)), [['"a', 'b"']]);
});

test('a BOM split across chunks is still skipped; latin1 is decoded per byte', () => {
  const b = enc('\uFEFFa,b\n');
  assert.deepEqual(fieldsOf(tokenize([b.subarray(0, 1), b.subarray(1, 2), b.subarray(2)])), [['a', 'b']]);
  assert.deepEqual(fieldsOf(tokenize([Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x80])], dialect(), 'latin1')), [['café', '\u0080']]);
});

test('invalid UTF-8 becomes U+FFFD instead of failing', () => {
  assert.deepEqual(fieldsOf(tokenize([Uint8Array.from([0x61, 0xff, 0x2c, 0x62])])), [['a\uFFFD', 'b']]);
});

test('a record longer than many chunks is read whole', () => {
  const big = 'x'.repeat(300_000);
  const bytes = enc(`1,"${big}"\n2,y\n`);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
  const rows = tokenize(chunks);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].fields[1].length, big.length);
  assert.deepEqual(rows[1].fields, ['2', 'y']);
});

// From the repo root whatever the cwd: a relative path skipped the Python oracle tests outside it.
const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;

test('random inputs agree with Python csv (RFC 4180 dialect)', { skip: !existsSync(PYTHON) && 'no .venv' }, () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const atoms = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '1', '""'];
  const inputs: string[] = [];
  for (let k = 0; k < 200; k++) {
    const rows: string[] = [];
    const nrows = 1 + Math.floor(rnd() * 5);
    for (let r = 0; r < nrows; r++) {
      const fields: string[] = [];
      const nf = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < nf; f++) {
        let v = '';
        const len = Math.floor(rnd() * 5);
        for (let j = 0; j < len; j++) v += atoms[Math.floor(rnd() * atoms.length)];
        const quoted = rnd() < 0.5 || /[",\r\n]/.test(v);
        fields.push(quoted ? `"${v.replaceAll('"', '""')}"` : v);
      }
      rows.push(fields.join(','));
    }
    inputs.push(rows.join(rnd() < 0.5 ? '\n' : '\r\n') + (rnd() < 0.5 ? '\n' : ''));
  }
  const py = spawnSync(PYTHON, ['-c', 'import csv,io,json,sys\nprint(json.dumps([[r for r in csv.reader(io.StringIO(s, newline="")) if r] for s in json.load(sys.stdin)]))'], {
    input: JSON.stringify(inputs),
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as string[][][];
  const rfc = dialect({ escape: '' });
  inputs.forEach((s, k) => {
    const got = fieldsOf(tokenize([enc(s)], rfc));
    assert.deepEqual(got, expected[k], `input ${JSON.stringify(s)}`);
  });
});
