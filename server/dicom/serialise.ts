// JSON text of the DICOM JSON model (PS3.18 §F.2) with the attributes in file order, as pydicom's
// to_json_dict() + json.dumps() writes them. JS objects list integer-like keys first ("30040002",
// "52009229", "60000010": no hex letter, no leading zero), so datasets holding such keys carry
// their file order under a symbol. Written key by key: DS/FL/FD values are Python floats
// (pydicom jsonrep.convert_to_python_number), so they are laid out as repr(float) (py-float.ts),
// which JSON.stringify's number form is not; everything else is JSON.stringify's text. JSON has no
// NaN/Infinity (written null) and no BigInt (UV/SV past 2^53 written as exact digits).
import { pyFloatJson } from './py-float.ts';

const FILE_ORDER = Symbol('DICOM attribute keys in file order');
/** VRs pydicom's to_json_dict gives as Python floats (jsonrep FLOAT_VR); IS is an int. */
const FLOAT_VRS = new Set(['DS', 'FL', 'FD']);
/** An integer-like property key (an array index): JS enumerates these first, in numeric order. */
const INTEGER_KEY_LENGTH = 8;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Printable ASCII bounds: JSON.stringify writes these as they are, except '"' and '\\'. */
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** VR strings written unescaped: two capitals (pydicom's unresolved ambiguous VRs go to stringify). */
const SIMPLE_VR = /^[A-Z]{2}$/;
const BASE64 = /^[A-Za-z0-9+/=]*$/;

type Dataset = Record<string, unknown>;

/** Record the file order of `keys` on `dataset` when JS would enumerate them differently. */
export function keepFileOrder(dataset: Dataset, keys: string[]): void {
  if (!keys.some(isIntegerKey)) return;
  Object.defineProperty(dataset, FILE_ORDER, { value: keys });
}

/** An integer-like property key (an array index, 8 digits without a leading zero): JS enumerates
 *  these first, in numeric order. Checked for every attribute of every dataset, so no regex. */
function isIntegerKey(key: string): boolean {
  if (key.length !== INTEGER_KEY_LENGTH) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9 || (i === 0 && c === DIGIT_0)) return false;
  }
  return true;
}

/** True when JSON.stringify(s) is s in quotes: the common case of UIDs, codes, dates, names. */
function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < PRINTABLE_FIRST || c > PRINTABLE_LAST || c === QUOTE || c === BACKSLASH) return false;
  }
  return true;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    const marks: string[] = [];
    const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `\u0000big${marks.push(v.toString()) - 1}\u0000` : v));
    return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]);
  }
}

function writeDataset(dataset: Dataset): string {
  const order = (dataset as { [FILE_ORDER]?: string[] })[FILE_ORDER];
  const keys = order ? order.filter((k) => Object.prototype.hasOwnProperty.call(dataset, k)) : Object.keys(dataset);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const quoted = isPlainAscii(key) ? `"${key}"` : JSON.stringify(key);
    text += (i ? ',' : '') + quoted + ':' + writeElement(dataset[key]);
  }
  return text + '}';
}

/** One attribute object written by hand in JSON.stringify's layout (its generic object walk was
 *  the serialiser's largest cost); shapes other than {vr[, Value | InlineBinary]} go to it. */
export function writeElement(element: unknown): string {
  const el = element as { vr?: unknown; Value?: unknown; InlineBinary?: unknown };
  if (el === null || typeof el !== 'object' || typeof el.vr !== 'string' || !SIMPLE_VR.test(el.vr)) return stringify(element);
  const fields = elementShape(el);
  if (fields === 1) return `{"vr":"${el.vr}"}`;
  if (fields === 2 && typeof el.InlineBinary === 'string' && BASE64.test(el.InlineBinary)) return `{"vr":"${el.vr}","InlineBinary":"${el.InlineBinary}"}`;
  if (fields !== 2 || !Array.isArray(el.Value)) return stringify(element);
  const head = `{"vr":"${el.vr}","Value":[`;
  const values = el.Value;
  let text = '';
  if (el.vr === 'SQ') {
    for (let i = 0; i < values.length; i++) text += (i ? ',' : '') + writeDataset(values[i] as Dataset);
  } else if (FLOAT_VRS.has(el.vr)) {
    for (let i = 0; i < values.length; i++) text += (i ? ',' : '') + writeFloat(values[i]);
  } else {
    for (let i = 0; i < values.length; i++) text += (i ? ',' : '') + writeValue(values[i]);
  }
  return head + text + ']}';
}

/** 1: {vr}; 2: {vr, Value} or {vr, InlineBinary} with `vr` first; 0: any other shape. */
function elementShape(el: object): number {
  // for-in over a model object (a plain literal) walks its own keys in order, with no key array.
  let count = 0;
  for (const key in el) {
    if (count === 0 ? key !== 'vr' : count > 1 || (key !== 'Value' && key !== 'InlineBinary')) return 0;
    count++;
  }
  return count;
}

/** A non-float value: strings and safe numbers directly, BigInt as digits, the rest (PN
 *  objects, null) through JSON.stringify. */
function writeValue(value: unknown): string {
  if (typeof value === 'string') return isPlainAscii(value) ? `"${value}"` : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  return stringify(value);
}

function writeFloat(value: unknown): string {
  return typeof value === 'number' ? pyFloatJson(value) : stringify(value);
}

/** The model's JSON text, attributes in file order at every level, floats as Python writes them. */
export function serialiseModel(json: Record<string, unknown>): string {
  return writeDataset(json);
}
