// Source-level fuzz targets: one archive per case in a scratch data root, planned and read
// through the zipdcm and zipcsv sources exactly as DoGet does (describe, then read every
// partition), with random options. Only ServerError (never INTERNAL) may escape; every batch must
// carry the planned schema; and an archive marked intact must not fail the stream unless FAILFAST
// (zipdcm PERMISSIVE: exactly one row per .dcm member, errors as rows).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Schema } from 'apache-arrow';
import { ServerError } from '../../server/errors.ts';
import { DataRoot } from '../../server/storage/data-root.ts';
import type { Source } from '../../server/sources/source.ts';
import { zipcsvSource } from '../../server/sources/zipcsv.ts';
import { zipdcmSource } from '../../server/sources/zipdcm.ts';
import { csvInput, dialectOptions } from './csv-mutate.ts';
import { mutateDicom } from './dicom-mutate.ts';
import type { Rng } from './rng.ts';
import type { Seeds } from './seeds.ts';
import { expected, FuzzFinding, type Target } from './target.ts';
import { buildZip, member, METHOD_DEFLATED, METHOD_STORED } from './zip-build.ts';
import { mutateZip } from './zip-mutate.ts';

const ARCHIVE = 'case.zip';
const INTACT = 'fuzz-intact:';
const MAX_MEMBERS = 4;
const READ_TIMEOUT_MS = 8000;

const serverLabel = (e: unknown) => (e instanceof ServerError && e.kind !== 'internal' ? `ServerError:${e.kind}` : undefined);

/**
 * An archive of `members`, sometimes damaged. Undamaged ones end with the comment
 * `fuzz-intact:<dcm members>:<crc32 of every byte before the comment length>`, so the exercise can
 * tell an intact archive (no mutation can keep that CRC) from a damaged one.
 */
function archive(members: { name: string; data: Uint8Array }[], rng: Rng): Uint8Array {
  const built = members.map((m) => member(m.name, m.data, rng.pick([METHOD_STORED, METHOD_DEFLATED])));
  if (rng.chance(0.2)) return mutateZip(buildZip(built), rng);
  const dcm = members.filter((m) => /\.dcm$/i.test(m.name)).length;
  // The CRC covers the archive up to the comment length field, so it must be computed on the
  // final bytes: build once with a placeholder of the final length, then fill in the CRC.
  const placeholder = new TextEncoder().encode(`${INTACT}${dcm}:00000000`);
  const withComment = buildZip(built, false, placeholder);
  const covered = withComment.subarray(0, withComment.length - placeholder.length - 2);
  const crc = (crc32(covered) >>> 0).toString(16).padStart(8, '0');
  withComment.set(new TextEncoder().encode(`${INTACT}${dcm}:${crc}`), withComment.length - placeholder.length);
  return withComment;
}

/** The number of .dcm members when the archive is intact (its CRC comment checks), else undefined. */
function intactMembers(input: Uint8Array): number | undefined {
  const tail = Buffer.from(input.subarray(Math.max(0, input.length - 40))).toString('latin1');
  const m = /fuzz-intact:(\d+):([0-9a-f]{8})$/.exec(tail);
  if (!m) return undefined;
  const commentLen = m[0].length;
  const lenAt = input.length - commentLen - 2;
  if (lenAt < 0 || input[lenAt] !== (commentLen & 0xff) || input[lenAt + 1] !== commentLen >> 8) return undefined;
  return (crc32(input.subarray(0, lenAt)) >>> 0).toString(16).padStart(8, '0') === m[2] ? Number(m[1]) : undefined;
}

let scratch: { dir: string; root: DataRoot } | undefined;

async function scratchRoot(): Promise<{ dir: string; root: DataRoot }> {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'zipflight-fuzz-'));
    mkdirSync(dir, { recursive: true });
    scratch = { dir, root: await DataRoot.open(dir) };
  }
  return scratch;
}

/** Globs a client may send (Spark's pathGlobFilter and our memberFilter), some malformed: those
 *  must be refused as INVALID_ARGUMENT, never reach the lister as an INTERNAL error. */
const GLOB_CHOICES = ['*.zip', 'case.*', '*', '**', '[a-', '{x,', 'c[', '*.{zip,ZIP}'];

function globOptions(rng: Rng, ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (rng.chance(0.15)) out.pathGlobFilter = rng.pick(GLOB_CHOICES);
  if (rng.chance(0.15)) out.memberFilter = rng.pick([...GLOB_CHOICES, `*.${ext}`, `m*.${ext}`]);
  return out;
}

/** Remove the scratch data root (the worker calls this when its cases are done). */
export function disposeScratch(): void {
  if (scratch) rmSync(scratch.dir, { recursive: true, force: true });
  scratch = undefined;
}

const fieldNames = (s: Schema) => s.fields.map((f) => `${f.name}:${f.type}`).join(',');

