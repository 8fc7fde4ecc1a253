// Test helpers: pydicom 3.0.1 as the oracle for server/dicom (its JSON model of each file, both
// read modes, via test/dicom/pydicom_dump.py) and a JSON comparison with Python's equality
// (-0.0 == 0, key order ignored), since the oracle's JSON is compared as parsed JSON.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParseOptions, ParseResult } from '../../server/dicom/parse.ts';
import { parseDicomText } from '../../server/dicom/parse-text.ts';
import { JsonSink } from '../../server/dicom/json-sink.ts';
import { serialiseModel } from '../../server/dicom/serialise.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const DUMP = join(import.meta.dirname, 'pydicom_dump.py');

export interface OracleEntry {
  header: Record<string, unknown> | null;
  full: Record<string, unknown> | null;
  force: boolean;
  error: string | null;
  pixel_sha1: string | null;
  header_keys?: string[];
  full_keys?: string[];
  header_big_ints?: string[];
  full_big_ints?: string[];
  header_text?: string;
  /** Header-only model of what a broken deflated dataset inflates to (pydicom_dump.py). */
  header_lenient?: Record<string, unknown> | null;
  full_text?: string;
}

/** Integers past 2^53 in a JSON text, as written (document order). */
export function bigIntsInText(text: string): string[] {
  return [...text.matchAll(/[[,](-?\d{16,})(?=[,\]])/g)].map((m) => m[1]).filter((d) => Math.abs(Number(d)) > 2 ** 53);
}

/** Attribute keys in the order a JSON text writes them (depth-first). */
export function keysInText(text: string): string[] {
  return [...text.matchAll(/[{,]"([0-9A-F]{8})":\{"vr"/g)].map((m) => m[1]);
}

/** pydicom's data directory in the venv, or null when the venv is missing. */
export function pydicomData(): string | null {
  const lib = join(ROOT, '.venv', 'lib');
  if (!existsSync(lib)) return null;
  for (const py of readdirSync(lib)) {
    const dir = join(lib, py, 'site-packages', 'pydicom', 'data');
    if (existsSync(dir)) return dir;
  }
  return null;
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).sort();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run the oracle over `specs` (paths, or `path@N` for the first N bytes). */
export function runOracle(specs: string[]): Record<string, OracleEntry> {
  const out = join(tempDir('dicom-oracle-'), 'oracle.json');
  const r = spawnSync(PYTHON, [DUMP, out, ...specs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`pydicom_dump.py failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

export function bytesOf(spec: string): Uint8Array {
  const at = spec.lastIndexOf('@');
  if (at < 0) return readFileSync(spec);
  return readFileSync(spec.slice(0, at)).subarray(0, Number(spec.slice(at + 1)));
}

/** Our JSON model as Python's json would read it back (BigInt → number, as JSON.parse does for the oracle). */
export function asParsedJson(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
}

/** Equality of parsed JSON as Python compares it: numbers by value, objects ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameJson(ra[k], rb[k]));
}

/** First differing top-level key, for a readable failure message. */
export function firstDifference(mine: unknown, theirs: unknown): string {
  if (mine === null || theirs === null) return `ours ${mine === null ? 'null' : 'a dataset'}, pydicom ${theirs === null ? 'null' : 'a dataset'}`;
  const a = mine as Record<string, unknown>;
  const b = theirs as Record<string, unknown>;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!sameJson(a[k], b[k])) return `${k}: ours ${JSON.stringify(a[k])?.slice(0, 300)} pydicom ${JSON.stringify(b[k])?.slice(0, 300)}`;
  }
  return 'equal';
}

const textSink = new JsonSink(1);

/** parseDicomText on the bytes parseDicom gave `r` for: null when both agree (status, error,
 *  Pixel Data position, and the text is serialiseModel's of r.json), else what differs. */
export function textDisagreement(bytes: Uint8Array, opts: ParseOptions, r: ParseResult): string | null {
  textSink.length = 0;
  const d = parseDicomText(bytes, opts, textSink);
  if (d.status !== r.status || JSON.stringify(d.error) !== JSON.stringify(r.error)) return `parseDicomText ${d.status} ${JSON.stringify(d.error)}, parseDicom ${r.status} ${JSON.stringify(r.error)}`;
  if (JSON.stringify({ ...d.pixelData, value: null }) !== JSON.stringify({ ...r.pixelData, value: null })) return 'Pixel Data differs';
  if ((d.textStart < 0) !== (r.json === null)) return `parseDicomText text ${d.textStart < 0 ? 'absent' : 'present'}, parseDicom model ${r.json === null ? 'absent' : 'present'}`;
  if (r.json !== null && textSink.toString(d.textStart) !== serialiseModel(r.json)) return 'parseDicomText text differs from serialiseModel';
  return null;
}
