// Fuzz seeds from inputs no one here wrote: archives Python's zipfile wrote (test/fuzz/seeds/,
// see make_seeds.py), TCIA's MIDI-B SR sample archive (sample/), and pydicom's test files
// (small ones, so a case stays in milliseconds).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const SEED_DIR = join(HERE, 'seeds');
/** TCIA MIDI-B SR sample (CC BY 4.0, see sample/), committed with the built-in sample root. */
const TCIA_SAMPLE = join(REPO, 'sample', 'midi-b-sr-sample.zip');
/** DICOM seeds above this size slow every case down without adding structure. */
const MAX_DICOM_SEED_BYTES = 16 * 1024;

export interface Seeds {
  zips: Uint8Array[];
  dicoms: Uint8Array[];
}

function pydicomTestFiles(): string | undefined {
  const lib = join(REPO, '.venv', 'lib');
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib).sort()) {
    const dir = join(lib, py, 'site-packages', 'pydicom', 'data', 'test_files');
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

let cached: Seeds | undefined;

export function loadSeeds(): Seeds {
  if (cached) return cached;
  const zips = readdirSync(SEED_DIR).filter((n) => n.endsWith('.zip')).sort().map((n) => new Uint8Array(readFileSync(join(SEED_DIR, n))));
  if (existsSync(TCIA_SAMPLE)) zips.push(new Uint8Array(readFileSync(TCIA_SAMPLE)));
  const dir = pydicomTestFiles();
  if (!dir) throw new Error('pydicom test files not found under .venv (run npm run setup)');
  const dicoms = readdirSync(dir)
    .filter((n) => n.endsWith('.dcm') && statSync(join(dir, n)).size <= MAX_DICOM_SEED_BYTES)
    .sort()
    .map((n) => new Uint8Array(readFileSync(join(dir, n))));
  cached = { zips, dicoms };
  return cached;
}
