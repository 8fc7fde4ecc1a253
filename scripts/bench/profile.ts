// Profile one figure's server side: a zipflight server under `node --cpu-prof` (main thread and
// every worker thread write a V8 .cpuprofile on exit), one unprofiled-in-spirit warm-up read, then
// N reads of the same CMD descriptor through pyarrow's client, then the self-time summary.
// Usage: tsx scripts/bench/profile.ts DIR 'CMD-JSON' [--reads N]   e.g.
//   tsx scripts/bench/profile.ts bench/tmp/prof '{"source":"zipdcm","path":"dicom-s1000"}'
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CORPUS_ROOT } from './corpora.ts';
import { readThrough, type Command } from './flight-reads.ts';
import { repeat } from './figures.ts';
import { REPO, setServerNodeArgs, startZipflight } from './processes.ts';

const DEFAULT_READS = 3;

async function main(): Promise<void> {
  const [dirArg, cmdArg] = process.argv.slice(2);
  if (!dirArg || !cmdArg) throw new Error("usage: profile.ts DIR 'CMD-JSON' [--reads N]");
  const readsAt = process.argv.indexOf('--reads');
  const reads = readsAt > 0 ? Number(process.argv[readsAt + 1]) : DEFAULT_READS;
  const dir = resolve(dirArg);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  setServerNodeArgs(['--cpu-prof', '--cpu-prof-dir', dir]);
  const cmd = JSON.parse(cmdArg) as Command;
  const server = await startZipflight(CORPUS_ROOT, 'all');
  try {
    await readThrough(server, cmd, { countErrors: true });
    const runs = await repeat(reads, () => readThrough(server, cmd, { countErrors: true }));
    for (const r of runs) process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    await server.stop();
  }
  spawnSync(process.execPath, ['--import', 'tsx', resolve(REPO, 'scripts/bench/profile-summary.ts'), dir], { stdio: 'inherit' });
}

await main();
