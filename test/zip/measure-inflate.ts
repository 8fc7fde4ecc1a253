// Micro-measurement, not a test: node:zlib vs fflate through inflate.ts on a deflated 512×512
// 16-bit CT-like member (made by Python's zipfile, see make_fixtures.py), whole and first 2 KB.
// Run: node --import tsx test/zip/measure-inflate.ts
import { inflateRaw, type InflateBackend } from '../../server/zip/inflate.ts';
import { makeFixtures, openFile } from './fixtures.ts';

const PREFIX_INPUT = 2048;
const MIN_SECONDS = 1;

function measure(label: string, fn: () => unknown): void {
  for (let i = 0; i < 20; i++) fn(); // warm up
  const start = process.cpuUsage();
  let runs = 0;
  let cpu = 0;
  while (cpu < MIN_SECONDS) {
    for (let i = 0; i < 20; i++) fn();
    runs += 20;
    const used = process.cpuUsage(start);
    cpu = (used.user + used.system) / 1e6;
  }
  console.log(`${label.padEnd(28)} ${(runs / cpu).toFixed(0).padStart(7)} per cpu-s  ${((cpu / runs) * 1e6).toFixed(1)} µs each`);
}

const fx = makeFixtures();
try {
  const { archive, close } = await openFile(fx.path('py-deflated.zip'));
  const entry = archive.entries.find((e) => e.name === 'sub/ct.raw')!;
  const start = await archive.memberDataOffset(entry);
  const { FileHandleReader } = await import('../../server/storage/random-access-file.ts');
  const file = await FileHandleReader.open(fx.path('py-deflated.zip'));
  const compressed = await file.read(start, entry.compressedSize);
  await file.close();
  await close();
  console.log(`member: ${entry.uncompressedSize} bytes, deflated to ${entry.compressedSize}`);
  for (const backend of ['zlib', 'fflate'] as InflateBackend[]) {
    measure(`${backend} whole`, () => inflateRaw(compressed, { backend, expectedSize: entry.uncompressedSize }));
    measure(`${backend} prefix (2 KB in)`, () => inflateRaw(compressed.subarray(0, PREFIX_INPUT), { backend, prefix: true }));
  }
} finally {
  fx.cleanup();
}
