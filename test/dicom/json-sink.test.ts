// JsonSink (server/dicom/json-sink.ts) against the platform's own encoders: JSON.stringify for
// string escaping and UTF-8 of Latin-1 text, Buffer's base64 (RFC 4648), String() for integers;
// every case written into a 1-byte sink as well, so each write has to grow it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonSink } from '../../server/dicom/json-sink.ts';

/** Deterministic bytes (xorshift32) so a failure can be replayed. */
function bytes(seed: number, length: number, alphabet?: number[]): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet ? alphabet[(x >>> 0) % alphabet.length] : (x >>> 0) & 0xff;
  }
  return out;
}

const PRINTABLE = Array.from({ length: 0x5f }, (_v, i) => 0x20 + i);

function both(write: (sink: JsonSink) => void): string[] {
  return [new JsonSink(), new JsonSink(1)].map((sink) => {
    sink.ascii('<');
    write(sink);
    sink.ascii('>');
    return sink.toString();
  });
}

test('latin1() writes what JSON.stringify writes for the same code points, as UTF-8', () => {
  let cases = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const length = seed % 7 === 0 ? 2000 + seed : seed % 40;
    const data = bytes(seed, length, seed % 3 === 0 ? PRINTABLE : undefined);
    const text = String.fromCharCode(...data);
    const from = seed % 5;
    const expected = `<${JSON.stringify(text.slice(from)).slice(1, -1)}>`;
    for (const got of both((sink) => sink.latin1(data, Math.min(from, data.length), data.length))) assert.equal(got, expected, `seed ${seed}`);
    cases++;
  }
  assert.equal(cases, 300);
});

test('base64() writes what Buffer writes, short values and long ones, at any offset', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const length = seed % 9 === 0 ? 4000 + seed * 7 : seed % 50;
    const data = bytes(seed, length);
    const from = seed % 4;
    const expected = `<${Buffer.from(data.subarray(Math.min(from, length))).toString('base64')}>`;
    for (const got of both((sink) => sink.base64(data, Math.min(from, length), length))) assert.equal(got, expected, `seed ${seed}`);
  }
});

test('int() writes what String() writes for safe integers, raw() and ascii() copy text', () => {
  const samples = [0, -0, 1, -1, 9, 10, 99, 100, -65536, 4294967295, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 123456789012345];
  for (let seed = 1; seed <= 200; seed++) samples.push(Math.floor(Number.MAX_SAFE_INTEGER / (seed * seed * 977)) * (seed % 2 ? 1 : -1));
  // Each digit count's bounds, on both sides of the int32 path (2^31 - 1).
  for (let p = 10; p <= 1e15; p *= 10) samples.push(p - 1, p, p + 1, -(p - 1), -p);
  samples.push(2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 31 + 1);
  for (const n of samples) for (const got of both((sink) => sink.int(n))) assert.equal(got, `<${String(n)}>`, String(n));
  const long = 'x'.repeat(100) + '"\\';
  for (const got of both((sink) => { sink.raw('é€😀"'); sink.ascii(long); })) assert.equal(got, `<é€😀"${long}>`);
});
