"""The memory run's archive (issue 7): one ZIP64 archive larger than 4 GiB (APPNOTE 4.3.14-4.3.16,
4.5.3), written sparse. Two stored multi-frame DICOM members of ~2.2 GB each whose Pixel Data is
zeros left as filesystem holes, then ordinary CT slices whose local headers sit past 4 GiB.

Usage: make_zip64_archive.py [--out FILE] [--gib 4.5] [--slices 20]
Generated only by the benchmark (seconds, a few MB of real disk), never by CI.
"""
import argparse
import json
import os
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from dicom_series import CT_SIZE, PixelVariants, ct_header, ct_pixels, multiframe_header, with_pixel_data  # noqa: E402
from zip_writer import DEFLATE_END, METHOD_STORED, ZipWriter, crc32_zeros, raw_deflate  # noqa: E402

GIB = 1 << 30
DEFAULT_GIB = 4.5
BIG_MEMBERS = 2
DEFAULT_SLICES = 20
FRAME_BYTES = CT_SIZE * CT_SIZE * 2
SEED = 64


def generate(out, gib, slices):
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = int(gib * GIB / BIG_MEMBERS / FRAME_BYTES)
    writer = ZipWriter(out)
    members = []
    for m in range(BIG_MEMBERS):
        header = with_pixel_data(multiframe_header(SEED, m + 1, frames), frames * FRAME_BYTES)
        size = len(header) + frames * FRAME_BYTES
        crc = crc32_zeros(frames * FRAME_BYTES, zlib.crc32(header))
        name = f"VOLUMES/MF{m + 1:06d}.dcm"
        writer.add(name, [header, frames * FRAME_BYTES], crc, size, size, METHOD_STORED)
        members.append({"name": name, "size": size, "frames": frames})
    rng = np.random.default_rng(SEED)
    variants = PixelVariants([ct_pixels(rng, CT_SIZE, v) for v in range(2)])
    for k, header in enumerate(ct_header(SEED, BIG_MEMBERS + 1, 1, slices)):
        pixel = variants[k % len(variants)]
        member = with_pixel_data(header, len(pixel.raw))
        pieces = [raw_deflate(member), pixel.deflated, DEFLATE_END]
        name = f"SLICES/IM{k + 1:06d}.dcm"
        size = len(member) + len(pixel.raw)
        writer.add(name, pieces, pixel.crc_after(member), size, sum(len(p) for p in pieces))
        members.append({"name": name, "size": size})
    writer.close()
    st = out.stat()
    return {
        "generator": "scripts/corpus/make_zip64_archive.py", "path": str(out), "bytes": st.st_size,
        "allocated_bytes": st.st_blocks * 512, "members": len(members),
        "big_member_bytes": members[0]["size"], "frames_per_big_member": frames,
        "generate_seconds": round(time.perf_counter() - t0, 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/corpus/zip64/volumes-zip64.zip"))
    ap.add_argument("--gib", type=float, default=DEFAULT_GIB)
    ap.add_argument("--slices", type=int, default=DEFAULT_SLICES)
    args = ap.parse_args()
    print(json.dumps(generate(args.out, args.gib, args.slices)))


if __name__ == "__main__":
    main()
