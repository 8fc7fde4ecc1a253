"""pyarrow's own Flight client (the oracle no one here wrote) against a real zipflight server,
used the way a new user would: every RPC we serve, the fake source end to end, errors, and
cancellation mid-stream with the server still serving afterwards.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.flight as flight
import pytest

DEFAULT_SCHEMA = pa.schema([("name", pa.string()), ("date", pa.string()), ("zipcode", pa.string()), ("state", pa.string())])
TYPED_DDL = "id int, total bigint, price double, active boolean, born date, seen timestamp, email string"
TYPED_SCHEMA = pa.schema([
    ("id", pa.int32()), ("total", pa.int64()), ("price", pa.float64()), ("active", pa.bool_()),
    ("born", pa.date32()), ("seen", pa.timestamp("us", tz="UTC")), ("email", pa.string()),
])
# Big enough that cancelling is surely mid-stream: far more rows than are read before cancel().
ENDLESS_ROWS = 10**9
ONE_MILLION = 1_000_000


def cmd(source: str, path: str | None = None, **options) -> flight.FlightDescriptor:
    body = {"source": source, "options": options}
    if path is not None:
        body["path"] = path
    return flight.FlightDescriptor.for_command(json.dumps(body).encode())


def read_endpoints(client, info, workers: int = 4) -> list:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda e: client.do_get(e.ticket).read_all(), info.endpoints))


def healthy(client) -> bool:
    results = list(client.do_action(flight.Action("healthcheck", b"")))
    return json.loads(results[0].body.to_pybytes()) == {"status": "ok"}


def test_list_flights_shows_fake_with_its_default_schema(client):
    flights = {tuple(p.decode() for p in f.descriptor.path): f for f in client.list_flights()}
    assert ("fake",) in flights
    assert flights[("fake",)].schema == DEFAULT_SCHEMA
    assert flights[("fake",)].descriptor.descriptor_type == flight.DescriptorType.PATH


def test_fake_four_endpoints_total_exactly_100000_rows(client):
    info = client.get_flight_info(cmd("fake", numRows=100_000, numPartitions=4, schema=TYPED_DDL))
    assert len(info.endpoints) == 4
    assert info.total_records == 100_000
    assert info.schema == TYPED_SCHEMA
    assert all(len(e.locations) == 0 for e in info.endpoints)
    parts = read_endpoints(client, info)
    assert [p.num_rows for p in parts] == [25_000] * 4
    assert all(p.schema == TYPED_SCHEMA for p in parts)
    table = pa.concat_tables(parts)
    assert table.num_rows == 100_000
    assert table.column("email").null_count == 0


def test_get_schema_equals_flight_info_schema(client):
    for descriptor in (cmd("fake", schema=TYPED_DDL), flight.FlightDescriptor.for_path("fake")):
        assert client.get_schema(descriptor).schema == client.get_flight_info(descriptor).schema


def test_path_descriptor_reads_with_default_options(client):
    info = client.get_flight_info(flight.FlightDescriptor.for_path("fake"))
    assert len(info.endpoints) == 1
    table = client.do_get(info.endpoints[0].ticket).read_all()
    assert table.num_rows == 3  # the reference's default numRows
    assert table.schema == DEFAULT_SCHEMA


def test_same_seed_reads_identical_twice_and_another_seed_differs(client):
    def read(seed):
        info = client.get_flight_info(cmd("fake", numRows=2_000, numPartitions=2, seed=seed, schema=TYPED_DDL))
        return pa.concat_tables(read_endpoints(client, info))

    first, second, other = read(11), read(11), read(12)
    assert first.equals(second)
    assert not first.equals(other)


def test_options_as_strings_like_spark_sends_them(client):
    info = client.get_flight_info(cmd("fake", numRows="10", numPartitions="2"))
    assert len(info.endpoints) == 2
    assert sum(t.num_rows for t in read_endpoints(client, info)) == 10


def test_zero_rows_still_sends_the_schema(client):
    info = client.get_flight_info(cmd("fake", numRows=0, schema="id int, city string"))
    table = client.do_get(info.endpoints[0].ticket).read_all()
    assert table.num_rows == 0
    assert table.schema == pa.schema([("id", pa.int32()), ("city", pa.string())])


def test_list_actions_and_do_action(client):
    types = {a.type for a in client.list_actions()}
    assert {"healthcheck", "list-sources"} <= types
    assert healthy(client)
    sources = json.loads(list(client.do_action(flight.Action("list-sources", b"")))[0].body.to_pybytes())
    assert "fake" in [s["name"] for s in sources]


def test_unknown_action_is_invalid_naming_it(client):
    with pytest.raises(pa.ArrowInvalid, match="frobnicate"):
        list(client.do_action(flight.Action("frobnicate", b"")))


def test_handshake_with_no_auth_configured(client):
    # authenticate_basic_token: Basic header, no messages, OK; with no auth there is no bearer token.
    assert client.authenticate_basic_token("someone", "secret") == (b"", b"")

    class NoAuth(flight.ClientAuthHandler):
        def authenticate(self, outgoing, incoming):
            pass

        def get_token(self):
            return b""

    client.authenticate(NoAuth())
    assert healthy(client)


def test_do_put_and_do_exchange_are_not_implemented_with_a_clear_message(client):
    # The server answers UNIMPLEMENTED at once; whether pyarrow raises it from the call itself or
    # from the first use of the stream depends on timing, so the whole exchange is inside raises().
    with pytest.raises(pa.ArrowNotImplementedError, match="DoPut is not served by zipflight"):
        writer, _ = client.do_put(flight.FlightDescriptor.for_path("fake"), pa.schema([("a", pa.int32())]))
        writer.close()
    with pytest.raises(pa.ArrowNotImplementedError, match="DoExchange is not served by zipflight"):
        writer, reader = client.do_exchange(flight.FlightDescriptor.for_path("fake"))
        reader.read_all()
    assert healthy(client)


def test_unknown_source_error_names_it(client):
    with pytest.raises(pa.ArrowKeyError, match="unknown source 'zipdicom'"):
        client.get_flight_info(cmd("zipdicom"))
    with pytest.raises(pa.ArrowKeyError, match="'nosuch'"):
        client.get_schema(flight.FlightDescriptor.for_path("nosuch"))


def test_bad_option_error_names_it(client):
    with pytest.raises(pa.ArrowInvalid, match="'numRowz'"):
        client.get_flight_info(cmd("fake", numRowz=5))
    with pytest.raises(pa.ArrowInvalid, match="'numRows'"):
        client.get_flight_info(cmd("fake", numRows="lots"))


def test_malformed_and_forged_tickets(client):
    with pytest.raises(pa.ArrowInvalid, match="malformed ticket"):
        client.do_get(flight.Ticket(b"not a ticket")).read_all()
    good = client.get_flight_info(cmd("fake")).endpoints[0].ticket.ticket
    payload, mac = good.split(b".")
    forged = payload[:-2] + (b"AA" if payload[-2:] != b"AA" else b"BB") + b"." + mac
    with pytest.raises(flight.FlightUnauthorizedError, match="signature"):
        client.do_get(flight.Ticket(forged)).read_all()


def test_cancel_mid_stream_and_the_server_keeps_serving(client, flight_server):
    info = client.get_flight_info(cmd("fake", numRows=ENDLESS_ROWS))
    reader = client.do_get(info.endpoints[0].ticket)
    rows = sum(reader.read_chunk().data.num_rows for _ in range(2))
    assert 0 < rows < ENDLESS_ROWS
    reader.cancel()
    with pytest.raises((flight.FlightCancelledError, pa.ArrowCancelled)):
        while True:
            reader.read_chunk()
    assert flight_server.alive()
    assert healthy(client)
    again = client.get_flight_info(cmd("fake", numRows=5))
    assert client.do_get(again.endpoints[0].ticket).read_all().num_rows == 5


def test_one_million_rows_throughput(client, capsys):
    start = time.perf_counter()
    info = client.get_flight_info(cmd("fake", numRows=ONE_MILLION, numPartitions=4))
    table = pa.concat_tables(read_endpoints(client, info))
    seconds = time.perf_counter() - start
    assert table.num_rows == ONE_MILLION
    with capsys.disabled():
        print(f"\nfake 1M rows, 4 endpoints via pyarrow: {seconds:.2f} s, {ONE_MILLION / seconds:,.0f} rows/s, {table.nbytes / seconds / 1e6:.0f} MB/s")


def test_wide_batches_fit_a_4_mib_receive_limit(flight_server):
    # Go, Java and Rust Flight clients keep gRPC's default 4 MiB receive limit; emulate one.
    limit = 4 * 1024 * 1024
    small = flight.FlightClient(flight_server.uri, generic_options=[("grpc.max_receive_message_length", limit)])
    try:
        info = small.get_flight_info(cmd("fake", numRows=70_000, schema="paragraph string, text string"))
        table = small.do_get(info.endpoints[0].ticket).read_all()
    finally:
        small.close()
    assert table.num_rows == 70_000
    assert table.nbytes > 3 * limit, "the rows are wide enough that one unsplit batch would exceed the limit"
