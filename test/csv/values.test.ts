// CSV value parsers (server/csv/values.ts) against Python's datetime.fromisoformat and float() as
// oracles, on generated dates and timestamps in the shapes Spark writes and reads (ISO 8601-1
// §5.2.1 calendar dates, §5.4.2 date and time, with and without offsets and fractions), valid or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { INTO_BIGINT, INTO_NUMBER, parseDate, parseDouble, parseDoubleInto, parseTimestamp, parseTimestampInto } from '../../server/csv/values.ts';

// From the repo root whatever the cwd: a relative path skipped the Python oracle tests outside it.
const PYTHON = new URL('../../.venv/bin/python', import.meta.url).pathname;
const skip = !existsSync(PYTHON) && 'no .venv';
const enc = new TextEncoder();
/** The text as a field inside a record: digits on both sides that a parser must not read. */
const FIELD_AT = 2;
const embedded = (t: string) => enc.encode(`99${t}99`);

function python(script: string, input: unknown): unknown[] {
  const py = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout);
}

let seed = 11;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
const pad = (v: number, w: number) => String(v).padStart(w, '0');

function dateText(): string {
  const y = [1, 999, 1582, 1900, 1970, 1999, 2000, 2024, 2100, 9999][rand(10)];
  return `${pad(y, 4)}-${pad(1 + rand(13), 2)}-${pad(rand(32), 2)}`; // months 13 and days 0, 29–31 test validity
}

function timestampText(): string {
  let s = `${dateText()}${rand(2) ? 'T' : ' '}${pad(rand(25), 2)}:${pad(rand(61), 2)}`;
  if (rand(4)) s += `:${pad(rand(61), 2)}`;
  if (s.length === 19 && rand(2)) s += '.' + String(rand(1_000_000)).slice(0, 1 + rand(6));
  const zone = rand(4);
  if (zone === 1) s += 'Z';
  if (zone === 2) s += `${rand(2) ? '+' : '-'}${pad(rand(15), 2)}:${pad(rand(4) * 15, 2)}`;
  return s;
}

test('dates equal Python date.fromisoformat (days since 1970-01-01; invalid → undefined)', { skip }, () => {
  const texts = Array.from({ length: 2000 }, dateText);
  const expected = python(
    'import datetime as d,json,sys\ndef f(s):\n try: return (d.date.fromisoformat(s)-d.date(1970,1,1)).days\n except ValueError: return None\nprint(json.dumps([f(s) for s in json.load(sys.stdin)]))',
    texts,
  );
  assert.deepEqual(texts.map((t) => parseDate(enc.encode(t)) ?? null), expected);
  const inRecord = texts.map((t) => parseDate(embedded(t), FIELD_AT, FIELD_AT + t.length) ?? null);
  assert.deepEqual(inRecord, expected, 'the same field inside a record (byte range)');
});

test('timestamps equal Python datetime.fromisoformat (µs since the epoch, no offset = UTC)', { skip }, () => {
  // Some cut one character short (seconds or fraction ending early): read as written, not beyond.
  const texts = Array.from({ length: 4000 }, (_, i) => (i % 5 === 0 ? timestampText().slice(0, -1) : timestampText()));
  const expected = python(
    'import datetime as d,json,sys\nE=d.datetime(1970,1,1,tzinfo=d.timezone.utc)\ndef f(s):\n try: t=d.datetime.fromisoformat(s)\n except ValueError: return None\n t=t if t.tzinfo else t.replace(tzinfo=d.timezone.utc)\n return (t-E)//d.timedelta(microseconds=1)\nprint(json.dumps([f(s) for s in json.load(sys.stdin)]))',
    texts,
  );
  const got = texts.map((t) => {
    const v = parseTimestamp(enc.encode(t));
    return v === undefined ? null : Number(v);
  });
  assert.deepEqual(got, expected);
  const inRecord = texts.map((t) => {
    const v = parseTimestamp(embedded(t), FIELD_AT, FIELD_AT + t.length);
    return v === undefined ? null : Number(v);
  });
  assert.deepEqual(inRecord, expected, 'the same field inside a record (byte range)');
  const out = new Float64Array(1);
  const into = texts.map((t) => {
    const found = parseTimestampInto(embedded(t), FIELD_AT, FIELD_AT + t.length, out);
    // Past 2^53 µs (years before 1685 or after 2255) only a bigint holds the value.
    return found === INTO_NUMBER ? out[0] : found === INTO_BIGINT ? Number(parseTimestamp(enc.encode(t))) : null;
  });
  assert.deepEqual(into, expected, 'parseTimestampInto (the column path)');
});

test('doubles equal Python float() on decimal and exponent forms', { skip }, () => {
  const texts = Array.from({ length: 2000 }, () => {
    const mant = `${rand(2) ? '-' : ''}${rand(100000)}${rand(2) ? '.' + rand(1000000) : ''}`;
    return rand(3) ? mant : `${mant}e${rand(2) ? '-' : ''}${rand(40)}`;
  });
  // Forms at the edges of the column path's fast read: a plus sign, no integer part, > 15 digits.
  texts.push('+1.5', '.5', '-.25', '5.', '0.000000000000000001', '123456789012345678', '1234567890.123456789', '-0.0', '007.50');
  const expected = python('import json,sys\nprint(json.dumps([float(s) for s in json.load(sys.stdin)]))', texts);
  assert.deepEqual(texts.map((t) => parseDouble(enc.encode(t))), expected);
  const out = new Float64Array(1);
  const into = texts.map((t) => (parseDoubleInto(embedded(t), FIELD_AT, FIELD_AT + t.length, out) ? out[0] : null));
  assert.deepEqual(into, expected, 'parseDoubleInto (the column path)');
});
