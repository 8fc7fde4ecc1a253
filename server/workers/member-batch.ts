// A chunk of one archive's members read and parsed on a pool worker: the worker reads each local
// header (APPNOTE 4.3.7) and the member's first compressed bytes itself with positional reads on
// the archive's open descriptor, parses them (member-task.ts) and answers with columns for the
// whole chunk. Profiled (1,000-file CT/MR corpus): per-member round trips cost the main thread
// ~360 µs a member (async pread ~90 µs, postMessage/piscina bookkeeping, Arrow string encoding),
// more than the workers' parse; one task per chunk leaves the main thread almost idle.
import { readSync } from 'node:fs';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { checkMember, memberDataOffset, ZipError, type MemberLimits, type ZipEntry } from '../zip/archive.ts';
import { errorResult, handleMemberTask, type MemberResult } from './member-task.ts';
import { JsonSink } from './dicom-api.ts';
import { toColumns, type PackedColumns } from './member-columns.ts';

/** First read of a member's compressed bytes: a CT/MR header deflates to 1–2 KiB. Reads here are
 *  synchronous and cheap to repeat, so a longer header just costs one more read; a larger first
 *  read copied pixel bytes for nothing (32 KiB reads were 9% of a worker's time). */
const FIRST_READ = 4 * 1024;
export const READ_GROWTH = 4;
/** A "header" (everything before Pixel Data) longer than this is not a header: give up rather
 *  than hold the member. Header-only reads stop at the same size. */
export const HEAD_LIMIT = 64 * 1024 * 1024;
/** One read from a local header serves it and the first prefix read behind it (name + extra
 *  are rarely more than a few hundred bytes). */
const BLOCK = 8 * 1024;

/** This thread's meta text buffer, emptied per chunk: a chunk's texts are written into it end to
 *  end and copied out once (toColumns), no string per member. */
const sink = new JsonSink();

/** What the worker needs of a ZipEntry. */
export type BatchMember = Pick<ZipEntry, 'name' | 'rawName' | 'method' | 'flags' | 'encrypted' | 'compressedSize' | 'uncompressedSize' | 'crc32' | 'localHeaderOffset' | 'dataLimit' | 'index' | 'isDirectory'>;

/** Numeric fields per member in BatchTask.numbers, in this order (the name's byte length last). */
const NUMERIC_FIELDS = ['localHeaderOffset', 'dataLimit', 'compressedSize', 'uncompressedSize', 'method', 'crc32', 'flags', 'index'] as const;
const FIELDS = NUMERIC_FIELDS.length + 3;

/** A chunk's members as a few arrays: measured, cloning 32 entry objects cost 55-85 µs a task,
 *  these arrays ~10 µs. */
export interface PackedMembers {
  numbers: Float64Array;
  names: string[];
  /** The names' bytes as stored, one after the other. */
  rawNames: Uint8Array;
}

export function packMembers(entries: readonly BatchMember[]): PackedMembers {
  const numbers = new Float64Array(entries.length * FIELDS);
  let nameBytes = 0;
  for (const e of entries) nameBytes += e.rawName.length;
  const rawNames = new Uint8Array(nameBytes);
  const names: string[] = new Array(entries.length);
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    // Field by field in NUMERIC_FIELDS order (unpackMembers reads them back by position): plain
    // property loads instead of a keyed e[field] loop over the names.
    const base = i * FIELDS;
    numbers[base] = e.localHeaderOffset;
    numbers[base + 1] = e.dataLimit;
    numbers[base + 2] = e.compressedSize;
    numbers[base + 3] = e.uncompressedSize;
    numbers[base + 4] = e.method;
    numbers[base + 5] = e.crc32;
    numbers[base + 6] = e.flags;
    numbers[base + 7] = e.index;
    numbers[base + NUMERIC_FIELDS.length] = e.encrypted ? 1 : 0;
    numbers[base + NUMERIC_FIELDS.length + 1] = e.isDirectory ? 1 : 0;
    numbers[base + NUMERIC_FIELDS.length + 2] = e.rawName.length;
    rawNames.set(e.rawName, at);
    at += e.rawName.length;
    names[i] = e.name;
  }
  return { numbers, names, rawNames };
}

function unpackMembers(p: PackedMembers): BatchMember[] {
  let at = 0;
  return p.names.map((name, i) => {
    const n = p.numbers.subarray(i * FIELDS, (i + 1) * FIELDS);
    const nameLength = n[NUMERIC_FIELDS.length + 2];
    const rawName = p.rawNames.subarray(at, at + nameLength);
    at += nameLength;
    return {
      name, rawName, localHeaderOffset: n[0], dataLimit: n[1], compressedSize: n[2], uncompressedSize: n[3], method: n[4], crc32: n[5], flags: n[6], index: n[7],
      encrypted: n[NUMERIC_FIELDS.length] === 1, isDirectory: n[NUMERIC_FIELDS.length + 1] === 1,
    };
  });
}

export interface BatchTask {
  kind: 'batch';
  /** The archive's descriptor, opened (and sandbox-checked) by the main thread, which keeps it
   *  open until every task of the archive has settled. */
  fd: number;
  fileSize: number;
  /** 'header': stop before Pixel Data; 'whole': read the whole member, hash it and parse it all. */
  mode: 'header' | 'whole';
  keysFilter: string[];
  limits: MemberLimits;
  members: PackedMembers;
}

/** The thread's block buffer. A member's local header and first compressed bytes are read into
 *  it and parsed at once, never kept, so one buffer serves every small read of a chunk: a fresh
 *  8 KiB per member was the worker's largest allocation. blockOwner says whose bytes it holds. */
