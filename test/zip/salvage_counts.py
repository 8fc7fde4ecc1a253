"""Salvage counts on fuzzed archives, ours against Python's zipfile (a measurement, not a test).

Writes COUNT archives of the zip fuzz target (seed SEED) with our verdicts
(test/fuzz/write-zip-verdicts.ts: each member streamed, size and CRC-32 checked), reads them with
zipfile (CRC-32 checked) and prints: members zipfile reads, how many of those we read with the
same bytes, what we say about the rest, members we read from archives zipfile cannot open, and
any member whose bytes differ (by position: a nested archive's end record, which zipfile takes
for the outer archive's, shows up here by design).

Usage: .venv/bin/python test/zip/salvage_counts.py [COUNT [SEED]]
"""
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from zipfile_oracle import SKIP, zipfile_reads

REPO = Path(__file__).resolve().parents[2]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = sys.argv[2] if len(sys.argv) > 2 else "77"
    tally, differ = Counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["node", "--import", "tsx", "test/fuzz/write-zip-verdicts.ts", tmp, str(count), seed], cwd=REPO, check=True)
        for i in range(count):
            base = Path(tmp) / f"case-{i:04d}"
            ours = json.loads(base.with_suffix(".json").read_text())
            mine = [m.get("sha1") for m in ours["members"]]
            read = zipfile_reads(base.with_suffix(".zip"))
            if read is None:
                tally["archives zipfile cannot open"] += 1
                tally["members we read where zipfile cannot open"] += sum(1 for m in mine if m)
                continue
            for k, sha in enumerate(read[1]):
                got = mine[k] if k < len(mine) else None
                if sha == SKIP:
                    continue
                if sha is None:
                    tally["members we read, zipfile refuses"] += bool(got)
                    continue
                tally["members zipfile reads"] += 1
                if got == sha:
                    tally["... we read the same bytes"] += 1
                elif got is None:
                    why = ours["open"] or (ours["members"][k]["error"] if k < len(mine) else "not listed")
                    tally[f"... we say {why}"] += 1
                else:
                    differ.append(f"{base.name} member {k}")
    print(f"{count} fuzzed archives (seed {seed}):")
    for key, n in sorted(tally.items()):
        print(f"  {key}: {n}")
    print(f"  members read with other bytes than zipfile's (by position): {differ}")


if __name__ == "__main__":
    main()
