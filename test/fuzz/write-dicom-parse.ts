// For the pydicom differential (test/python/load/test_fuzz_dicom_parity.py): write COUNT damaged
// DICOM files (the dicom fuzz target's mutators over pydicom's test files) and, next to each, our
// parser's verdict as JSON {status, error, json}; BigInt values as "bigint:<digits>".
//   node --import tsx test/fuzz/write-dicom-parse.ts DIR COUNT SEED
//   node --import tsx test/fuzz/write-dicom-parse.ts --parse FILE...   (verdicts as JSON lines)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDicom } from '../../server/workers/dicom-api.ts';
import { mutateDicom } from './dicom-mutate.ts';
import { caseSeed, Rng } from './rng.ts';
import { loadSeeds } from './seeds.ts';

const bigint = (_k: string, v: unknown) => (typeof v === 'bigint' ? `bigint:${v}` : v);
const verdict = (input: Uint8Array) => {
  const r = parseDicom(input, { stopBeforePixels: false, complete: true, keysFilter: [] });
  return JSON.stringify({ status: r.status, error: r.error?.code ?? null, message: r.error?.message ?? null, json: r.status === 'ok' ? r.json : null }, bigint);
};

const args = process.argv.slice(2);
if (args[0] === '--parse') {
  // `--parse FILE...`: one verdict per line, for saved findings.
  for (const file of args.slice(1)) process.stdout.write(`${verdict(new Uint8Array(readFileSync(file)))}\n`);
  process.exit(0);
}
const [dir, count, seed] = args;
if (!dir || !count || !seed) {
  process.stderr.write('usage: write-dicom-parse.ts DIR COUNT SEED | --parse FILE...\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const seeds = loadSeeds().dicoms;
for (let i = 0; i < Number(count); i++) {
  const rng = new Rng(caseSeed(Number(seed), 'dicom-parity', i));
  const input = mutateDicom(rng.pick(seeds), rng);
  const name = `case-${String(i).padStart(4, '0')}`;
  writeFileSync(join(dir, `${name}.dcm`), input);
  writeFileSync(join(dir, `${name}.json`), verdict(input));
}
