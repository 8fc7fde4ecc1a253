// Micro-measure (not a test): header-only CPU µs per file of the two ways to the JSON text:
// 'model' = parseDicom + serialiseModel + the UTF-8 write a worker does, 'text' = parseDicomText
// into a JsonSink. Run each way in its own process, with --trace-gc to count collections:
//   node --trace-gc --import tsx test/dicom/measure-text.ts model|text|walk [rounds] file.dcm ...
// Bytes allocated per file are the heap's growth over a round, exact only when no collection ran
// in it: give the young generation room, e.g. --min-semi-space-size=64 --max-semi-space-size=64.
import { readFileSync } from 'node:fs';
import { parseDicom } from '../../server/dicom/parse.ts';
import { parseDicomText } from '../../server/dicom/parse-text.ts';
import { JsonSink } from '../../server/dicom/json-sink.ts';
import { serialiseModel } from '../../server/dicom/serialise.ts';
import { walkFile } from '../../server/dicom/parse.ts';
import { readPart10Header } from '../../server/dicom/part10.ts';
import { WalkContext } from '../../server/dicom/walker.ts';

const [way, roundsArg, ...files] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 10);
const inputs = files.map((f) => new Uint8Array(readFileSync(f)));
const FILTER = ['60003000', '7FE00010', '00283010', '00283006'];
const KEYS = ['00080018', '00080016', '0020000D', '0020000E', '00100020', '00080060', '00080020', '00280010', '00280011', '00280008'];
/** Files per chunk, as a worker's batch: the sink (or text buffer) is reused per chunk. */
const CHUNK = 32;

function viaModel(): number {
  let text = Buffer.allocUnsafe(1 << 16);
  let end = 0;
  let bytes = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (i % CHUNK === 0) end = 0;
    const r = parseDicom(inputs[i], { stopBeforePixels: true, complete: true, keysFilter: [] });
    const json = r.json as Record<string, { Value?: unknown[] }> | null;
    if (json === null) continue;
    for (const k of KEYS) void json[k]?.Value?.[0];
    for (const k of FILTER) delete json[k];
    const s = serialiseModel(json);
    if (end + s.length * 3 > text.length) text = Buffer.allocUnsafe(Math.max(text.length * 2, end + s.length * 3));
    const n = text.write(s, end, 'utf8');
    end += n;
    bytes += n;
  }
  return bytes;
}

const sink = new JsonSink();
function viaText(): number {
  let bytes = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (i % CHUNK === 0) sink.length = 0;
    const r = parseDicomText(inputs[i], { stopBeforePixels: true, complete: true, keysFilter: FILTER, keyTags: KEYS }, sink);
    if (r.textStart >= 0) bytes += r.textEnd - r.textStart;
  }
  return bytes;
}

/** The walk alone (Part 10 header + elements, no values): what both ways share. */
function viaWalk(): number {
  let elements = 0;
  for (const bytes of inputs) {
    const input = new WalkContext(bytes, true);
    elements += walkFile(input, readPart10Header(input, true), true).elements.size;
  }
  return elements;
}

const run = way === 'text' ? viaText : way === 'walk' ? viaWalk : viaModel;
/** Rounds left out of the summary: the first ones run before the JIT has settled. */
const WARM_UP_ROUNDS = Math.floor(rounds / 3);
const settled: number[] = [];
for (let round = 0; round < rounds; round++) {
  const heap = process.memoryUsage().heapUsed;
  const t0 = process.cpuUsage();
  const bytes = run();
  const t = process.cpuUsage(t0);
  const allocated = (process.memoryUsage().heapUsed - heap) / inputs.length;
  if (round >= WARM_UP_ROUNDS) settled.push((t.user + t.system) / inputs.length);
  console.log(`${way} round ${round}: ${((t.user + t.system) / inputs.length).toFixed(1)} µs CPU per file, ${(bytes / inputs.length).toFixed(0)} ${way === 'walk' ? 'top-level elements' : 'B of text'} per file, heap +${(allocated / 1024).toFixed(1)} KiB per file`);
}
settled.sort((a, b) => a - b);
console.log(`${way} settled (last ${settled.length} rounds): min ${settled[0]?.toFixed(1)}, median ${settled[settled.length >> 1]?.toFixed(1)} µs CPU per file`);
