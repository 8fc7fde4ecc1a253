"""Connection options against a real zipflight server with TLS and auth on (`--tls-cert/--tls-key`,
ZIPFLIGHT_USERS, ZIPFLIGHT_TOKENS): tls_root_certs, username/password (HTTP basic exchanged for a
bearer token by Handshake) and a static bearer token, checked against pyarrow's own FlightClient
doing the same with `tls_root_certs=` and `authenticate_basic_token`.
"""
import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest

import zipflight
from conftest import SECURE_TOKEN, SECURE_USER

OPTIONS = {"numRows": 500, "numPartitions": 2, "seed": 5}


def pyarrow_read_secure(secure_server, body: dict) -> pa.Table:
    """The oracle: pyarrow's FlightClient with the CA and the user, as its documentation shows."""
    client = flight.FlightClient(secure_server.uri, tls_root_certs=secure_server.ca.read_bytes())
    try:
        call = flight.FlightCallOptions(headers=[client.authenticate_basic_token(*SECURE_USER)])
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()), call)
        return pa.concat_tables([client.do_get(e.ticket, call).read_all() for e in info.endpoints])
    finally:
        client.close()


def test_server_speaks_tls(secure_server):
    assert secure_server.uri.startswith("grpc+tls://")


def test_username_password_read_equals_pyarrow(secure_server):
    ours = zipflight.read_arrow(secure_server.uri, "fake", tls_root_certs=str(secure_server.ca),
                                username=SECURE_USER[0], password=SECURE_USER[1], **OPTIONS)
    assert ours.num_rows == OPTIONS["numRows"]
    assert ours.equals(pyarrow_read_secure(secure_server, {"source": "fake", "options": OPTIONS}))


def test_static_token_reads_every_rpc(secure_server):
    with zipflight.connect(secure_server.uri, tls_root_certs=str(secure_server.ca), token=SECURE_TOKEN) as conn:
        assert "fake" in conn.list_sources()
        assert conn.schema("fake").names == ["name", "date", "zipcode", "state"]
        assert conn.read_arrow("fake", **OPTIONS).num_rows == OPTIONS["numRows"]


def test_zipcsv_over_tls_with_auth(secure_server, data_root):
    table = zipflight.read_arrow(secure_server.uri, "zipcsv", "csv", header="true", tls_root_certs=str(secure_server.ca),
                                 username=SECURE_USER[0], password=SECURE_USER[1])
    assert table.num_rows == len(data_root.csv_rows)


@pytest.mark.parametrize("credentials", [{}, {"token": "not-a-token"}])
def test_missing_or_wrong_token_is_unauthenticated(secure_server, credentials):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(secure_server.uri, "fake", tls_root_certs=str(secure_server.ca), **credentials)
    assert failed.value.code == "UNAUTHENTICATED"


def test_wrong_password_is_unauthenticated_at_connect(secure_server):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.connect(secure_server.uri, tls_root_certs=str(secure_server.ca), username=SECURE_USER[0], password="nope")
    assert failed.value.code == "UNAUTHENTICATED"


def test_untrusted_certificate_fails_unavailable(secure_server):
    # Without the test CA the system roots do not trust the server's certificate.
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(secure_server.uri, "fake", token=SECURE_TOKEN, timeout=20)
    assert failed.value.code == "UNAVAILABLE"


def test_every_rpc_without_credentials_raises_zipflighterror(secure_server):
    # pyarrow raises a different class per RPC for the same status (get_schema: plain OSError).
    with zipflight.connect(secure_server.uri, tls_root_certs=str(secure_server.ca)) as conn:
        for call in (conn.list_sources, lambda: conn.schema("fake"), lambda: conn.flight_info("fake")):
            with pytest.raises(zipflight.ZipFlightError) as failed:
                call()
            assert failed.value.code == "UNAUTHENTICATED"
            assert failed.value.message and "Flight returned" not in failed.value.message
