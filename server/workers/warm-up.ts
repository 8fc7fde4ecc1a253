// Warm-up of a fresh pool worker (issue 7). V8 compiles lazily and optimises what runs often: a
// new thread's first reads cost several times a warm one's (measured in the first perf round:
// server CPU per 1,000-file read 1,200 → 450 → 400 → 380 → ~250 ms by the ~6th read). A worker
// therefore runs the member path (inflate APPNOTE 4.4.5, DICOM parse PS3.10 §7, JSON model
// PS3.18 F.2, column packing) over a synthetic CT header right after it starts, in short slices
// between its message handling, and stops for good when the first real task arrives.
import { deflateRawSync } from 'node:zlib';
import { writeDicomFile, type Element } from '../sample/dicom-writer.ts';
import { JsonSink } from './dicom-api.ts';
import { toColumns } from './member-columns.ts';
import { handleMemberTask, type MemberResult, type MemberTask } from './member-task.ts';
import { METHOD_DEFLATED } from './inflate-prefix.ts';

/** Header parses a worker runs at start (~1 ms each cold, far less warm). */
export const WARM_ROUNDS = 400;
/** Whole-member parses (hashes=true) among them: one in WHOLE_EVERY. */
const WHOLE_EVERY = 8;
/** Work per slice before yielding to the event loop, so a real task waits at most this long. */
const SLICE_MS = 3;
/** Results packed into columns at once, as a chunk of an archive's members is (zipdcm-read.ts). */
const CHUNK = 32;
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const UID_ROOT = '1.2.826.0.1.3680043.10.1518.3';
const SIDE = 64;

/** A CT slice as hospitals ship them (strings of the common VRs, US values, OW pixels), deflated. */
export function sampleMember(n: number): { bytes: Uint8Array; size: number } {
  const ds: Element[] = [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 100' },
    { tag: 0x00080008, vr: 'CS', value: 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: `${UID_ROOT}.1.1.${n}` },
    { tag: 0x00080020, vr: 'DA', value: '20240101' },
    { tag: 0x00080030, vr: 'TM', value: '081500.000' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00080070, vr: 'LO', value: 'ZIPFLIGHT' },
    { tag: 0x00100010, vr: 'PN', value: 'WARM^UP^^DR' },
    { tag: 0x00100020, vr: 'LO', value: `ZF-${n}` },
    { tag: 0x00180050, vr: 'DS', value: '2.5' },
    { tag: 0x00181151, vr: 'IS', value: '120' },
    { tag: 0x0020000d, vr: 'UI', value: `${UID_ROOT}.1` },
    { tag: 0x0020000e, vr: 'UI', value: `${UID_ROOT}.1.1` },
    { tag: 0x00200013, vr: 'IS', value: String(n) },
    { tag: 0x00200032, vr: 'DS', value: `-125.0\\-125.0\\${(n * 2.5).toFixed(1)}` },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00204000, vr: 'LT', value: 'synthetic slice for worker warm-up' },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: [SIDE] },
    { tag: 0x00280011, vr: 'US', value: [SIDE] },
    { tag: 0x00280100, vr: 'US', value: [16] },
    { tag: 0x00280101, vr: 'US', value: [12] },
    { tag: 0x00280102, vr: 'US', value: [11] },
    { tag: 0x00280103, vr: 'US', value: [0] },
    { tag: 0x7fe00010, vr: 'OW', value: Array.from({ length: SIDE * SIDE }, (_, i) => (i * 31 + n) & 0x3ff) },
  ];
  const file = writeDicomFile(CT_IMAGE_STORAGE, `${UID_ROOT}.1.1.${n}`, ds);
  return { bytes: deflateRawSync(file), size: file.length };
}

function warmTask(round: number, member: { bytes: Uint8Array; size: number }): MemberTask {
  return {
    mode: round % WHOLE_EVERY === 0 ? 'whole' : 'header', method: METHOD_DEFLATED, bytes: member.bytes, whole: true,
    uncompressedSize: member.size, crc32: null, keysFilter: ['7FE00010'], firstInput: 0,
  };
}

export interface WarmUp {
  /** Stop before the next slice (a real task arrived). */
  stop(): void;
  /** Resolves when the warm-up ends (all done, or stopped): rounds run, and how many of them
   *  did not parse cleanly (0 unless the sample or the parser is broken). */
  done: Promise<{ rounds: number; failed: number }>;
}

/** Start warming this thread in the background. */
export function startWarmUp(rounds = WARM_ROUNDS): WarmUp {
  let stopped = false;
  let round = 0;
  let failed = 0;
  const members = [sampleMember(1), sampleMember(2)];
  // The meta text goes into a sink, as member-batch.ts parses a chunk.
  const sink = new JsonSink();
  let results: MemberResult[] = [];
  const done = new Promise<{ rounds: number; failed: number }>((resolve) => {
    const slice = () => {
      const until = performance.now() + SLICE_MS;
      while (!stopped && round < rounds && performance.now() < until) {
        const result = handleMemberTask(warmTask(round, members[round % members.length]), sink);
        if (result.status !== 'ok') failed++;
        results.push(result);
        round++;
        if (results.length === CHUNK) {
          toColumns(results, sink);
          results = [];
          sink.length = 0;
        }
      }
      if (stopped || round >= rounds) resolve({ rounds: round, failed });
      else setImmediate(slice);
    };
    setImmediate(slice);
  });
  return { stop: () => { stopped = true; }, done };
}
