// Helpers over one parsed member: the typed key columns read from the DICOM JSON model
// (PS3.18 F.2) and readable parse-error text (element tag, byte offset).

/** Tags of the utf8 key columns, in column order (transfer syntax UID comes from the file meta). */
export const KEY_STRING_TAGS = ['00080018', '00080016', '0020000D', '0020000E', '00100020', '00080060', '00080020'];
/** Tags of the int32 key columns: Rows, Columns, Number of Frames. */
export const KEY_INT_TAGS = ['00280010', '00280011', '00280008'];

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

type JsonElement = { vr?: string; Value?: unknown[] };

function firstValue(json: Record<string, unknown> | null, tag: string): unknown {
  const el = json?.[tag] as JsonElement | undefined;
  return Array.isArray(el?.Value) ? el.Value[0] : undefined;
}

/** KEY_STRING_TAGS then KEY_INT_TAGS: the tags whose first values become key columns. */
export const KEY_TAGS: readonly string[] = [...KEY_STRING_TAGS, ...KEY_INT_TAGS];

export function takeKeys(json: Record<string, unknown> | null, transferSyntaxUid: string | null) {
  return keysOf(KEY_TAGS.map((tag) => firstValue(json, tag)), transferSyntaxUid);
}

/** Key column values from the first values of KEY_TAGS, in that order (undefined: none). */
export function keysOf(values: readonly unknown[], transferSyntaxUid: string | null) {
  const strings: (string | null)[] = KEY_STRING_TAGS.map((_tag, k) => {
    const v = values[k];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  });
  strings.push(transferSyntaxUid);
  const ints = KEY_INT_TAGS.map((_tag, k) => {
    const v = values[KEY_STRING_TAGS.length + k];
    return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? v : null;
  });
  return { strings, ints };
}

export interface ParseErrorInfo {
  code?: string;
  message?: string;
  offset?: number | null;
  tag?: number | string | null;
}

function formatTag(tag: number | string): string {
  const hex = typeof tag === 'number' ? (tag >>> 0).toString(16).padStart(8, '0') : tag.replace(/[^0-9a-fA-F]/g, '');
  return hex.length === 8 ? `(${hex.slice(0, 4)},${hex.slice(4)})`.toUpperCase() : String(tag);
}

export function describeParseError(error: ParseErrorInfo | null | undefined): string {
  if (!error) return 'DICOM parse failed';
  const where = [
    error.offset !== undefined && error.offset !== null ? `at byte ${error.offset}` : '',
    error.tag !== undefined && error.tag !== null ? `in element ${formatTag(error.tag)}` : '',
  ].filter(Boolean);
  return `${error.code ?? 'PARSE_ERROR'}${where.length ? ' ' + where.join(' ') : ''}: ${error.message ?? 'DICOM parse failed'}`;
}
