// Write fuzz cases to files, for tests that feed them to a real server (test/python/load/):
//   node --import tsx test/fuzz/write-corpus.ts DIR COUNT SEED [TARGET=zip] [EXT=.zip]
// Case i of (SEED, TARGET) is the same bytes the in-process fuzz suite runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseInput } from './runner.ts';

const [dir, count, seed, target = 'zip', ext = '.zip'] = process.argv.slice(2);
if (!dir || !count || !seed) {
  process.stderr.write('usage: write-corpus.ts DIR COUNT SEED [TARGET] [EXT]\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
for (let i = 0; i < Number(count); i++) {
  writeFileSync(join(dir, `${target}-s${seed}-c${String(i).padStart(4, '0')}${ext}`), caseInput(target, Number(seed), i));
}
