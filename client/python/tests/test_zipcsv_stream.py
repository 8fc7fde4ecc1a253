"""zipcsv on a member far larger than a batch or an inflate chunk (~50 MB inflated, written by
Python, deflated by zipfile): read through pyarrow's Flight client as a stream of many batches,
typed values equal pyarrow.csv's on the inflated member. (Bounded memory is checked without gRPC's
buffers in the way, in test/csv/zipcsv-stream.test.ts.)
"""
import io
import json
import zipfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.flight as flight
import pytest

from conftest import _start, _stop

ROWS = 1_000_000
# Spark's rules: ints that fit 32 bits → int, decimals → double, true/false → boolean, ISO date → date.
SPARK_TYPES = {"id": pa.int32(), "name": pa.string(), "value": pa.float64(), "flag": pa.bool_(), "day": pa.date32()}
MAX_BATCH_ROWS = 16_384


def big_member() -> bytes:
    lines = ["id,name,value,flag,day"]
    lines += [f'{i},"name {i % 977}, quoted",{i * 0.37:.3f},{"true" if i % 3 else "false"},2024-{1 + i % 12:02d}-{1 + i % 28:02d}' for i in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = tmp_path_factory.mktemp("zipcsv-big")
    data = big_member()
    with zipfile.ZipFile(root / "big.zip", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("big.csv", data)
    proc, uri, _ = _start(root)
    try:
        yield uri, proc, data
    finally:
        _stop(proc)


def test_big_member_streams_in_batches_and_equals_pyarrow_csv(big):
    uri, _, data = big
    assert len(data) > 40 * 1024 * 1024
    client = flight.connect(uri)
    try:
        body = {"source": "zipcsv", "path": "big.zip", "options": {"header": "true", "inferSchema": "true", "mode": "FAILFAST", "numPartitions": "4"}}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        assert len(info.endpoints) == 1  # one member is one partition
        reader = client.do_get(info.endpoints[0].ticket)
        batches = [chunk.data for chunk in reader]
    finally:
        client.close()
    ours = pa.Table.from_batches(batches)
    assert dict(zip(ours.schema.names, ours.schema.types)) == SPARK_TYPES
    assert ours.num_rows == ROWS
    assert len(batches) >= ROWS // MAX_BATCH_ROWS and max(b.num_rows for b in batches) <= MAX_BATCH_ROWS
    theirs = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(column_types=SPARK_TYPES))
    assert ours.equals(theirs.select(ours.schema.names))


def test_big_member_as_lines_equal_the_reference_line_rows(big):
    """asLines over many inflate chunks and batches: the reference's rows (zipfile's binary line
    iteration, utf-8, str.strip()), with the archive and member columns repeated on every row."""
    uri, _, data = big
    client = flight.connect(uri)
    try:
        body = {"source": "zipcsv", "path": "big.zip", "options": {"asLines": "true"}}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        table = pa.Table.from_batches([chunk.data for ep in info.endpoints for chunk in client.do_get(ep.ticket)])
    finally:
        client.close()
    expected = [line.decode("utf-8").strip() for line in io.BytesIO(data)]
    assert table.column("line").to_pylist() == expected
    assert set(table.column("zipfile").to_pylist()) == {"big.zip"}
    assert set(table.column("file_name").to_pylist()) == {"big.csv"}
    assert table.column("zipfile").null_count == 0 and table.column("file_name").null_count == 0
