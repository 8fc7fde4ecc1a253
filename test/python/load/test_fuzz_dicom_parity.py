"""Differential fuzz of the DICOM layer against pydicom 3.0.1 (the reference's reader): damaged
copies of pydicom's own test files (lengths, VRs, tags, transfer syntaxes, bit flips,
truncations) are parsed by our layer (test/fuzz/write-dicom-parse.ts) and by
``pydicom.dcmread(...).to_json_dict()``. Wherever both read a file, the JSON models must be
equal. Where only one reads it, the counts are printed (pydicom reads truncated files silently;
ours reports TRUNCATED with the partial model), not asserted; any other refusal of a file
pydicom reads is a parity bug. Damaged files that once showed one are kept in
test/fuzz/findings/ and checked one by one.
"""
from __future__ import annotations

import json
import math
import subprocess
import warnings
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, tally_line

CASES = 400
SEED = 4711
# Both readers agree to read at least this many damaged files, or the test proves nothing.
MIN_BOTH_READ = 25
# pydicom reads truncated values silently; ours reports them (a deliberate difference).
ACCEPTED_REFUSALS = {"TRUNCATED"}
FINDINGS = sorted((REPO / "test" / "fuzz" / "findings").glob("*.dcm"))


def _norm(x):
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None  # pydicom writes NaN/Infinity (not JSON); ours writes null
    if isinstance(x, str) and x.startswith("bigint:"):
        return int(x[len("bigint:"):])
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_norm(v) for v in x]
    return x


def test_damaged_dicom_both_readers_agree_when_both_read(tmp_path):
    pydicom = pytest.importorskip("pydicom")
    subprocess.run(["node", "--import", "tsx", "test/fuzz/write-dicom-parse.ts", str(tmp_path), str(CASES), str(SEED)], cwd=REPO, check=True, timeout=180)
    tally: Counter = Counter()
    differ = []
    refused = []
    for i in range(CASES):
        name = tmp_path / f"case-{i:04d}"
        ours = json.loads((name.with_suffix(".json")).read_text())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = _norm(pydicom.dcmread(str(name.with_suffix(".dcm"))).to_json_dict())
        except Exception:
            theirs = None
        if ours["status"] == "ok" and theirs is not None:
            tally["both read"] += 1
            mine = _norm(ours["json"])
            if mine != theirs:
                keys = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
                differ.append(f"{name.name}: tags {keys[:5]}")
        elif theirs is not None:
            tally[f"only pydicom reads (ours {ours['error']})"] += 1
            if ours["error"] not in ACCEPTED_REFUSALS:
                refused.append(f"{name.name}: {ours['error']} {ours['message']}")
        elif ours["status"] == "ok":
            tally["only ours reads"] += 1
        else:
            tally["neither reads"] += 1
    print(f"\ndicom parity under damage: {CASES} files, {tally_line(tally)}, models differ: {len(differ)}")
    assert tally["both read"] >= MIN_BOTH_READ
    assert differ == []
    assert refused == []


def _pydicom_json(path: Path):
    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _norm(pydicom.dcmread(str(path)).to_json_dict())


@pytest.mark.parametrize("finding", FINDINGS, ids=[f.name for f in FINDINGS])
def test_saved_finding_reads_as_pydicom_reads_it(finding):
    pytest.importorskip("pydicom")
    theirs = _pydicom_json(finding)
    out = subprocess.run(["node", "--import", "tsx", "test/fuzz/write-dicom-parse.ts", "--parse", str(finding)],
                         cwd=REPO, check=True, timeout=120, capture_output=True, text=True).stdout
    ours = json.loads(out.splitlines()[0])
    assert ours["status"] == "ok", f"pydicom reads {finding.name}; ours: {ours['error']} {ours['message']}"
    assert _norm(ours["json"]) == theirs
