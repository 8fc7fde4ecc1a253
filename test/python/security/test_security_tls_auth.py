"""pyarrow's Flight client against `zipflight serve` with TLS and users: it connects over
grpc+tls trusting the test CA, trades basic credentials for a bearer token with
authenticate_basic_token, and reads; every call without a valid token is refused, tokens expire,
and tickets that were altered or issued by another server are refused with nothing read.
"""
from __future__ import annotations

import json
import time

import pyarrow as pa
import pyarrow.flight as fl
import pytest

from conftest import BCRYPT_USER, REPO, STATIC_TOKEN, TOKEN_TTL_S, USERS

FAKE_ROWS = 1234


def tls_client(server, certs) -> fl.FlightClient:
    return fl.connect(server.uri, tls_root_certs=certs.read("ca.pem"))


def fake_descriptor(rows: int = FAKE_ROWS) -> fl.FlightDescriptor:
    return fl.FlightDescriptor.for_command(json.dumps({"source": "fake", "options": {"numRows": rows}}))


def login(client: fl.FlightClient, user: str = "alice", password: str = USERS["alice"]) -> fl.FlightCallOptions:
    return fl.FlightCallOptions(headers=[client.authenticate_basic_token(user, password)])


def read_all(client: fl.FlightClient, descriptor: fl.FlightDescriptor, options: fl.FlightCallOptions) -> pa.Table:
    info = client.get_flight_info(descriptor, options)
    return pa.concat_tables([client.do_get(e.ticket, options).read_all() for e in info.endpoints])


def test_tls_basic_to_bearer_then_read(tls_auth_server, certs):
    assert tls_auth_server.uri.startswith("grpc+tls://")
    with tls_client(tls_auth_server, certs) as client:
        key, value = client.authenticate_basic_token("alice", USERS["alice"])
        assert key.lower() == b"authorization" and value.startswith(b"Bearer ")
        table = read_all(client, fake_descriptor(), fl.FlightCallOptions(headers=[(key, value)]))
    assert table.num_rows == FAKE_ROWS
    assert table.column_names == ["name", "date", "zipcode", "state"]


def test_bcrypt_user_from_users_file(tls_auth_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        options = login(client, *BCRYPT_USER)
        assert read_all(client, fake_descriptor(7), options).num_rows == 7


def test_static_service_token(tls_auth_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        options = fl.FlightCallOptions(headers=[(b"authorization", f"Bearer {STATIC_TOKEN}".encode())])
        assert read_all(client, fake_descriptor(5), options).num_rows == 5


def test_wrong_password_and_unknown_user(tls_auth_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        with pytest.raises(fl.FlightUnauthenticatedError):
            client.authenticate_basic_token("alice", "not-" + USERS["alice"])
        with pytest.raises(fl.FlightUnauthenticatedError):
            client.authenticate_basic_token("mallory", USERS["alice"])


def test_every_call_needs_a_token(tls_auth_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        ticket = client.get_flight_info(fake_descriptor(), login(client)).endpoints[0].ticket
        with pytest.raises(fl.FlightUnauthenticatedError):
            list(client.list_flights())
        with pytest.raises(fl.FlightUnauthenticatedError):
            client.get_flight_info(fake_descriptor())
        # pyarrow's get_schema raises a plain OSError carrying the status name.
        with pytest.raises(OSError, match="unauthenticated"):
            client.get_schema(fake_descriptor())
        with pytest.raises(fl.FlightUnauthenticatedError):
            client.do_get(ticket).read_all()
        with pytest.raises(fl.FlightUnauthenticatedError):
            list(client.do_action(fl.Action("healthcheck", b"")))
        bad = fl.FlightCallOptions(headers=[(b"authorization", b"Bearer " + b"x" * 40)])
        with pytest.raises(fl.FlightUnauthenticatedError):
            client.do_get(ticket, bad).read_all()


def test_token_expires(tls_auth_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        options = login(client)
        list(client.list_flights(options=options))
        time.sleep(TOKEN_TTL_S + 1)
        with pytest.raises(fl.FlightUnauthenticatedError, match="expired"):
            list(client.list_flights(options=options))


def test_plaintext_or_untrusting_clients_cannot_connect(tls_auth_server):
    port = tls_auth_server.uri.rsplit(":", 1)[1]
    # gRPC reports a failed transport as UNAVAILABLE or, mid-handshake, as an INTERNAL write failure.
    with fl.connect(f"grpc://127.0.0.1:{port}") as plain:
        with pytest.raises((fl.FlightUnavailableError, fl.FlightInternalError)):
            plain.authenticate_basic_token("alice", USERS["alice"])
    with fl.connect(tls_auth_server.uri) as untrusting:  # system roots only: the test CA is unknown
        with pytest.raises((fl.FlightUnavailableError, fl.FlightInternalError)):
            untrusting.authenticate_basic_token("alice", USERS["alice"])


def _tampered(ticket: bytes) -> bytes:
    """The same ticket with one character of its payload changed (still valid base64url)."""
    i = len(ticket) // 4
    return ticket[:i] + (b"A" if ticket[i:i + 1] != b"A" else b"B") + ticket[i + 1:]


def test_altered_or_foreign_tickets_are_refused(tls_auth_server, mtls_server, certs):
    with tls_client(tls_auth_server, certs) as client:
        options = login(client)
        ticket = client.get_flight_info(fake_descriptor(), options).endpoints[0].ticket.ticket
        for forged in (_tampered(ticket), ticket[:-3], b"{}", b"not a ticket"):
            with pytest.raises((fl.FlightUnauthorizedError, pa.ArrowInvalid)):
                client.do_get(fl.Ticket(forged), options).read_all()
    # A ticket issued by another server (its own random key) is not honoured here.
    with fl.connect(mtls_server.uri, tls_root_certs=certs.read("ca.pem"), cert_chain=certs.read("client.pem"),
                    private_key=certs.read("client.key")) as other:
        foreign = other.get_flight_info(fake_descriptor()).endpoints[0].ticket
    with tls_client(tls_auth_server, certs) as client:
        with pytest.raises(fl.FlightUnauthorizedError, match="signature"):
            client.do_get(foreign, login(client)).read_all()


def test_zipflight_package_connects_with_tls_and_basic_auth(tls_auth_server, certs):
    """The project's own Python package (client/python) speaks the same TLS + basic → bearer."""
    import sys

    sys.path.insert(0, str(REPO / "client" / "python" / "src"))
    zipflight = pytest.importorskip("zipflight")
    with zipflight.connect(tls_auth_server.uri, tls_root_certs=str(certs.dir / "ca.pem"), username="alice", password=USERS["alice"]) as conn:
        assert conn.read_arrow("fake", numRows=11).num_rows == 11
