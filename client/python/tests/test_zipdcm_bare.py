"""Bare .dcm files read a chunk at a time on the pool (issue 7): more files than one chunk holds,
one of them removed between GetFlightInfo and DoGet. Every other file reads as pydicom reads it,
in row order, and the removed one is an error row naming it (its chunk-mates unaffected).
"""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import start_server, stop_server
from test_zipdcm_parity import CORPUS, Expected, pydicom  # noqa: F401  (pydicom: importorskip)
from test_zipdcm_robust import tiny_dicom

FILES = 75  # over two chunks of 32 files
REMOVED = 40


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    root = tmp_path_factory.mktemp("zipdcm-bare")
    (root / "series").mkdir()
    data = {f"series/IM{i:03d}.dcm": tiny_dicom(i) for i in range(FILES)}
    data["series/IM007.dcm"] = (CORPUS / "CT_small.dcm").read_bytes()
    for rel, b in data.items():
        (root / rel).write_bytes(b)
    proc, uri, output = start_server(root)
    try:
        yield root, uri, data
        assert proc.poll() is None, "the zipflight server died:\n" + "\n".join(output)
    finally:
        stop_server(proc)


def test_bare_files_in_chunks_with_one_gone(bare):
    root, uri, data = bare
    client = flight.connect(uri)
    try:
        body = {"source": "zipdcm", "path": "series", "options": {"numPartitions": 1}}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        gone = f"series/IM{REMOVED:03d}.dcm"
        (root / gone).unlink()
        table = pa.concat_tables([client.do_get(e.ticket).read_all() for e in info.endpoints])
    finally:
        client.close()
    rows = table.to_pylist()
    assert [r["path"] for r in rows] == sorted(data)
    assert [r["rowid"] for r in rows] == sorted(r["rowid"] for r in rows)
    for r in rows:
        if r["path"] == gone:
            assert r["error"] is not None and gone in r["error"] and "NOT_FOUND" in r["error"], r["error"]
            continue
        assert r["error"] is None, r["error"]
        assert json.loads(r["meta"]) == Expected(data[r["path"]], force=False).header, r["path"]
