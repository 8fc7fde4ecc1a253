"""The benchmark's zipped-CSV corpus (issue 7): lab-result exports as RFC 4180 CSV (header line,
CRLF-free LF records, quoted fields with separators and doubled quotes), deflated into ZIP archives
with Python's zipfile, two quarterly archives of two monthly members each.

Usage: make_csv_corpus.py [--rows N] [--out DIR] [--seed S]   (deterministic; ~1M rows default)
"""
import argparse
import json
import time
import zipfile
from pathlib import Path

import numpy as np

DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 11
ARCHIVES = 2
MEMBERS_PER_ARCHIVE = 2
HEADER = "patient_id,accession,collected_at,test_code,test_name,value,unit,ref_low,ref_high,flag,comment"
# (code, name, unit, low, high): names with commas must be quoted, as real LIS exports do
TESTS = [
    ("2345-7", "Glucose, fasting", "mg/dL", 70, 99),
    ("718-7", "Hemoglobin", "g/dL", 12.0, 17.5),
    ("2951-2", "Sodium", "mmol/L", 135, 145),
    ("2823-3", "Potassium", "mmol/L", 3.5, 5.1),
    ("2160-0", "Creatinine, serum", "mg/dL", 0.6, 1.3),
    ("6690-2", "Leukocytes", "10*3/uL", 4.0, 11.0),
    ("777-3", "Platelets", "10*3/uL", 150, 400),
    ("1742-6", "ALT (SGPT)", "U/L", 7, 56),
]
COMMENTS = ["", "", "", "", "", "routine", "\"repeat, \"\"hemolysed\"\" sample\"", "\"called to ward, read back\""]
MANIFEST = "corpus.json"


def quote(text):
    return f'"{text}"' if "," in text else text


def member_text(rng, rows, month):
    """One month's export: vectorised draws, then one f-string per record."""
    test = rng.integers(0, len(TESTS), rows)
    patient = rng.integers(100000, 999999, rows)
    minute = rng.integers(0, 28 * 24 * 60, rows)
    noise = rng.normal(0, 0.25, rows)
    comment = rng.integers(0, len(COMMENTS), rows)
    lines = [HEADER]
    quoted = [quote(t[1]) for t in TESTS]
    for i in range(rows):
        code, _, unit, lo, hi = TESTS[test[i]]
        value = (lo + hi) / 2 + noise[i] * (hi - lo) * 2
        flag = "H" if value > hi else "L" if value < lo else ""
        m = int(minute[i])
        stamp = f"2024-{month:02d}-{1 + m // 1440:02d}T{m // 60 % 24:02d}:{m % 60:02d}:00"
        lines.append(f"MRN{patient[i]},A{month:02d}{i:08d},{stamp},{code},{quoted[test[i]]},"
                     f"{value:.2f},{unit},{lo},{hi},{flag},{COMMENTS[comment[i]]}")
    return "\n".join(lines) + "\n"


def generate(rows, out, seed):
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    members = ARCHIVES * MEMBERS_PER_ARCHIVE
    per_member = [rows // members + (1 if m < rows % members else 0) for m in range(members)]
    archives, raw_bytes = [], 0
    for a in range(ARCHIVES):
        path = out / f"labs-2024-h{a + 1}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for k in range(MEMBERS_PER_ARCHIVE):
                month = a * MEMBERS_PER_ARCHIVE + k + 1
                text = member_text(rng, per_member[month - 1], month).encode()
                zf.writestr(f"exports/labs-2024-{month:02d}.csv", text)
                raw_bytes += len(text)
        archives.append(path.name)
    manifest = {
        "generator": "scripts/corpus/make_csv_corpus.py", "rows": rows, "seed": seed,
        "archives": archives, "members": members, "header": True, "columns": HEADER.count(",") + 1,
        "zipped_bytes": sum((out / a).stat().st_size for a in archives), "unzipped_bytes": raw_bytes,
        "generate_seconds": round(time.perf_counter() - t0, 2),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    ap.add_argument("--out", type=Path, default=Path("bench/corpus/csv"))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    print(json.dumps(generate(args.rows, args.out, args.seed)))


if __name__ == "__main__":
    main()
