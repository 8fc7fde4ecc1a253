#!/usr/bin/env python3
"""Write DICOM files with one header element value far larger than the rest, and what pydicom
3.0.1 reads from them, for test/dicom/limits.test.ts (the element size limit).

Usage: make_limit_cases.py OUTDIR   → OUTDIR/<case>.dcm and OUTDIR/oracle.json with, per case:
the big element's tag, the byte offset of its element header as pydicom's raw element records it
(value_tell minus the header length; in the inflated dataset for the deflated transfer syntax),
and pydicom's to_json_dict() (stop_before_pixels). Bytes are built by hand (make_edge_cases.py).
"""
import io
import json
import os
import random
import sys
import zlib

import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_edge_cases import SEQ_END, ex, im, item, part10  # noqa: E402

BIG = 100_000
PIXELS = 200_000
DEFLATED = "1.2.840.10008.1.2.1.99"
IMPLICIT = "1.2.840.10008.1.2"
ENCAPSULATED_DOCUMENT = 0x00420011
TEXT_VALUE = 0x0040A160
CONTENT_SEQUENCE = 0x0040A730


def top_level():
    # Random bytes: the deflated copy stays large, so server/dicom inflates it a prefix at a time.
    noise = random.Random(1).randbytes(BIG)
    return (ex(0x00081030, "LO", b"study ") + ex(0x00100010, "PN", b"Doe^J ")
            + ex(ENCAPSULATED_DOCUMENT, "OB", noise) + ex(0x00420012, "LO", b"text/plain")
            + ex(0x7FE00010, "OB", b"\x02" * PIXELS))


def deflate(data):
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()


def cases():
    nested = (ex(0x00100010, "PN", b"Doe^J ")
              + ex(CONTENT_SEQUENCE, "SQ", item(ex(TEXT_VALUE, "UT", b"short ")) + item(ex(TEXT_VALUE, "UT", b"x" * BIG)), length=0xFFFFFFFF)
              + SEQ_END + ex(0x00400441, "SQ", b""))
    undefined = (im(0x00100010, b"Doe^J ")
                 + im(ENCAPSULATED_DOCUMENT, item(b"\x03" * (BIG // 2)) + item(b"\x04" * (BIG // 2)) + SEQ_END, length=0xFFFFFFFF)
                 + im(0x00420012, b"text/plain"))
    return {
        "big_top": (part10(top_level()), ENCAPSULATED_DOCUMENT, None),
        "big_in_item": (part10(nested), TEXT_VALUE, CONTENT_SEQUENCE),
        "big_deflated": (part10(deflate(top_level()), DEFLATED), ENCAPSULATED_DOCUMENT, None),
        "big_undefined": (part10(undefined, IMPLICIT), ENCAPSULATED_DOCUMENT, None),
    }


def header_offset(ds, tag, seq):
    """Element header offset of the (last) raw element `tag`, at the top or in `seq`'s items."""
    where = ds if seq is None else ds[seq].value[-1]
    raw = where.get_item(tag)
    explicit = not ds.original_encoding[0]
    return raw.value_tell - (12 if explicit and raw.VR in ("OB", "UT", "SQ") else 8)


def main():
    out = sys.argv[1]
    oracle = {}
    for name, (data, tag, seq) in cases().items():
        with open(os.path.join(out, name + ".dcm"), "wb") as f:
            f.write(data)
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        oracle[name] = {"tag": f"{tag:08X}", "offset": header_offset(ds, tag, seq), "json": ds.to_json_dict()}
    with open(os.path.join(out, "oracle.json"), "w", encoding="utf-8") as f:
        json.dump(oracle, f)


if __name__ == "__main__":
    main()
