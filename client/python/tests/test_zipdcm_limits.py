"""Server limits reach the zipdcm pool workers (issue 6 "Limits", issue 7 follow-up).

Workers are threads with their own copy of server/limits.ts: `--max-dicom-element-bytes` given
to a real server must still cut a header element that is too long, in both the archive path
(batched member reads) and the bare-file path. Oracles: pydicom writes the files and says how
long each element value is; pyarrow's Flight client reads the rows.
"""
from __future__ import annotations

import io
import json
import zipfile

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import start_server, stop_server
from test_zipdcm_parity import CORPUS, Expected, pydicom  # noqa: F401  (pydicom: importorskip)

ELEMENT_LIMIT = 4096
LONG_COMMENT = 10000  # bytes of ImageComments (LT): over ELEMENT_LIMIT


def commented_dicom(comment_bytes: int) -> bytes:
    """CT_small with an ImageComments value of `comment_bytes`, written by pydicom."""
    ds = pydicom.dcmread(CORPUS / "CT_small.dcm")
    ds.ImageComments = "c" * comment_bytes
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def longest_value(ds) -> int:
    """The longest element value in a dataset, nested items included, Pixel Data left out."""
    longest = 0
    for elem in ds.iterall():
        if elem.tag != 0x7FE00010 and elem.VR != "SQ":
            longest = max(longest, len(elem.value) if isinstance(elem.value, (bytes, str)) else 0)
    return longest


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    root = tmp_path_factory.mktemp("zipdcm-limits")
    short, long = (CORPUS / "CT_small.dcm").read_bytes(), commented_dicom(LONG_COMMENT)
    with zipfile.ZipFile(root / "series.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("short.dcm", short)
        zf.writestr("long.dcm", long)
    (root / "bare").mkdir()
    (root / "bare" / "long.dcm").write_bytes(long)
    (root / "bare" / "short.dcm").write_bytes(short)
    proc, uri, output = start_server(root, ["--max-dicom-element-bytes", str(ELEMENT_LIMIT)])
    try:
        yield uri, short
        assert proc.poll() is None, "the zipflight server died:\n" + "\n".join(output)
    finally:
        stop_server(proc)


def read(uri: str, path: str) -> dict:
    client = flight.connect(uri)
    try:
        body = {"source": "zipdcm", "path": path, "options": {}}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        table = pa.concat_tables([client.do_get(e.ticket).read_all() for e in info.endpoints])
    finally:
        client.close()
    return {r["path"]: r for r in table.to_pylist()}


@pytest.mark.parametrize("path,long_row,short_row", [
    ("series.zip", "series.zip::long.dcm", "series.zip::short.dcm"),
    ("bare", "bare/long.dcm", "bare/short.dcm"),
])
def test_element_over_the_limit_is_an_error_row_in_workers(limited, path, long_row, short_row):
    uri, short = limited
    assert longest_value(pydicom.dcmread(io.BytesIO(short))) < ELEMENT_LIMIT < LONG_COMMENT
    rows = read(uri, path)
    assert set(rows) == {long_row, short_row}
    error = rows[long_row]["error"]
    assert error is not None and "LIMIT_EXCEEDED" in error and "(0020,4000)" in error, error
    assert rows[short_row]["error"] is None, rows[short_row]["error"]
    assert json.loads(rows[short_row]["meta"]) == Expected(short, force=False).header
