// The built-in sample data root behind `npm start` (`zipflight serve --sample`): a newcomer sees
// every source with data on the first run. Generated deterministically into .sample/ next to the
// repo (regenerated when the generator's version changes); the real TCIA archive comes from sample/.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { randomStream } from '../sources/fake-random.ts';
import { writeDicomFile, type Element } from './dicom-writer.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLE_VERSION = '1';
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const UID_ROOT = '1.2.826.0.1.3680043.10.1518.2';
const IMAGE_SIZE = 64;

/** A body-like slice: an ellipse of soft tissue with noise, so it deflates like real CT. */
function pixels(random: () => number, slice: number): number[] {
  const out: number[] = [];
  const c = IMAGE_SIZE / 2;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const r = ((x - c) / (c * 0.9)) ** 2 + ((y - c) / (c * 0.7)) ** 2;
      out.push(r < 1 ? 1000 + Math.round(40 * random()) + (r < 0.1 + slice * 0.01 ? 300 : 0) : 0);
    }
  }
  return out;
}

function ctSlice(study: number, series: number, n: number, random: () => number): Uint8Array {
  const studyUid = `${UID_ROOT}.${study}`;
  const seriesUid = `${studyUid}.${series}`;
  const sopUid = `${seriesUid}.${n}`;
  const ds: Element[] = [
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: sopUid },
    { tag: 0x00080020, vr: 'DA', value: `2024010${study}` },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00100010, vr: 'PN', value: `SAMPLE^PATIENT${study}` },
    { tag: 0x00100020, vr: 'LO', value: `ZF-${1000 + study}` },
    { tag: 0x0020000d, vr: 'UI', value: studyUid },
    { tag: 0x0020000e, vr: 'UI', value: seriesUid },
    { tag: 0x00200013, vr: 'IS', value: String(n) },
    { tag: 0x00200032, vr: 'DS', value: `0\\0\\${(n * 2.5).toFixed(1)}` },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: [IMAGE_SIZE] },
    { tag: 0x00280011, vr: 'US', value: [IMAGE_SIZE] },
    { tag: 0x00280100, vr: 'US', value: [16] },
    { tag: 0x00280101, vr: 'US', value: [12] },
    { tag: 0x00280102, vr: 'US', value: [11] },
    { tag: 0x00280103, vr: 'US', value: [0] },
    { tag: 0x7fe00010, vr: 'OW', value: pixels(random, n) },
  ];
  return writeDicomFile(CT_IMAGE_STORAGE, sopUid, ds);
}

function labsCsv(month: number, random: () => number): string {
  const tests = [['glucose', 'mg/dL', 70, 140], ['hemoglobin', 'g/dL', 11, 17], ['sodium', 'mmol/L', 133, 146]] as const;
  const lines = ['patient_id,test,value,unit,collected_at,abnormal,comment'];
  for (let i = 0; i < 40; i++) {
    const [test, unit, lo, hi] = tests[i % tests.length];
    const value = (lo - 5 + random() * (hi - lo + 10)).toFixed(1);
    const abnormal = Number(value) < lo || Number(value) > hi;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const comment = i % 7 === 0 ? '"repeat, ""hemolysed"" sample"' : i % 5 === 0 ? '' : 'routine';
    lines.push(`ZF-${1000 + (i % 4)},${test},${value},${unit},2024-${String(month).padStart(2, '0')}-${day}T08:${String(i % 60).padStart(2, '0')}:00,${abnormal},${comment}`);
  }
  return lines.join('\r\n') + '\r\n';
}

async function generate(dir: string): Promise<void> {
  // Seeded (mulberry32): the sample is byte-identical on every machine.
  const random = randomStream(20240101);
  await rm(dir, { recursive: true, force: true });
  for (const sub of ['dicom/ct', 'dicom/tcia', 'dicom/bad', 'labs']) await mkdir(join(dir, sub), { recursive: true });
  for (let study = 1; study <= 2; study++) {
    const files: Zippable = {};
    for (let n = 1; n <= 6; n++) files[`series-1/slice-${String(n).padStart(3, '0')}.dcm`] = ctSlice(study, 1, n, random);
    await writeFile(join(dir, `dicom/ct/study-${study}.zip`), zipSync(files, { level: 6 }));
  }
  await writeFile(join(dir, 'dicom/ct/loose-slice.dcm'), ctSlice(3, 1, 1, random));
  const good = ctSlice(4, 1, 1, random);
  await writeFile(
    join(dir, 'dicom/bad/mixed.zip'),
    zipSync({ 'good.dcm': good, 'truncated.dcm': good.subarray(0, 600), 'not-dicom.dcm': new TextEncoder().encode('this is not DICOM\n') }),
  );
  await copyFile(join(REPO, 'sample/midi-b-sr-sample.zip'), join(dir, 'dicom/tcia/midi-b-sr-sample.zip'));
  const labs: Zippable = {};
  for (let month = 1; month <= 3; month++) labs[`2024/labs-2024-${String(month).padStart(2, '0')}.csv`] = new TextEncoder().encode(labsCsv(month, random));
  await writeFile(join(dir, 'labs/labs-2024.zip'), zipSync(labs, { level: 6 }));
  await writeFile(join(dir, '.zipflight-sample'), SAMPLE_VERSION);
}

/** The sample root's path, generating it first when missing or from an older generator. */
export async function sampleRoot(dir = join(REPO, '.sample')): Promise<string> {
  const stamp = join(dir, '.zipflight-sample');
  if (!existsSync(stamp) || (await readFile(stamp, 'utf8')) !== SAMPLE_VERSION) await generate(dir);
  return dir;
}
