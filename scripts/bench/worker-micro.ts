// In-process timing of the zipdcm worker's chunk task (server/workers/member-batch.ts) over a
// bench corpus: CPU µs per member for header-only and hashes reads, without the server, the pool
// or the client. A profiling aid for issue 7 (run under `node --cpu-prof --import tsx`).
// Usage: tsx scripts/bench/worker-micro.ts [bench/corpus/dicom-s1000] [--mode header|whole] [--rounds N]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileHandleReader } from '../../server/storage/random-access-file.ts';
import { openZip, zipLimits } from '../../server/zip/archive.ts';
import { handleBatchTask, packMembers } from '../../server/workers/member-batch.ts';

const CHUNK = 32;
const DEFAULT_ROUNDS = 5;

function archives(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.zip')).map((p) => join(dir, p)).filter((p) => statSync(p).isFile());
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'bench/corpus/dicom-s1000';
  const mode = args.includes('--mode') ? (args[args.indexOf('--mode') + 1] as 'header' | 'whole') : 'header';
  const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : DEFAULT_ROUNDS;
  const opened = await Promise.all(archives(dir).map(async (p) => {
    const file = await FileHandleReader.open(p);
    const zip = await openZip(file);
    return { file, members: zip.entries.filter((e) => !e.isDirectory && e.name.toLowerCase().endsWith('.dcm')) };
  }));
  const total = opened.reduce((n, a) => n + a.members.length, 0);
  const perMember: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = process.cpuUsage();
    let rows = 0;
    for (const a of opened) {
      for (let i = 0; i < a.members.length; i += CHUNK) {
        const cols = await handleBatchTask({ kind: 'batch', fd: a.file.fd, fileSize: a.file.size, mode, keysFilter: ['60003000', '7FE00010', '00283010', '00283006'], limits: zipLimits(), members: packMembers(a.members.slice(i, i + CHUNK)) });
        rows += cols.length;
      }
    }
    const t = process.cpuUsage(t0);
    perMember.push((t.user + t.system) / rows);
    console.log(`round ${round}: ${rows}/${total} members, ${perMember[round].toFixed(1)} µs CPU per member (${mode})`);
  }
  // The machine is shared: the best of the later rounds is the steadiest figure to compare.
  const settled = perMember.slice(Math.floor(rounds / 2)).sort((a, b) => a - b);
  console.log(`settled (last ${settled.length} rounds): min ${settled[0]?.toFixed(1)}, median ${settled[Math.floor(settled.length / 2)]?.toFixed(1)} µs CPU per member`);
  await Promise.all(opened.map((a) => a.file.close()));
}

await main();
