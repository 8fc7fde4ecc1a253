// The benchmark's corpora (issue 7 "Harness"), generated once by scripts/corpus/*.py and cached
// under bench/corpus/ (gitignored): a directory per DICOM scale and per CSV size, one sparse ZIP64
// archive > 4 GiB. A cached corpus is reused when its manifest matches what this run asks for.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runPythonJson } from './processes.ts';

/** The server's data root for every run: each corpus is a directory under it. */
export const CORPUS_ROOT = join(REPO, 'bench/corpus');
const FOUR_GIB = 4 * 2 ** 30;
const MANIFEST = 'corpus.json';
const ZIP64_DIR = 'zip64';
const ZIP64_FILE = 'volumes-zip64.zip';
const ZIP64_MANIFEST = 'zip64.json';
/** make_zip64_archive.py's two big volumes plus its default 20 CT slices. */
const ZIP64_MEMBERS = 22;
/** Bumped when make_dicom_corpus.py's GENERATOR_VERSION changes what a scale produces. */
const DICOM_GENERATOR_VERSION = 1;

export interface DicomCorpus {
  /** Path under CORPUS_ROOT, as a descriptor names it. */
  path: string;
  dir: string;
  files: number;
  manifest: Record<string, unknown>;
}

export interface CsvCorpus {
  path: string;
  dir: string;
  rows: number;
  members: number;
  manifest: Record<string, unknown>;
}

export interface Zip64Corpus {
  path: string;
  file: string;
  bytes: number;
  members: number;
  manifest: Record<string, unknown>;
}

function readManifest(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

export async function dicomCorpus(scale: number): Promise<DicomCorpus> {
  const path = `dicom-s${scale}`;
  const dir = join(CORPUS_ROOT, path);
  let manifest = readManifest(join(dir, MANIFEST));
  if (manifest?.scale !== scale || manifest?.version !== DICOM_GENERATOR_VERSION) {
    log(`generating the DICOM corpus, ${scale} files, in ${dir}`);
    await runPythonJson('scripts/corpus/make_dicom_corpus.py', ['--scale', String(scale), '--out', dir]);
    manifest = readManifest(join(dir, MANIFEST));
    if (!manifest) throw new Error(`make_dicom_corpus.py wrote no ${MANIFEST} in ${dir}`);
  }
  const { archive_paths: _paths, ...summary } = manifest;
  return { path, dir, files: Number(manifest.files), manifest: summary };
}

export async function csvCorpus(rows: number): Promise<CsvCorpus> {
  const path = `csv-r${rows}`;
  const dir = join(CORPUS_ROOT, path);
  let manifest = readManifest(join(dir, MANIFEST));
  if (manifest?.rows !== rows) {
    log(`generating the CSV corpus, ${rows} rows, in ${dir}`);
    await runPythonJson('scripts/corpus/make_csv_corpus.py', ['--rows', String(rows), '--out', dir]);
    manifest = readManifest(join(dir, MANIFEST));
    if (!manifest) throw new Error(`make_csv_corpus.py wrote no ${MANIFEST} in ${dir}`);
  }
  return { path, dir, rows, members: Number(manifest.members), manifest };
}

/** The > 4 GiB sparse archive: seconds to write, a few MB of real disk. */
export async function zip64Corpus(): Promise<Zip64Corpus> {
  const file = join(CORPUS_ROOT, ZIP64_DIR, ZIP64_FILE);
  const manifestFile = join(CORPUS_ROOT, ZIP64_MANIFEST);
  let manifest = readManifest(manifestFile);
  const present = existsSync(file) && statSync(file).size > FOUR_GIB;
  if (!present || manifest?.members !== ZIP64_MEMBERS) {
    log(`generating the sparse ZIP64 archive ${file}`);
    manifest = await runPythonJson('scripts/corpus/make_zip64_archive.py', ['--out', file]);
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 1));
  }
  return { path: ZIP64_DIR, file, bytes: statSync(file).size, members: Number(manifest!.members), manifest: manifest! };
}
