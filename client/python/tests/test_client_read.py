"""zipflight.read_arrow / read_pandas / connect against a real zipflight server, checked against
pyarrow's own FlightClient reading the same descriptor (Arrow Flight RPC: GetFlightInfo, DoGet),
Python's zipfile (which members exist) and Python's csv module (which rows exist).
"""
import json
import time

import pyarrow as pa
import pyarrow.flight as flight
import pytest

import zipflight
from conftest import BAD_MEMBER

FAKE_ROWS = 1000
FAKE_PARTITIONS = 4
# The server logs a call when it ends; a cancelled stream ends when the server notices.
CANCEL_LOG_SECONDS = 10
TYPED_SCHEMA = "name string, age int, visits bigint, score double, active boolean, date date, seen timestamp"


def pyarrow_read(uri: str, body: dict) -> pa.Table:
    """The oracle: pyarrow's FlightClient, with a descriptor the test writes itself."""
    client = flight.connect(uri)
    try:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        tables = [client.do_get(e.ticket).read_all() for e in info.endpoints]
        return pa.concat_tables(tables) if tables else info.schema.empty_table()
    finally:
        client.close()


def test_descriptor_is_the_json_command():
    d = zipflight.descriptor("zipdcm", "studies/2024", numPartitions=4, mode="FAILFAST")
    assert d.descriptor_type == flight.DescriptorType.CMD
    assert json.loads(d.command) == {"source": "zipdcm", "path": "studies/2024", "options": {"numPartitions": 4, "mode": "FAILFAST"}}
    assert "path" not in json.loads(zipflight.descriptor("fake").command)


def test_list_sources_shows_every_source(server):
    # All three are registered now: a missing one fails here instead of skipping tests elsewhere.
    assert {"fake", "zipdcm", "zipcsv"} <= set(server.sources)
    with zipflight.connect(server.uri) as conn:
        assert conn.list_sources() == server.sources


def test_read_arrow_fake_equals_pyarrow_flight_client(server):
    options = {"numRows": FAKE_ROWS, "numPartitions": FAKE_PARTITIONS, "seed": 7}
    ours = zipflight.read_arrow(server.uri, "fake", **options)
    theirs = pyarrow_read(server.uri, {"source": "fake", "options": options})
    assert ours.num_rows == FAKE_ROWS
    assert ours.schema.names == ["name", "date", "zipcode", "state"]
    assert ours.equals(theirs)
    with zipflight.connect(server.uri) as conn:
        assert len(conn.flight_info("fake", **options).endpoints) == FAKE_PARTITIONS
        assert conn.schema("fake", **options) == ours.schema


def test_options_as_strings_read_like_numbers(server):
    # Spark passes every option as a string; the server parses "1000" as 1000.
    as_strings = zipflight.read_arrow(server.uri, "fake", numRows=str(FAKE_ROWS), numPartitions="3", seed="7")
    as_numbers = zipflight.read_arrow(server.uri, "fake", numRows=FAKE_ROWS, numPartitions=3, seed=7)
    assert as_strings.num_rows == FAKE_ROWS
    assert as_strings.equals(as_numbers)


def test_typed_fake_columns_and_read_pandas(server):
    options = {"schema": TYPED_SCHEMA, "numRows": 200, "numPartitions": 2, "seed": 3}
    table = zipflight.read_arrow(server.uri, "fake", **options)
    types = {f.name: f.type for f in table.schema}
    assert types["name"] in (pa.string(), pa.large_string())
    assert (types["age"], types["visits"], types["score"], types["active"]) == (pa.int32(), pa.int64(), pa.float64(), pa.bool_())
    assert types["date"] == pa.date32()
    assert pa.types.is_timestamp(types["seen"])
    frame = zipflight.read_pandas(server.uri, "fake", **options)
    assert len(frame) == 200
    assert list(frame.columns) == table.schema.names
    assert frame.equals(pyarrow_read(server.uri, {"source": "fake", "options": options}).to_pandas())


