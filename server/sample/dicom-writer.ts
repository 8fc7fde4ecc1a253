// A minimal DICOM Part 10 writer (PS3.10 §7.1 file meta, PS3.5 §7.1.2 explicit VR little endian)
// for the built-in sample's synthetic images. It writes only what the sample needs: string,
// unsigned-short and OW values, elements sorted by tag, no sequences.

const PREAMBLE_LENGTH = 128;
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1518.1'; // zipflight sample generator
/** VRs whose explicit-VR header has 2 reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export type ElementValue = string | number[] | Uint8Array;
export interface Element { tag: number; vr: string; value: ElementValue }

function encodeValue(vr: string, value: ElementValue): Uint8Array {
  if (value instanceof Uint8Array) return value.length % 2 ? padded(value, 0) : value;
  if (Array.isArray(value)) {
    const out = new Uint8Array(value.length * 2);
    const view = new DataView(out.buffer);
    value.forEach((v, i) => view.setUint16(i * 2, v, true));
    return out;
  }
  const bytes = new TextEncoder().encode(value);
  return bytes.length % 2 ? padded(bytes, vr === 'UI' ? 0 : 0x20) : bytes;
}

function padded(bytes: Uint8Array, pad: number): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

function encodeElement({ tag, vr, value }: Element): Uint8Array {
  const body = encodeValue(vr, value);
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const view = new DataView(head.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, body.length, true);
  else view.setUint16(6, body.length, true);
  return concat([head, body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A Part 10 file: preamble, `DICM`, file meta group 0002 with its group length, then `dataset`. */
export function writeDicomFile(sopClassUid: string, sopInstanceUid: string, dataset: Element[]): Uint8Array {
  const meta = concat([
    encodeElement({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }),
    encodeElement({ tag: 0x00020002, vr: 'UI', value: sopClassUid }),
    encodeElement({ tag: 0x00020003, vr: 'UI', value: sopInstanceUid }),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: EXPLICIT_VR_LITTLE_ENDIAN }),
    encodeElement({ tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID }),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  const sorted = [...dataset].sort((a, b) => a.tag - b.tag);
  return concat([
    new Uint8Array(PREAMBLE_LENGTH),
    new TextEncoder().encode('DICM'),
    encodeElement({ tag: 0x00020000, vr: 'UL', value: groupLength }),
    meta,
    ...sorted.map(encodeElement),
  ]);
}
