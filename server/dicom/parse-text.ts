// Part 10 bytes (PS3.10 §7) → the DICOM JSON model's text (PS3.18 §F.2) written as UTF-8 into a
// caller's JsonSink: parseDicom + serialiseModel in one pass, byte for byte the same text, with
// no model objects for the common values (json-writer.ts), and the few values a caller keys on.
import { DicomError } from './dicom-error.ts';
import { elementJson, finalVr, readElementVr, type Scope } from './json-model.ts';
import type { JsonSink } from './json-sink.ts';
import { firstValueOf } from './json-text-values.ts';
import { writeDatasetJson } from './json-writer.ts';
import { caught, modelOf, outcome, type ParseOptions, type ParseResult, skipSet, walkFile } from './parse.ts';
import { readPart10Header, type Part10Header } from './part10.ts';
import { serialiseModel } from './serialise.ts';
import { type RawDataset, WalkContext } from './walker.ts';
import { ElementArena } from './element-list.ts';
import { limits } from '../limits.ts';

export interface TextParseOptions extends ParseOptions {
  /** Top-level tags (8 hex digits) whose first value the result carries in `keyValues`,
   *  whether or not `keysFilter` leaves them out of the text. */
  keyTags?: readonly string[];
}

export interface TextParseResult extends Omit<ParseResult, 'json' | 'fileMeta'> {
  /** The JSON text is sink.bytes[textStart, textEnd) (UTF-8, no BOM); both -1 when parseDicom's
   *  `json` would be null (pydicom raises): then nothing is left written in the sink. */
  textStart: number;
  textEnd: number;
  /** Per keyTags entry: the first item of the element's "Value" in the model (a string, a number,
   *  a BigInt, a PN object), or undefined (absent, empty, binary, a sequence, or no model). */
  keyValues: unknown[];
}

const SEQUENCE = 'SQ';
/** This thread's recycled elements (one parse at a time: parsing is synchronous). */
const ARENA = new ElementArena();
/** Parsed keyTags, per array (callers pass one constant array). */
const KEY_TAG_NUMBERS = new WeakMap<readonly string[], number[]>();

/** parseDicom(bytes, opts) with its model's JSON text (serialiseModel's) appended to `sink`. */
export function parseDicomText(bytes: Uint8Array, opts: TextParseOptions, sink: JsonSink): TextParseResult {
  const input = new WalkContext(bytes, opts.complete, opts.maxElementBytes ?? limits().maxDicomElementBytes, ARENA);
  const textStart = sink.length;
  let header: Part10Header | null = null;
  try {
    header = readPart10Header(input, opts.stopBeforePixels);
    const ds = walkFile(input, header, opts.stopBeforePixels);
    const keyValues = writeText(input, header, ds, opts, sink);
    const o = outcome(input, header, ds);
    return { status: o.status, transferSyntaxUid: o.transferSyntaxUid, pixelData: o.pixelData, error: o.error, hasPreamble: o.hasPreamble, textStart, textEnd: sink.length, keyValues };
  } catch (err) {
    sink.length = textStart;
    const { json: _json, fileMeta: _meta, ...rest } = caught(err, header, input);
    return { ...rest, textStart: -1, textEnd: -1, keyValues: [] };
  } finally {
    // The raw datasets die here: the result holds text offsets and values, no element.
    ARENA.reset();
  }
}

function writeText(input: WalkContext, header: Part10Header, ds: RawDataset, opts: TextParseOptions, sink: JsonSink): unknown[] {
  const skip = skipSet(opts.keysFilter);
  const tags = keyTagNumbers(opts.keyTags);
  if (header.command && header.dataset !== input) {
    // A deflated file with a command group (rare): the model, then its text.
    const model = modelOf(input, header, ds, skip) as Record<string, { Value?: unknown[] }>;
    sink.raw(serialiseModel(model));
    const full = skip === undefined ? model : modelOf(input, header, ds, undefined);
    return (opts.keyTags ?? []).map((key) => (full[key] as { Value?: unknown[] } | undefined)?.Value?.[0]);
  }
  const scope = writeDatasetJson(header.dataset, ds, undefined, skip, sink);
  const values: unknown[] = new Array(tags.length);
  for (let i = 0; i < tags.length; i++) values[i] = firstValue(header.dataset, scope, tags[i]);
  return values;
}

function keyTagNumbers(keys: readonly string[] | undefined): number[] {
  if (keys === undefined) return [];
  let tags = KEY_TAG_NUMBERS.get(keys);
  if (tags === undefined) KEY_TAG_NUMBERS.set(keys, (tags = keys.map((k) => parseInt(k, 16))));
  return tags;
}

function firstValue(ctx: WalkContext, scope: Scope, tag: number): unknown {
  const el = scope.ds.elements.get(tag);
  if (el === undefined) return undefined;
  try {
    if (!scope.done?.has(tag)) {
      const readVr = readElementVr(ctx, scope, el);
      const vr = finalVr(ctx, scope, el, readVr);
      if (vr === SEQUENCE) return undefined;
      // Straight from the bytes for strings and US/UL (the key columns' UIDs, codes, dates, sizes).
      const value = readVr === vr ? firstValueOf(ctx, scope, el, vr) : null;
      if (value !== null) return value;
    }
    return elementJson(ctx, scope, el).Value?.[0];
  } catch (err) {
    // Only reached for a value the text already holds: a key value pydicom refuses has none.
    if (err instanceof DicomError) return undefined;
    throw err;
  }
}