/** Plan and read every partition; returns rows and error rows (zipdcm's `error` column). */
async function readAll(source: Source, options: Record<string, unknown>): Promise<{ rows: number; errorRows: number }> {
  const { dir, root } = await scratchRoot();
  void dir;
  const ctx = { root, signal: AbortSignal.timeout(READ_TIMEOUT_MS) };
  const request = { path: ARCHIVE, options };
  const plan = await source.describe(request, ctx);
  let rows = 0;
  let errorRows = 0;
  for (const p of plan.partitions) {
    for await (const batch of source.read(request, p.spec, ctx)) {
      if (fieldNames(batch.schema) !== fieldNames(plan.schema)) {
        throw new FuzzFinding(`batch schema ${fieldNames(batch.schema)} differs from the planned ${fieldNames(plan.schema)}`);
      }
      rows += batch.numRows;
      const error = batch.getChild('error');
      if (error) errorRows += batch.numRows - error.nullCount;
    }
  }
  return { rows, errorRows };
}

async function exerciseSource(source: Source, input: Uint8Array, options: Record<string, unknown>, strict: (n: number | undefined) => ((r: { rows: number }) => void) | undefined): Promise<string> {
  const { dir } = await scratchRoot();
  writeFileSync(join(dir, ARCHIVE), input);
  const intact = intactMembers(input);
  const check = strict(intact);
  try {
    const r = await readAll(source, options);
    check?.(r);
    return `${intact === undefined ? 'damaged' : 'intact'}:${options.mode}:ok`;
  } catch (err) {
    const refusedForOptions = err instanceof ServerError && (err.kind === 'invalid-argument' || err.kind === 'resource-exhausted');
    if (check && err instanceof ServerError && !refusedForOptions) throw new FuzzFinding(`intact archive, ${JSON.stringify(options)}: read failed: ${(err as Error).message}`);
    return `${intact === undefined ? 'damaged' : 'intact'}:${options.mode}:${expected(err, serverLabel)}`;
  }
}

export const zipdcmSourceTarget: Target = {
  name: 'zipdcm',
  input: (rng: Rng, seeds: Seeds) => {
    const n = rng.range(1, MAX_MEMBERS);
    const members = Array.from({ length: n }, (_, i) => {
      const seed = rng.pick(seeds.dicoms);
      return { name: rng.chance(0.85) ? `m${i}.dcm` : `m${i}.txt`, data: rng.chance(0.6) ? mutateDicom(seed, rng) : seed };
    });
    return archive(members, rng);
  },
  exercise: (input, rng) => {
    const mode = rng.pick(['PERMISSIVE', 'PERMISSIVE', 'DROPMALFORMED', 'FAILFAST']);
    const globs = globOptions(rng, 'dcm');
    const options = { mode, hashes: rng.chance(0.3), numPartitions: rng.range(1, 3), ...globs };
    const filtered = Object.keys(globs).length > 0;
    // An intact archive never fails the stream in PERMISSIVE or DROPMALFORMED (bad members are
    // error rows or dropped); PERMISSIVE gives exactly one row per .dcm member.
    return exerciseSource(zipdcmSource, input, options, (intact) =>
      intact === undefined || mode === 'FAILFAST'
        ? undefined
        : (r) => {
            if (filtered) return; // other globs select other members: only "no failure" holds
            if (mode === 'PERMISSIVE' ? r.rows !== intact : r.rows > intact) throw new FuzzFinding(`intact archive with ${intact} .dcm members gave ${r.rows} rows in ${mode} mode`);
          });
  },
};

export const zipcsvSourceTarget: Target = {
  name: 'zipcsv',
  input: (rng: Rng) => {
    const n = rng.range(1, MAX_MEMBERS);
    return archive(Array.from({ length: n }, (_, i) => ({ name: `t${i}.csv`, data: csvInput(rng) })), rng);
  },
  exercise: (input, rng) => {
    const d = dialectOptions(rng);
    const options: Record<string, unknown> = {
      header: rng.chance(0.5),
      inferSchema: rng.chance(0.5),
      mode: rng.pick(['PERMISSIVE', 'PERMISSIVE', 'DROPMALFORMED', 'FAILFAST']),
      encoding: rng.pick(['UTF-8', 'UTF-8', 'ISO-8859-1', 'windows-1252', 'UTF-16LE']),
      asLines: rng.chance(0.1),
      includeSource: rng.chance(0.3),
      numPartitions: rng.range(1, 3),
      ...(rng.chance(0.8) ? { sep: d.sep, quote: d.quote, escape: d.escape, comment: d.comment } : {}),
      ...(rng.chance(0.2) ? { schema: rng.pick(['a int, b string', 'x double', 'd date, t timestamp, b boolean, l bigint', 'a string, b string, c string']) } : {}),
      ...(rng.chance(0.1) ? { nullValue: rng.pick(['NA', '', '\\N']) } : {}),
      ...globOptions(rng, 'csv'),
    };
    // PERMISSIVE and DROPMALFORMED read past malformed records (Spark): an intact archive may only be refused
    // for its options (INVALID_ARGUMENT) or a limit (RESOURCE_EXHAUSTED), never as corrupt.
    return exerciseSource(zipcsvSource, input, options, (intact) => (intact !== undefined && options.mode !== 'FAILFAST' ? () => {} : undefined));
  },
};