def test_zero_rows_keep_the_schema(server):
    table = zipflight.read_arrow(server.uri, "fake", numRows=0, numPartitions=2)
    assert table.num_rows == 0
    assert table.schema.names == ["name", "date", "zipcode", "state"]


def test_unknown_source_fails_not_found_with_its_name(server):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(server.uri, "nosuchsource")
    assert failed.value.code == "NOT_FOUND"
    assert "nosuchsource" in failed.value.message
    assert "gRPC client debug context" not in str(failed.value)


@pytest.mark.parametrize("options, named", [({"numRows": "many"}, "numRows"), ({"bogusOption": "1"}, "bogusOption")])
def test_bad_option_fails_invalid_argument_naming_it(server, options, named):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(server.uri, "fake", **options)
    assert failed.value.code == "INVALID_ARGUMENT"
    assert named in failed.value.message


def test_stopping_a_stream_early_cancels_it_on_the_server(server):
    rows = 2_000_000
    seen = len(server.output)
    with zipflight.connect(server.uri) as conn:
        info = conn.flight_info("fake", numRows=rows, numPartitions=1)
        stream = conn.read_ticket(info.endpoints[0].ticket.ticket)
        first = next(stream)
        stream.close()  # cancels the DoGet mid-stream
        assert 0 < first.num_rows < rows
        assert conn.read_arrow("fake", numRows=10).num_rows == 10
    # The server's call log (JSON lines) records the DoGet as CANCELLED, short of its rows.
    deadline = time.monotonic() + CANCEL_LOG_SECONDS
    while time.monotonic() < deadline:
        calls = [json.loads(line) for line in server.output[seen:] if line.startswith("{") and '"DoGet"' in line]
        cancelled = [c for c in calls if c.get("status") == "CANCELLED"]
        if cancelled:
            assert cancelled[0].get("rows", 0) < rows
            return
        time.sleep(0.1)
    pytest.fail("no CANCELLED DoGet in the server log:\n" + "\n".join(server.output[seen:]))


def test_read_arrow_zipdcm_equals_pyarrow_and_zipfile(server):
    ours = zipflight.read_arrow(server.uri, "zipdcm", "dicom", numPartitions=3)
    theirs = pyarrow_read(server.uri, {"source": "zipdcm", "path": "dicom", "options": {"numPartitions": 3}})
    assert ours.equals(theirs)
    # Python's zipfile says which members exist: one row each, none dropped or repeated.
    assert sorted(ours.column("path").to_pylist()) == sorted(server.root.dicom_members)


def test_read_arrow_zipcsv_equals_pyarrow_and_csv_module(server):
    ours = zipflight.read_arrow(server.uri, "zipcsv", "csv", header="true")
    theirs = pyarrow_read(server.uri, {"source": "zipcsv", "path": "csv", "options": {"header": "true"}})
    assert ours.equals(theirs)
    assert ours.schema.names[:4] == ["patient_id", "test", "value", "flag"]
    got = sorted(tuple(str(v) for v in row.values())[:2] for row in ours.to_pylist())
    assert got == sorted(tuple(r[:2]) for r in server.root.csv_rows)


def test_zipdcm_bad_member_costs_only_itself(server):
    table = zipflight.read_arrow(server.uri, "zipdcm", "bad")
    rows = {r["path"]: r["error"] for r in table.select(["path", "error"]).to_pylist()}
    assert sorted(rows) == sorted(f"bad/mixed.zip::{m}" for m in ("good-1.dcm", BAD_MEMBER, "good-2.dcm"))
    assert rows[f"bad/mixed.zip::{BAD_MEMBER}"]
    assert rows["bad/mixed.zip::good-1.dcm"] is None and rows["bad/mixed.zip::good-2.dcm"] is None


def test_zipdcm_failfast_error_names_archive_and_member(server):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(server.uri, "zipdcm", "bad", mode="FAILFAST")
    assert failed.value.code == "DATA_LOSS"
    assert "mixed.zip" in failed.value.message and BAD_MEMBER in failed.value.message
