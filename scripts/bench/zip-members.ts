// Compressed member bytes for the micro rows: the central directory read by server/zip, then each
// member's local file header (APPNOTE 4.3.7: fixed 30 bytes, then name and extra field) skipped to
// reach its data. Only the benchmark needs raw compressed bytes in memory, so this lives here.
import { readCentralDirectory } from '../../server/zip/central-directory.ts';
import { FileHandleReader } from '../../server/storage/random-access-file.ts';

const LOCAL_HEADER_BYTES = 30;
const LOCAL_NAME_LENGTH_AT = 26;
const LOCAL_EXTRA_LENGTH_AT = 28;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const MAX_ENTRIES = 1_000_000;
/** Members bigger than this (multi-frame volumes) stay out of the micro rows' memory. */
const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

export interface RawMember {
  name: string;
  method: number;
  /** Declared uncompressed size. */
  size: number;
  /** The member's compressed data. */
  data: Uint8Array;
}

export async function zipMembers(archives: string[], select: (name: string) => boolean): Promise<RawMember[]> {
  const out: RawMember[] = [];
  for (const path of archives) {
    const file = await FileHandleReader.open(path);
    try {
      const { entries } = await readCentralDirectory(file, { maxEntries: MAX_ENTRIES });
      for (const e of entries) {
        if (e.isDirectory || e.encrypted || !select(e.name) || e.uncompressedSize > MAX_MEMBER_BYTES) continue;
        const head = new DataView((await file.read(e.localHeaderOffset, LOCAL_HEADER_BYTES)).buffer);
        if (head.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) throw new Error(`${path}::${e.name}: no local header at ${e.localHeaderOffset}`);
        const dataAt = e.localHeaderOffset + LOCAL_HEADER_BYTES + head.getUint16(LOCAL_NAME_LENGTH_AT, true) + head.getUint16(LOCAL_EXTRA_LENGTH_AT, true);
        out.push({ name: e.name, method: e.method, size: e.uncompressedSize, data: await file.read(dataAt, e.compressedSize) });
      }
    } finally {
      await file.close();
    }
  }
  return out;
}
