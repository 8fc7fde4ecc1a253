"""The client's own decisions, against a stand-in Flight server (tests/standin.py): endpoint
locations (Flight.proto FlightEndpoint.location), HTTP basic → bearer token auth as pyarrow's
authenticate_basic_token speaks it, and errors raised after some batches were sent.
"""
import pyarrow as pa
import pytest

import zipflight
from zipflight.errors import server_message
from standin import StandinServer


@pytest.fixture
def standin():
    server = StandinServer()
    yield server
    server.shutdown()


def test_endpoints_without_locations_read_from_uri(standin):
    table = zipflight.read_arrow(standin.uri, "rows", numRows=95, numPartitions=3)
    assert table.num_rows == 95
    assert table.column("id").to_pylist() == list(range(95))
    assert len(standin.tickets_served) == 3


def test_endpoints_with_locations_read_from_their_first_location(standin):
    # The planner names a second server; every ticket must be read there, none at the planner.
    fleet = StandinServer()
    try:
        table = zipflight.read_arrow(
            standin.uri, "rows", numRows=40, numPartitions=4, locations=f"{fleet.uri},grpc://127.0.0.1:1"
        )
        assert table.column("id").to_pylist() == list(range(40))
        assert len(fleet.tickets_served) == 4
        assert standin.tickets_served == []
    finally:
        fleet.shutdown()


def test_reuse_connection_location_reads_from_uri(standin):
    table = zipflight.read_arrow(standin.uri, "rows", numRows=20, locations="arrow-flight-reuse-connection://?")
    assert table.num_rows == 20
    assert len(standin.tickets_served) == 2


def test_basic_auth_is_exchanged_for_a_bearer_token():
    server = StandinServer(users={"alice": "secret"})
    try:
        assert zipflight.read_arrow(server.uri, "rows", numRows=7, username="alice", password="secret").num_rows == 7
        with pytest.raises(zipflight.ZipFlightError) as wrong:
            zipflight.read_arrow(server.uri, "rows", username="alice", password="nope")
        assert wrong.value.code == "UNAUTHENTICATED"
        assert "wrong user or password" in wrong.value.message
        with pytest.raises(zipflight.ZipFlightError) as missing:
            zipflight.read_arrow(server.uri, "rows")
        assert missing.value.code == "UNAUTHENTICATED"
    finally:
        server.shutdown()


def test_static_bearer_token_is_sent_on_every_call():
    server = StandinServer(tokens=["service-token"])
    try:
        with zipflight.connect(server.uri, token="service-token") as conn:
            assert conn.schema("rows") == pa.schema([("id", pa.int64()), ("name", pa.string())])
            assert conn.read_arrow("rows", numRows=12).num_rows == 12
        with pytest.raises(zipflight.ZipFlightError) as bad:
            zipflight.read_arrow(server.uri, "rows", token="other")
        assert bad.value.code == "UNAUTHENTICATED"
    finally:
        server.shutdown()


def test_error_after_some_batches_carries_the_servers_message(standin):
    with zipflight.connect(standin.uri) as conn:
        info = conn.flight_info("rows", numRows=50, numPartitions=1, failAfter=2)
        stream = conn.read_ticket(info.endpoints[0].ticket.ticket)
        got = [next(stream), next(stream)]
        assert sum(b.num_rows for b in got) == 20
        with pytest.raises(zipflight.ZipFlightError) as failed:
            next(stream)
    assert "member bad.dcm of archive a.zip is corrupt" in failed.value.message


def test_unknown_source_is_not_found_with_its_name(standin):
    with pytest.raises(zipflight.ZipFlightError) as missing:
        zipflight.read_arrow(standin.uri, "nosuch")
    assert missing.value.code == "NOT_FOUND"
    assert missing.value.message == "unknown source 'nosuch'"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "Flight returned not found error, with message: unknown source 'x'. gRPC client debug context: "
            "UNKNOWN:Error received from peer. Client context: IOError: Server never sent a data message. Detail: Internal",
            "unknown source 'x'",
        ),
        ("option 'numRows' bad. Detail: Python exception: Traceback", "option 'numRows' bad"),
        ('"unknown source \'y\'". Detail: Python exception', "unknown source 'y'"),
    ],
)
def test_server_message_drops_pyarrows_context(text, message):
    assert server_message(text) == message
