// JSON text of the DICOM JSON model (PS3.18 §F.2) with the attributes in file order, as pydicom's
// to_json_dict() + json.dumps() writes them. JS objects list integer-like keys first ("30040002",
// "52009229", "60000010": no hex letter, no leading zero), so datasets holding such keys carry
// their file order under a symbol and are written key by key; others go through JSON.stringify.
// JSON has no NaN/Infinity (written null) and no BigInt (UV/SV past 2^53 written as exact digits).

const FILE_ORDER = Symbol('DICOM attribute keys in file order');
const REORDERED_BELOW = Symbol('some dataset in this tree has keys JS reorders');
/** An integer-like property key (an array index): JS enumerates these first, in numeric order. */
const INTEGER_KEY = /^[1-9][0-9]{7}$/;

type Dataset = Record<string, unknown>;

/** Record the file order of `keys` on `dataset` when JS would enumerate them differently. */
export function keepFileOrder(dataset: Dataset, keys: string[]): boolean {
  if (!keys.some((k) => INTEGER_KEY.test(k))) return false;
  Object.defineProperty(dataset, FILE_ORDER, { value: keys });
  return true;
}

/** Mark the top-level dataset: its tree needs the key-by-key writer. */
export function markReordered(dataset: Dataset): void {
  Object.defineProperty(dataset, REORDERED_BELOW, { value: true });
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
  return `{${keys.map((k) => `${JSON.stringify(k)}:${writeElement(dataset[k])}`).join(',')}}`;
}

function writeElement(element: unknown): string {
  const el = element as { vr?: string; Value?: unknown[] };
  if (el && el.vr === 'SQ' && Array.isArray(el.Value)) {
    return `{"vr":"SQ","Value":[${el.Value.map((item) => writeDataset(item as Dataset)).join(',')}]}`;
  }
  return stringify(element);
}

/** The model's JSON text, attributes in file order at every level. */
export function serialiseModel(json: Record<string, unknown>): string {
  return (json as { [REORDERED_BELOW]?: boolean })[REORDERED_BELOW] ? writeDataset(json) : stringify(json);
}
