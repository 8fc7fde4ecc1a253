// Shared by the ZIP tests: archives written by Python's zipfile and Info-ZIP `zip`, and what
// Python's zipfile reads from them (the oracle), made once per test file by make_fixtures.py.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openZip, type OpenZipOptions, type ZipArchive } from '../../server/zip/archive.ts';
import { BytesReader, FileHandleReader } from '../../server/storage/random-access-file.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const PYTHON = join(here, '..', '..', '.venv', 'bin', 'python');
const ORACLE_FILE = 'oracle.json';

export interface OracleEntry {
  name: string;
  size: number;
  compressedSize: number;
  crc32: number;
  method: number;
  flags: number;
  headerOffset: number;
  /** SHA-256 of the member as zipfile reads it; absent for encrypted members. */
  sha256?: string;
}

export interface OracleArchive {
  entries: OracleEntry[];
  comment: string;
  startDir: number;
}

export interface Fixtures {
  dir: string;
  oracle: Record<string, OracleArchive>;
  path(name: string): string;
  bytes(name: string): Uint8Array;
  cleanup(): void;
}

/**
 * All fixtures, or with `sparse64` only the sparse > 4 GiB ZIP64 archive. The full set (~8 MB) is
 * made once per version of make_fixtures.py and shared by the test files (renamed into place, so
 * test files running in parallel never see half a set); the sparse one is made and removed per run.
 */
export function makeFixtures(which: 'all' | 'sparse64' = 'all'): Fixtures {
  const script = join(here, 'make_fixtures.py');
  const generate = (dir: string) => {
    const args = which === 'all' ? [dir] : ['--sparse64', dir];
    writeFileSync(join(dir, ORACLE_FILE), execFileSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 }));
  };
  let dir: string;
  if (which === 'all') {
    const version = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
    dir = join(tmpdir(), `zipflight-zip-fixtures-${version}`);
    if (!existsSync(join(dir, ORACLE_FILE))) {
      const staging = mkdtempSync(`${dir}.tmp-`);
      generate(staging);
      try {
        renameSync(staging, dir);
      } catch {
        rmSync(staging, { recursive: true, force: true }); // another test file made it first
      }
    }
  } else {
    dir = mkdtempSync(join(tmpdir(), 'zipflight-zip-'));
    generate(dir);
  }
  return {
    dir,
    oracle: JSON.parse(readFileSync(join(dir, ORACLE_FILE), 'utf8')) as Record<string, OracleArchive>,
    path: (name) => join(dir, name),
    bytes: (name) => new Uint8Array(readFileSync(join(dir, name))),
    cleanup: () => { if (which !== 'all') rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function openFile(path: string, options?: OpenZipOptions): Promise<{ archive: ZipArchive; close(): Promise<void> }> {
  const file = await FileHandleReader.open(path);
  try {
    return { archive: await openZip(file, options), close: () => file.close() };
  } catch (err) {
    await file.close();
    throw err;
  }
}

export function openBytes(bytes: Uint8Array, options?: OpenZipOptions): Promise<ZipArchive> {
  return openZip(new BytesReader(bytes), options);
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The ZipError code a promise rejects with, or 'resolved' / 'not a ZipError: …'. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    return e.name === 'ZipError' ? String(e.code) : `not a ZipError: ${e.name}: ${e.message}`;
  }
}

/** Little-endian patches on a copy. */
export function patched(bytes: Uint8Array, edits: Array<[offset: number, value: number, width: 1 | 2 | 4]>): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  for (const [at, value, width] of edits) {
    if (width === 1) dv.setUint8(at, value);
    else if (width === 2) dv.setUint16(at, value, true);
    else dv.setUint32(at, value >>> 0, true);
  }
  return out;
}
