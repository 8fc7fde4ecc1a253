// For the Python zipfile differential (test/python/load/test_fuzz_zip_parity.py): write COUNT
// fuzzed archives (the zip target's cases) and, next to each, what our reader makes of it as JSON:
// {open: error code | null, names: [...], members: [{sha1 | error}], recovered: salvage note | null} (members read in full,
// size and CRC-32 verified by the reader; bombs stop at the per-member limit).
//   node --import tsx test/fuzz/write-zip-verdicts.ts DIR COUNT SEED
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setLimits } from '../../server/limits.ts';
import { BytesReader } from '../../server/storage/random-access-file.ts';
import { openZip, ZipError } from '../../server/zip/archive.ts';
import { FUZZ_LIMITS } from './protocol.ts';
import { caseInput } from './runner.ts';

const [dir, count, seed] = process.argv.slice(2);
if (!dir || !count || !seed) {
  process.stderr.write('usage: write-zip-verdicts.ts DIR COUNT SEED\n');
  process.exit(2);
}
setLimits(FUZZ_LIMITS);
const MAX_MEMBERS = 16;

async function verdict(input: Uint8Array) {
  let zip;
  try {
    zip = await openZip(new BytesReader(input));
  } catch (err) {
    if (err instanceof ZipError) return { open: err.code, names: [], members: [] };
    throw err;
  }
  const members = [];
  for (const e of zip.entries.slice(0, MAX_MEMBERS)) {
    try {
      const hash = createHash('sha1');
      for await (const chunk of zip.openStream(e)) hash.update(chunk);
      members.push({ sha1: hash.digest('hex') });
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      members.push({ error: err.code });
    }
  }
  return { open: null, names: zip.entries.map((e) => e.name), members, recovered: zip.recovered };
}

mkdirSync(dir, { recursive: true });
for (let i = 0; i < Number(count); i++) {
  const input = caseInput('zip', Number(seed), i);
  const name = `case-${String(i).padStart(4, '0')}`;
  writeFileSync(join(dir, `${name}.zip`), input);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(await verdict(input)));
}
