// CI smoke of the benchmark harness (issue 7 "Done when"): `scripts/bench/run.ts --quick` runs
// end to end on tiny corpora and writes results.json with every figure. Asserts the harness's
// correctness only (rows read = files in the corpus, all figures present); never a timing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = join(import.meta.dirname, '../..');
/** The quick run takes well under a minute; the slack is for a loaded 2-core CI machine. */
const HARNESS_TIMEOUT_MS = 150_000;
const FIGURE_IDS = [
  'zipdcm-header', 'zipdcm-hashes', 'wall-cores', 'wall-cores-hashes', 'seed-scale', 'zipcsv-lines', 'zipcsv-pyarrow',
  'zip64-rss', 'doget', 'micro-inflate-whole', 'micro-inflate-prefix', 'micro-dicom-json', 'micro-csv-parse',
];
const DOGET_ROWS = 100_000;

interface Side { runs: number[]; median: number | null; details: Record<string, number>[] }
interface Figure { id: string; status: string; note: string; zipflight: Side | null; reference: Side | null }
interface Results { figures: Figure[]; corpora: { dicom: { files: number }; csv: { rows: number; members: number }; zip64: { members: number } }; machine: Record<string, unknown> }

let dir: string;
let stdout = '';
let results: Results;

function runHarness(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['--import', 'tsx', join(REPO, 'scripts/bench/run.ts'), '--quick', '--doget-rows', String(DOGET_ROWS), '--out', out];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], timeout: HARNESS_TIMEOUT_MS });
    let o = '';
    let e = '';
    child.stdout.on('data', (c: Buffer) => { o += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { e += c.toString(); });
    child.on('close', (code) => resolve({ code, stdout: o, stderr: e }));
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zipflight-bench-'));
  const out = join(dir, 'results.json');
  const run = await runHarness(out);
  assert.equal(run.code, 0, `harness failed:\n${run.stderr.slice(-2000)}`);
  stdout = run.stdout;
  results = JSON.parse(readFileSync(out, 'utf8')) as Results;
}, { timeout: HARNESS_TIMEOUT_MS + 10_000 });

after(() => rmSync(dir, { recursive: true, force: true }));

const byId = (id: string) => results.figures.find((f) => f.id === id)!;
const measured = (f: Figure) => f.status === 'ok' || f.status === 'projected';

test('every figure is present once, measured or n/a with a reason, never failed', () => {
  assert.deepEqual(results.figures.map((f) => f.id).sort(), [...FIGURE_IDS].sort());
  for (const f of results.figures) {
    assert.notEqual(f.status, 'failed', `${f.id}: ${f.note}`);
    if (f.status === 'n/a') assert.match(f.note, /not registered/, f.id);
    else assert.ok(f.zipflight && f.zipflight.runs.length >= 1 && Number.isFinite(f.zipflight.median), `${f.id} has a median`);
  }
});

test('zipdcm reads one row per DICOM file of the corpus', () => {
  for (const id of ['zipdcm-header', 'zipdcm-hashes', 'wall-cores', 'wall-cores-hashes']) {
    const f = byId(id);
    if (!measured(f)) continue;
    for (const run of [...f.zipflight!.details, ...(id.startsWith('wall') ? f.reference!.details : [])]) assert.equal(run.rows, results.corpora.dicom.files, `${id} rows`);
  }
});

test('the reference reads the same DICOM files', () => {
  const ref = byId('zipdcm-header').reference!;
  for (const run of ref.details) assert.equal(run.items, results.corpora.dicom.files);
});

test('zipcsv reads every line (asLines) and every data row (typed); the ZIP64 run reads every member', () => {
  const { rows, members } = results.corpora.csv;
  const lines = byId('zipcsv-lines');
  // asLines keeps each member's header line, as the reference's line reader does.
  if (measured(lines)) for (const run of lines.zipflight!.details) assert.equal(run.rows, rows + members);
  for (const run of lines.reference!.details) assert.equal(run.items, rows + members);
  const typed = byId('zipcsv-pyarrow');
  if (measured(typed)) for (const run of typed.zipflight!.details) assert.equal(run.rows, rows);
  for (const run of typed.reference!.details) assert.equal(run.items, rows);
  const rss = byId('zip64-rss');
  if (measured(rss)) for (const run of rss.zipflight!.details) assert.equal(run.rows, results.corpora.zip64.members);
});

test('DoGet: both servers sent the same table', () => {
  const f = byId('doget');
  if (!measured(f)) return;
  for (const side of [f.zipflight!, f.reference!]) for (const run of side.details) assert.equal(run.rows, DOGET_ROWS);
  assert.equal(f.zipflight!.details[0].bytes, f.reference!.details[0].bytes);
});

test('stdout carries the Markdown table, one line per figure', () => {
  const lines = stdout.split('\n').filter((l) => l.startsWith('| '));
  assert.equal(lines[0], '| figure | zipflight | reference | ratio | target | met? |');
  assert.equal(lines.length, 1 + FIGURE_IDS.length);
  assert.ok(typeof results.machine.cores === 'number');
});