const blockBuffer = Buffer.allocUnsafe(BLOCK);
let blockOwner: DescriptorFile | null = null;

/** Synchronous positional reads (the worker may block) with the last block kept. A read of up to
 *  BLOCK / 2 bytes returns a view of the thread's block buffer, valid until the next read. */
class DescriptorFile implements RandomAccessFile {
  readonly size: number;
  private blockStart = 0;
  private blockLength = 0;

  constructor(private readonly fd: number, size: number) {
    this.size = size;
  }

  read(position: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.readNow(position, length));
  }

  readNow(position: number, length: number): Uint8Array {
    const end = Math.min(this.size, position + length);
    if (blockOwner === this && position >= this.blockStart && end <= this.blockStart + this.blockLength) {
      return blockBuffer.subarray(position - this.blockStart, end - this.blockStart);
    }
    if (length > BLOCK / 2) return this.pread(Buffer.allocUnsafe(Math.max(0, end - position)), position);
    blockOwner = this;
    this.blockStart = position;
    this.blockLength = this.pread(blockBuffer.subarray(0, Math.max(0, Math.min(BLOCK, this.size - position))), position).length;
    return blockBuffer.subarray(0, Math.max(0, Math.min(end - position, this.blockLength)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Fill `out` from `position` on; a shorter view when the file ends first. Only the bytes read
   *  are ever exposed, so `out` need not be zero-filled. */
  private pread(out: Uint8Array, position: number): Uint8Array {
    let got = 0;
    // pread may return short counts before EOF; loop until filled or EOF.
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === out.length ? out : out.subarray(0, got);
  }
}

/** What parseMember needs to know of a member or bare file (crc32 null: nothing to check). */
type ParsedMember = Pick<BatchMember, 'method' | 'compressedSize' | 'uncompressedSize'> & { crc32: number | null };

/** Read bytes and parse until the parser no longer asks for more (as zipdcm-member.ts does for
 *  one member on the main thread). */
function parseMember(file: DescriptorFile, m: ParsedMember, dataOffset: number, task: Pick<BatchTask, 'mode' | 'keysFilter'>, hint: Hint): MemberResult {
  const whole = task.mode === 'whole';
  if (m.uncompressedSize === 0) return errorResult('empty member (0 bytes): not a DICOM file');
  let want = whole ? m.compressedSize : Math.min(m.compressedSize, FIRST_READ);
  let tried = 0;
  for (;;) {
    const bytes = file.readNow(dataOffset, want);
    if (bytes.length < want) return errorResult(`member data cut short: ${bytes.length} of ${want} bytes present (truncated archive?)`);
    const result = handleMemberTask({
      mode: task.mode, method: m.method, bytes, whole: want === m.compressedSize, uncompressedSize: m.uncompressedSize,
      crc32: m.crc32, keysFilter: task.keysFilter, firstInput: tried, inflateHint: hint.output,
    }, sink);
    if (result.status === 'ok' && result.inflateOutput !== undefined) hint.output = result.inflateOutput;
    if (result.status !== 'need-more') return result;
    if (want >= m.compressedSize) return errorResult('DICOM header does not end within the member');
    if (want >= HEAD_LIMIT) return errorResult(`no Pixel Data within the first ${HEAD_LIMIT} compressed bytes: header not read`);
    tried = want;
    want = Math.min(m.compressedSize, want * READ_GROWTH);
  }
}

/** Errors a bad input caused become the member's error; anything else is ours and propagates. */
function inputError(err: unknown): string {
  if (err instanceof ZipError) return `${err.code}: ${err.message}`;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // Raw fs errors name absolute paths: give the code only.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `I/O error ${code}`;
  throw err;
}

/** The inflated bytes the previous member's header needed: members of one archive are mostly
 *  slices of one series, whose headers have the same length. */
interface Hint {
  output: number | undefined;
}

async function readOne(file: DescriptorFile, m: BatchMember, task: BatchTask, hint: Hint): Promise<MemberResult> {
  try {
    // Decide before reading: encryption, method and size limits (APPNOTE 4.4.4, 4.4.5).
    checkMember(m as ZipEntry, task.limits);
    const dataOffset = await memberDataOffset(file, m as ZipEntry);
    return parseMember(file, m, dataOffset, task, hint);
  } catch (err) {
    return errorResult(inputError(err));
  }
}

export async function handleBatchTask(task: BatchTask): Promise<PackedColumns> {
  const file = new DescriptorFile(task.fd, task.fileSize);
  const results: MemberResult[] = [];
  const hint: Hint = { output: undefined };
  sink.length = 0;
  for (const m of unpackMembers(task.members)) results.push(await readOne(file, m, task, hint));
  return toColumns(results, sink);
}

/** Bare DICOM files (PS3.10 §7) read and parsed on a pool worker, a chunk at a time as archive
 *  members are: one task instead of one per file and a main-thread read per prefix. */
export interface FilesTask {
  kind: 'files';
  /** Descriptors the main thread opened (and sandbox-checked) and keeps open until the task
   *  settles; -1 for a file it could not open (its row's error is the main thread's). */
  fds: number[];
  sizes: number[];
  mode: 'header' | 'whole';
  keysFilter: string[];
}

export function handleFilesTask(task: FilesTask): PackedColumns {
  const hint: Hint = { output: undefined };
  sink.length = 0;
  const results = task.fds.map((fd, i) => {
    if (fd < 0) return errorResult('file not opened');
    const size = task.sizes[i];
    try {
      return parseMember(new DescriptorFile(fd, size), { method: 0, compressedSize: size, uncompressedSize: size, crc32: null }, 0, task, hint);
    } catch (err) {
      return errorResult(inputError(err));
    }
  });
  return toColumns(results, sink);
}
