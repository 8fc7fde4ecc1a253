#!/usr/bin/env python3
"""Oracle for test/dicom: pydicom 3.0.1's JSON model of each file, in both read modes.

Usage: pydicom_dump.py OUT.json FILE...   (a FILE ending in '@N' means: its first N bytes only)
For each file writes {"header", "full", "force", "error", "pixel_sha1"}: header =
dcmread(f, stop_before_pixels=True).to_json_dict(), full = dcmread(f).to_json_dict(); force=True
only when reading without it fails for lack of the 'DICM' prefix. NaN/Infinity are written as
null (JSON has neither). A mode pydicom cannot read or convert is null, with its error.
pixel_sha1: SHA-1 of ds.PixelData (full read), or null; header_keys / full_keys: the attribute
keys depth-first in the order json.dumps writes them; header_big_ints / full_big_ints: integers
past 2^53 as exact decimal strings (JSON.parse would round them); header_text / full_text: the
model as json.dumps writes it (floats as repr(float)), compact separators, non-ASCII unescaped.
header_lenient: when a deflated dataset does not inflate (zlib.error), the header-only model of
what inflates (zlib.decompressobj's output, as a prefix of the stream gives): server/dicom reads
the header of such a file when Pixel Data comes before the break (it inflates incrementally).
"""
import hashlib
import io
import json
import math
import sys
import warnings
import zlib

import pydicom
from pydicom.errors import InvalidDicomError

warnings.simplefilter("ignore")


def finite(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list):
        return [finite(x) for x in v]
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    return v


def keys_in_order(model, out):
    """Attribute keys depth-first in document order (what json.dumps writes)."""
    for key, element in model.items():
        out.append(key)
        if element.get("vr") == "SQ":
            for item in element.get("Value", []):
                keys_in_order(item, out)
    return out


def big_ints(value, out):
    """Integers JSON.parse cannot hold exactly (|n| > 2^53), as decimal strings, in document order."""
    if isinstance(value, bool):
        return out
    if isinstance(value, int) and abs(value) > 2**53:
        out.append(str(value))
    elif isinstance(value, list):
        for v in value:
            big_ints(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            big_ints(v, out)
    return out


def read(data, stop, force):
    return finite(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=stop, force=force).to_json_dict())


def lenient_decompress(data, wbits=zlib.MAX_WBITS, bufsize=zlib.DEF_BUF_SIZE):
    return zlib.decompressobj(wbits).decompress(data)


def read_lenient(data, force):
    """Header-only model with the deflated dataset inflated as far as it goes, or None."""
    strict = zlib.decompress
    zlib.decompress = lenient_decompress
    try:
        return finite(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=force).to_json_dict())
    except Exception:
        return None
    finally:
        zlib.decompress = strict


def dump(spec):
    path, _, cut = spec.partition("@")
    with open(path, "rb") as f:
        data = f.read()
    if cut:
        data = data[: int(cut)]
    out = {"force": False, "error": None}
    try:
        pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    except InvalidDicomError:
        out["force"] = True
    except Exception:
        pass
    try:
        pixels = pydicom.dcmread(io.BytesIO(data), force=out["force"]).get("PixelData")
        out["pixel_sha1"] = None if pixels is None else hashlib.sha1(pixels).hexdigest()
    except Exception:
        out["pixel_sha1"] = None
    for mode, stop in (("header", True), ("full", False)):
        try:
            out[mode] = read(data, stop, out["force"])
            out[mode + "_keys"] = keys_in_order(out[mode], [])
            out[mode + "_big_ints"] = big_ints(out[mode], [])
            out[mode + "_text"] = json.dumps(out[mode], separators=(",", ":"), ensure_ascii=False)
        except Exception as exc:  # pydicom's own failure is part of the oracle
            out[mode] = None
            out["error"] = f"{mode}: {type(exc).__name__}: {exc}"[:300]
            if mode == "header" and isinstance(exc, zlib.error):
                out["header_lenient"] = read_lenient(data, out["force"])
    return out


def main():
    result = {spec: dump(spec) for spec in sys.argv[2:]}
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
