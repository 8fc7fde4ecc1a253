"""Limits set as `zipflight serve` flags reach the code that enforces them, seen from pyarrow:
with --max-concurrent-streams 1 a second DoGet is refused RESOURCE_EXHAUSTED while the first is
running, and works again once it ended; --max-members-per-request 1 refuses a two-member archive.
"""
from __future__ import annotations

import json
import time
import zipfile

import pyarrow as pa
import pyarrow.flight as fl
import pytest

from conftest import start_server, stop_server

# Big enough that the first stream is still sending while the second one asks.
MANY_ROWS = 2_000_000


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    import pydicom
    from pathlib import Path

    root = tmp_path_factory.mktemp("limits-root")
    ct = Path(pydicom.__file__).parent / "data" / "test_files" / "CT_small.dcm"
    with zipfile.ZipFile(root / "two.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(ct, "a.dcm")
        zf.write(ct, "b.dcm")
    server = start_server(["--root", str(root), "--max-concurrent-streams", "1", "--max-members-per-request", "1"], {})
    yield server
    stop_server(server)


def _ticket(client, source: str, **request) -> fl.Ticket:
    info = client.get_flight_info(fl.FlightDescriptor.for_command(json.dumps({"source": source, **request})))
    return info.endpoints[0].ticket


def test_concurrent_stream_limit(limited_server):
    with fl.connect(limited_server.uri) as client:
        big = _ticket(client, "fake", options={"numRows": MANY_ROWS})
        small = _ticket(client, "fake", options={"numRows": 3})
        first = client.do_get(big)
        first.read_chunk()  # the first stream is running (and, unread, held by flow control)
        # pyarrow has no class for RESOURCE_EXHAUSTED: it raises ArrowInvalid naming the status.
        with pytest.raises((fl.FlightError, pa.ArrowInvalid), match="resource exhausted"):
            client.do_get(small).read_all()
        first.cancel()
    with fl.connect(limited_server.uri) as client:
        for _ in range(50):  # the cancelled stream frees its slot within moments
            try:
                assert client.do_get(small).read_all().num_rows == 3
                break
            except (fl.FlightError, pa.ArrowInvalid):
                time.sleep(0.05)
        else:
            pytest.fail("the stream slot was never freed")


def test_members_per_request_limit(limited_server):
    with fl.connect(limited_server.uri) as client:
        if "zipdcm" not in [f.descriptor.path[0].decode() for f in client.list_flights()]:
            pytest.skip("the zipdcm source is not registered yet")
        try:
            table = client.do_get(_ticket(client, "zipdcm", path="two.zip")).read_all()
        except (fl.FlightError, pa.ArrowInvalid) as refused:  # refused as a whole: RESOURCE_EXHAUSTED
            assert "limit" in str(refused).lower()
            return
    # or refused per archive, as an error row naming the limit, with no metadata read
    assert table.num_rows == 1
    row = table.to_pylist()[0]
    assert row["meta"] is None and "limit of 1" in row["error"]
