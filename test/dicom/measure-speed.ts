// Micro-measure (not a test): header-only files per CPU-second, server/dicom vs pydicom 3.0.1,
// on the same in-memory files (pydicom's test_files/*.dcm): parse + JSON model + JSON text.
// Run: node --import tsx test/dicom/measure-speed.ts [rounds] [file.dcm ...] (files: e.g. CT slices
// unzipped from bench/corpus/dicom-s30; default pydicom's test files).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseDicom } from '../../server/dicom/parse.ts';
import { serialiseModel } from '../../server/dicom/serialise.ts';
import { parseDicomText } from '../../server/dicom/parse-text.ts';
import { JsonSink } from '../../server/dicom/json-sink.ts';
import { bytesOf, listFiles, PYTHON, pydicomData } from './oracle.ts';

const rounds = Number(process.argv[2] ?? 20);
const dir = join(pydicomData() ?? '', 'test_files');
const given = process.argv.slice(3);
const files = given.length ? given : listFiles(dir).filter((f) => f.endsWith('.dcm') && !f.includes('dicomdirtests'));
const inputs = files.map(bytesOf);

/** The meta text as zipdcm writes it (file order; JSON.stringify unless keys need reordering). */
function serialise(json: Record<string, unknown> | null): string {
  return json === null ? 'null' : serialiseModel(json);
}

const sink = new JsonSink();

/** One file to JSON text: the model then its text, or parseDicomText into a reused sink. */
function oneFile(b: Uint8Array, stopBeforePixels: boolean, direct: boolean): void {
  if (!direct) serialise(parseDicom(b, { stopBeforePixels, complete: true }).json);
  else {
    sink.length = 0;
    parseDicomText(b, { stopBeforePixels, complete: true }, sink);
  }
}

/** [files per CPU-second (all threads: V8 also compiles and collects on helpers), files per wall-second]. */
function ours(stopBeforePixels: boolean, direct: boolean): [number, number] {
  for (let i = 0; i < 3; i++) for (const b of inputs) oneFile(b, stopBeforePixels, direct);
  const start = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    for (const b of inputs) oneFile(b, stopBeforePixels, direct);
  }
  const used = process.cpuUsage(start);
  const seconds = Number(process.hrtime.bigint() - wall) / 1e9;
  return [(rounds * inputs.length) / ((used.user + used.system) / 1e6), (rounds * inputs.length) / seconds];
}

const PY = `
import io, json, sys, time, warnings, pydicom
warnings.simplefilter("ignore")
stop = sys.argv[1] == "1"; rounds = int(sys.argv[2]); data = [open(f, "rb").read() for f in sys.argv[3:]]
def one(b):
    try: json.dumps(pydicom.dcmread(io.BytesIO(b), stop_before_pixels=stop, force=True).to_json_dict())
    except Exception: pass
for b in data: one(b)
t = time.process_time()
w = time.perf_counter()
for _ in range(rounds):
    for b in data: one(b)
print(rounds * len(data) / (time.process_time() - t), rounds * len(data) / (time.perf_counter() - w))
`;

function pydicom(stopBeforePixels: boolean): [number, number] {
  const r = spawnSync(PYTHON, ['-c', PY, stopBeforePixels ? '1' : '0', String(Math.max(1, Math.floor(rounds / 4))), ...files], { encoding: 'utf8' });
  const [cpu, wall] = r.stdout.trim().split(' ').map(Number);
  return [cpu, wall];
}

for (const stop of [true, false]) {
  const [pyCpu, pyWall] = pydicom(stop);
  for (const direct of [false, true]) {
    const [cpu, wall] = ours(stop, direct);
    console.log(`${stop ? 'header-only' : 'full read  '}: ${files.length} files; ${direct ? 'parseDicomText       ' : 'parseDicom+serialise '} ${cpu.toFixed(0)} files/cpu-s (${wall.toFixed(0)}/wall-s), ` +
      `pydicom ${pyCpu.toFixed(0)} files/cpu-s (${pyWall.toFixed(0)}/wall-s): ×${(cpu / pyCpu).toFixed(1)} per CPU-second, ×${(wall / pyWall).toFixed(1)} per wall-second`);
  }
}
