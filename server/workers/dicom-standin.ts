// TEMPORARY stand-in (not committed) until server/dicom lands.
import dicomParser from 'dicom-parser';
export interface ParseOptions { stopBeforePixels: boolean; complete: boolean; keysFilter?: string[]; pixelDataElided?: boolean }
export interface ParseResult {
  status: 'ok' | 'need-more' | 'error';
  json: Record<string, unknown> | null;
  fileMeta: Record<string, unknown> | null;
  transferSyntaxUid: string | null;
  pixelData: { elementOffset: number; valueOffset: number; length: number | null; vr: string } | null;
  error: { code: string; message: string; offset: number | null; tag: string | null } | null;
}
export function parseDicom(bytes: Uint8Array, opts: ParseOptions): ParseResult {
  try {
    const ds = dicomParser.parseDicom(bytes, opts.stopBeforePixels ? { untilTag: 'x7fe00010' } : {});
    const json: Record<string, unknown> = {};
    let pixelData = null;
    for (const [k, el] of Object.entries(ds.elements)) {
      const tag = k.slice(1).toUpperCase();
      if (tag.startsWith('0002')) continue;
      if (tag === '7FE00010') {
        pixelData = { elementOffset: el.dataOffset - 12, valueOffset: el.dataOffset, length: el.hadUndefinedLength ? null : el.length, vr: el.vr ?? 'OW' };
        continue;
      }
      if (el.vr === 'US') json[tag] = { vr: 'US', Value: [ds.uint16(k)] };
      else if (el.vr === 'IS') json[tag] = { vr: 'IS', Value: [Number(ds.string(k))] };
      else if (el.vr && ['UI', 'CS', 'DA', 'LO', 'SH'].includes(el.vr)) json[tag] = { vr: el.vr, Value: [ds.string(k)] };
      else json[tag] = { vr: el.vr ?? 'UN' };
    }
    if (opts.stopBeforePixels && !pixelData && !opts.complete) return { status: 'need-more', json: null, fileMeta: null, transferSyntaxUid: null, pixelData: null, error: null };
    return { status: 'ok', json, fileMeta: null, transferSyntaxUid: ds.string('x00020010') ?? null, pixelData, error: null };
  } catch (e) {
    if (!opts.complete) return { status: 'need-more', json: null, fileMeta: null, transferSyntaxUid: null, pixelData: null, error: null };
    return { status: 'error', json: {}, fileMeta: null, transferSyntaxUid: null, pixelData: null, error: { code: 'PARSE', message: String((e as Error)?.message ?? e), offset: null, tag: null } };
  }
}
