"""The benchmark's DICOM corpus (issue 7): studies zipped one archive per series, as hospitals ship
them. Files are DICOM PS3.10 (explicit VR little endian, PS3.5 Annex A.2) written by pydicom 3.0,
inside deflated ZIP members (APPNOTE 6.3.10), plus pydicom's own test files in one zipfile archive.

Usage: make_dicom_corpus.py [--scale N] [--out DIR] [--seed S]
Deterministic for a given (scale, seed). Fast: one deflate run per pixel variant, reused by slices.
"""
import argparse
import json
import os
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(__file__))
from dicom_series import (CT_SIZE, MR_SIZE, PixelVariants, ct_header, ct_pixels, mr_header,  # noqa: E402
                          mr_pixels, multiframe_header, with_pixel_data)
from zip_writer import DEFLATE_END, ZipWriter, raw_deflate  # noqa: E402

DEFAULT_SCALE = 1000
DEFAULT_SEED = 7
VARIANTS_PER_SERIES = 4
CT_SERIES_SLICES = (60, 140)
MR_SERIES_SLICES = (20, 40)
MR_SHARE = 0.15
REAL_FILE_SHARE = 12  # one real pydicom test file per this many members, as far as they go
MULTIFRAME_FRAMES_FULL = 40  # 40 × 512 × 512 × 2 B = 21 MB: "tens of MB"
MULTIFRAME_FRAMES_SMALL = 6
SMALL_SCALE = 500
MANIFEST = "corpus.json"
GENERATOR_VERSION = 1
PYDICOM_TEST_FILES = Path(pydicom.__file__).parent / "data" / "test_files"


def readable_test_files():
    """pydicom test files the reference itself reads (no force) in both of its modes."""
    keep = []
    for path in sorted(PYDICOM_TEST_FILES.glob("*.dcm")):
        try:
            pydicom.dcmread(path).to_json_dict()
            pydicom.dcmread(path, stop_before_pixels=True).to_json_dict()
        except Exception:  # noqa: BLE001 - deliberately broken samples are not the baseline's data
            continue
        keep.append(path)
    return keep


def plan(scale, real_available):
    """How many members of each kind make up `scale` files."""
    multiframe = 1 if scale < SMALL_SCALE else 2 + scale // 5000
    real = min(real_available, max(2, scale // REAL_FILE_SHARE))
    slices = max(0, scale - multiframe - real)
    mr = int(slices * MR_SHARE)
    return {"ct": slices - mr, "mr": mr, "multiframe": multiframe, "real": real}


def split_series(total, bounds, rng):
    sizes = []
    while total > 0:
        n = min(total, int(rng.integers(bounds[0], bounds[1] + 1)))
        sizes.append(n)
        total -= n
    return sizes


def write_series(path, headers, variants):
    """One archive: each member = its header deflated + a reused pixel deflate run + end block."""
    writer = ZipWriter(path)
    raw = 0
    for i, (name, header) in enumerate(headers):
        pixel = variants[i % len(variants)]
        member = with_pixel_data(header, len(pixel.raw))
        head_deflated = raw_deflate(member)
        crc = pixel.crc_after(member)
        size = len(member) + len(pixel.raw)
        pieces = [head_deflated, pixel.deflated, DEFLATE_END]
        writer.add(name, pieces, crc, size, sum(len(p) for p in pieces))
        raw += size
    writer.close()
    return raw


def write_multiframe(path, header, variants, frames):
    writer = ZipWriter(path)
    frame_bytes = len(variants[0].raw)
    member = with_pixel_data(header, frame_bytes * frames)
    crc = zlib.crc32(member)
    pieces = [raw_deflate(member)]
    for f in range(frames):
        v = variants[f % len(variants)]
        crc = zlib.crc32(v.raw, crc)
        pieces.append(v.deflated)
    pieces.append(DEFLATE_END)
    size = len(member) + frame_bytes * frames
    writer.add("MF/IM000001.dcm", pieces, crc, size, sum(len(p) for p in pieces))
    writer.close()
    return size


def generate(scale, out, seed):
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    real_files = readable_test_files()
    counts = plan(scale, len(real_files))
    archives, files, raw_bytes = [], 0, 0
    study = 0
    for kind, bounds, size, make_pixels, make_header in (
        ("CT", CT_SERIES_SLICES, CT_SIZE, ct_pixels, ct_header),
        ("MR", MR_SERIES_SLICES, MR_SIZE, mr_pixels, mr_header),
    ):
        for series_index, n in enumerate(split_series(counts[kind.lower()], bounds, rng)):
            study += 1
            variants = PixelVariants([make_pixels(rng, size, v) for v in range(VARIANTS_PER_SERIES)])
            prefix = f"DICOM/ST{study:04d}/SE{series_index + 1:02d}"
            headers = [(f"{prefix}/IM{k + 1:06d}.dcm", h)
                       for k, h in enumerate(make_header(seed, study, series_index + 1, n))]
            path = out / f"study-{study:04d}" / f"{kind}-series-{series_index + 1:02d}.zip"
            path.parent.mkdir(parents=True, exist_ok=True)
            raw_bytes += write_series(path, headers, variants)
            archives.append(str(path.relative_to(out)))
            files += n
    frames = MULTIFRAME_FRAMES_FULL if scale >= SMALL_SCALE else MULTIFRAME_FRAMES_SMALL
    for m in range(counts["multiframe"]):
        study += 1
        variants = PixelVariants([ct_pixels(rng, CT_SIZE, v) for v in range(VARIANTS_PER_SERIES)])
        path = out / f"study-{study:04d}" / "multiframe.zip"
        path.parent.mkdir(parents=True, exist_ok=True)
        raw_bytes += write_multiframe(path, multiframe_header(seed, study, frames), variants, frames)
        archives.append(str(path.relative_to(out)))
        files += 1
    step = max(1, len(real_files) // max(1, counts["real"]))
    chosen = real_files[::step][: counts["real"]]
    real_zip = out / "real" / "pydicom-test-files.zip"
    real_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(real_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in chosen:
            zf.write(p, f"pydicom/{p.name}")
            raw_bytes += p.stat().st_size
    archives.append(str(real_zip.relative_to(out)))
    files += len(chosen)
    manifest = {
        "generator": "scripts/corpus/make_dicom_corpus.py", "version": GENERATOR_VERSION,
        "scale": scale, "seed": seed, "files": files, "archives": len(archives),
        "composition": {**counts, "real": len(chosen), "multiframe_frames": frames},
        "zipped_bytes": sum((out / a).stat().st_size for a in archives), "unzipped_bytes": raw_bytes,
        "generate_seconds": round(time.perf_counter() - t0, 2), "archive_paths": archives,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    ap.add_argument("--out", type=Path, default=Path("bench/corpus/dicom"))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    manifest = generate(args.scale, args.out, args.seed)
    summary = {k: v for k, v in manifest.items() if k != "archive_paths"}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
