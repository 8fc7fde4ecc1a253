"""The baselines of issue 7, written by us: the reference Spark sources' per-file work without Spark.
zipdcm: zipfile + pydicom.dcmread + to_json_dict() + the key filter + json.dumps, header-only
(stop_before_pixels, as dbx.pixels reads) or the reference's own (whole file + SHA-1 of PixelData).
zipcsv: the reference's line reader ((zipfile, file_name, line) per physical line), and pyarrow.csv
on each inflated member. Prints one JSON object: items, errors, cpu_s (process CPU, all threads), wall_s.

Usage: reference_reader.py dicom-header|dicom-full|csv-lines|csv-pyarrow CORPUS_DIR [--limit N]
"""
import argparse
import hashlib
import io
import json
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pydicom
import pyarrow.csv

DEFAULT_KEYS_FILTER = ["60003000", "7FE00010", "00283010", "00283006"]


def archives(corpus):
    """Every .zip under the corpus, recursively, in a stable order (the reference globs **/*.zip)."""
    return sorted(Path(corpus).rglob("*.zip"))


def dicom_members(corpus):
    for path in archives(corpus):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.endswith(".dcm"):  # the reference's member selection, case-sensitive
                    yield zf, path, name


def read_dicom(zf, name, full):
    """One row's `meta`, as the reference builds it."""
    with zf.open(name) as fp:
        ds = pydicom.dcmread(fp, stop_before_pixels=not full)
        meta = ds.to_json_dict()
        for key in DEFAULT_KEYS_FILTER:
            meta.pop(key, None)
        if full:
            # The reference hashes fp.read() after dcmread (empty input, its bug) and ds.PixelData.
            meta["hash"] = hashlib.sha1(fp.read()).hexdigest()
            pixels = ds.get("PixelData")
            meta["pixel_hash"] = hashlib.sha1(pixels).hexdigest() if pixels is not None else None
    return json.dumps(meta)


def run_dicom(corpus, full, limit):
    items = errors = out_bytes = 0
    for zf, path, name in dicom_members(corpus):
        if limit and items >= limit:
            break
        try:
            out_bytes += len(read_dicom(zf, name, full))
        except Exception as exc:  # noqa: BLE001 - the reference would fail the task; we count
            errors += 1
            print(f"{path}::{name}: {exc}", file=sys.stderr)
        items += 1
    return {"items": items, "errors": errors, "json_bytes": out_bytes}


def run_csv_lines(corpus, limit):
    """The reference zipcsv: one (zipfile, file_name, line) tuple per physical line, stripped."""
    rows = 0
    for path in archives(corpus):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                with zf.open(name) as fp:
                    for raw in io.TextIOWrapper(fp, encoding="utf-8"):
                        row = (str(path), name, raw.strip())
                        rows += row is not None
                        if limit and rows >= limit:
                            return {"items": rows, "errors": 0}
    return {"items": rows, "errors": 0}


def run_csv_pyarrow(corpus):
    """pyarrow.csv over each member after inflating it; only the parse is inside the clock."""
    rows, cpu, wall = 0, 0.0, 0.0
    for path in archives(corpus):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                data = zf.read(name)
                c0, w0 = time.process_time(), time.perf_counter()
                rows += pyarrow.csv.read_csv(pyarrow.py_buffer(data)).num_rows
                cpu += time.process_time() - c0
                wall += time.perf_counter() - w0
    return {"items": rows, "errors": 0, "cpu_s": cpu, "wall_s": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["dicom-header", "dicom-full", "csv-lines", "csv-pyarrow"])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="stop after this many items (0 = all)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # pydicom warns on the odd real test file; not timed output
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if args.mode.startswith("dicom"):
        result = run_dicom(args.corpus, args.mode == "dicom-full", args.limit)
    elif args.mode == "csv-lines":
        result = run_csv_lines(args.corpus, args.limit)
    else:
        result = run_csv_pyarrow(args.corpus)
    result.setdefault("cpu_s", time.process_time() - cpu0)
    result.setdefault("wall_s", time.perf_counter() - wall0)
    result.update(mode=args.mode, pydicom=pydicom.__version__, pyarrow=pyarrow.__version__)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
