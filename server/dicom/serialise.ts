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
const INTEGER_KEY = /^[1-9][0-9]{7}$/;

type Dataset = Record<string, unknown>;

/** Record the file order of `keys` on `dataset` when JS would enumerate them differently. */
export function keepFileOrder(dataset: Dataset, keys: string[]): boolean {
  if (!keys.some((k) => INTEGER_KEY.test(k))) return false;
  Object.defineProperty(dataset, FILE_ORDER, { value: keys });
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
  for (let i = 0; i < keys.length; i++) text += `${i ? ',' : ''}${JSON.stringify(keys[i])}:${writeElement(dataset[keys[i]])}`;
  return `${text}}`;
}

function writeElement(element: unknown): string {
  const el = element as { vr?: string; Value?: unknown[] };
  if (el && Array.isArray(el.Value)) {
    if (el.vr === 'SQ') return `{"vr":"SQ","Value":[${el.Value.map((item) => writeDataset(item as Dataset)).join(',')}]}`;
    if (FLOAT_VRS.has(el.vr as string)) return `{"vr":"${el.vr}","Value":[${el.Value.map(writeFloat).join(',')}]}`;
  }
  return stringify(element);
}

function writeFloat(value: unknown): string {
  return typeof value === 'number' ? pyFloatJson(value) : stringify(value);
}

/** The model's JSON text, attributes in file order at every level, floats as Python writes them. */
export function serialiseModel(json: Record<string, unknown>): string {
  return writeDataset(json);
}
