// VR lookup for implicit VR and UN elements (DICOM PS3.5 §6.2, §7.8.1; PS3.6 §6) following
// pydicom 3.0's `_dictionary_vr_fast`, `get_entry` (repeater masks) and `get_private_entry`
// (keys tried as ggggeeee, ggggxxee, ggxxxxee under the element's private creator).
import { PRIVATE_VRS, PUBLIC_VRS, REPEATER_VRS } from './dictionary-data.ts';

const ENTRY_SEP = ';';
const KEY_SEP = ':';
const HEX_DIGITS = 8;

let publicVrs: Map<number, string> | null = null;
/** Repeater masks as [value, care-mask, VR]: a tag matches when (tag ^ value) & care === 0. */
let repeaters: [number, number, string][] | null = null;
const privateCache = new Map<string, Map<string, string> | null>();

function unpack(packed: string): [string, string][] {
  if (packed === '') return [];
  return packed.split(ENTRY_SEP).map((entry) => {
    const at = entry.indexOf(KEY_SEP);
    return [entry.slice(0, at), entry.slice(at + 1)];
  });
}

function loadPublic(): Map<number, string> {
  publicVrs = new Map(unpack(PUBLIC_VRS).map(([key, vr]) => [parseInt(key, 16), vr]));
  return publicVrs;
}

function loadRepeaters(): [number, number, string][] {
  repeaters = unpack(REPEATER_VRS).map(([mask, vr]) => {
    let value = 0;
    let care = 0;
    for (let i = 0; i < HEX_DIGITS; i++) {
      const wild = mask[i] === 'x';
      value = value * 16 + (wild ? 0 : parseInt(mask[i], 16));
      care = care * 16 + (wild ? 0 : 0xf);
    }
    return [value, care, vr];
  });
  return repeaters;
}

/** The dictionary VR of a public tag (repeaters included; not for odd groups), or null. */
export function publicVr(tag: number): string | null {
  const direct = (publicVrs ?? loadPublic()).get(tag);
  if (direct !== undefined) return direct;
  if ((tag >>> 16) % 2 === 1) return null;
  for (const [value, care, vr] of repeaters ?? loadRepeaters()) {
    if (((tag ^ value) & care) >>> 0 === 0) return vr;
  }
  return null;
}

function creatorTable(creator: string): Map<string, string> | null {
  let table = privateCache.get(creator);
  if (table === undefined) {
    const packed = Object.prototype.hasOwnProperty.call(PRIVATE_VRS, creator) ? PRIVATE_VRS[creator] : undefined;
    table = packed === undefined ? null : new Map(unpack(packed));
    privateCache.set(creator, table);
  }
  return table;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** VR of a private element under `creator` from pydicom's private dictionary, or null. */
export function privateVr(tag: number, creator: string): string | null {
  const table = creatorTable(creator);
  if (!table) return null;
  const group = hex4(tag >>> 16);
  const elem = hex4(tag & 0xffff);
  return table.get(group + elem) ?? table.get(`${group}xx${elem.slice(2)}`) ?? table.get(`${group.slice(0, 2)}xxxx${elem.slice(2)}`) ?? null;
}
