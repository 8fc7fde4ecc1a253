"""The data root is a sandbox, checked with pyarrow's client against a real server: `..`,
absolute paths and symlinks (to a file or a directory) leading outside the root are refused with
PERMISSION_DENIED or NOT_FOUND, the outside archive is never opened (its access time, which the
kernel moves on any read, stays put), and listing the root skips links that leave it.
"""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.flight as fl
import pytest

from conftest import USERS, mark_unread, was_read

# pyarrow: PERMISSION_DENIED -> FlightUnauthorizedError; NOT_FOUND -> a plain FlightError / KeyError.
REFUSED = (fl.FlightError, KeyError)
FILE_SOURCES = ["zipdcm", "zipcsv"]


def _connect(server, certs):
    c = fl.connect(server.uri, tls_root_certs=certs.read("ca.pem"))
    options = fl.FlightCallOptions(headers=[c.authenticate_basic_token("alice", USERS["alice"])])
    return c, options


def _require(c, options, source: str) -> None:
    if source not in [f.descriptor.path[0].decode() for f in c.list_flights(options=options)]:
        pytest.skip(f"the {source} source is not registered yet")


@pytest.fixture()
def client(tls_auth_server, certs):
    c, options = _connect(tls_auth_server, certs)
    with c:
        _require(c, options, "zipdcm")
        yield c, options


def _descriptor(path: str, source: str) -> fl.FlightDescriptor:
    return fl.FlightDescriptor.for_command(json.dumps({"source": source, "path": path}))


def _read(client, options, path: str, source: str = "zipdcm") -> pa.Table:
    info = client.get_flight_info(_descriptor(path, source), options)
    tables = [client.do_get(e.ticket, options).read_all() for e in info.endpoints]
    return pa.concat_tables(tables) if tables else info.schema.empty_table()


def test_inside_path_reads(client, sandbox):
    c, options = client
    table = _read(c, options, "inside/series.zip")
    assert table.num_rows == 1


@pytest.mark.parametrize("source", FILE_SOURCES)
@pytest.mark.parametrize("escape", ["../outside/secret.zip", "inside/../../outside/secret.zip", "ABSOLUTE", "link.zip",
                                    "linkdir/secret.zip", "linkdir", "/etc/passwd"])
def test_escapes_are_refused_and_nothing_is_read(tls_auth_server, certs, sandbox, source, escape):
    c, options = _connect(tls_auth_server, certs)
    with c:
        _require(c, options, source)
        path = str(sandbox.secret) if escape == "ABSOLUTE" else escape
        mark_unread(sandbox.secret)
        with pytest.raises(REFUSED) as refused:
            _read(c, options, path, source)
    message = str(refused.value)
    assert isinstance(refused.value, fl.FlightUnauthorizedError) or "not found" in message.lower(), message
    assert not was_read(sandbox.secret), "the archive outside the root was read"
    # The client's own path may be echoed; the server's directories and stack frames may not.
    assert str(sandbox.root) not in message and str(sandbox.outside) not in message.replace(path, "")
    assert "    at " not in message


def test_listing_the_root_skips_links_that_leave_it(client, sandbox):
    c, options = client
    mark_unread(sandbox.secret)
    table = _read(c, options, "")
    paths = table.column("path").to_pylist()
    assert paths == sandbox.inside_members
    assert not was_read(sandbox.secret)


def test_missing_file_is_not_found_without_server_paths(client, sandbox):
    c, options = client
    with pytest.raises(REFUSED) as refused:
        _read(c, options, "inside/missing.zip")
    message = str(refused.value)
    assert "not found" in message.lower() or isinstance(refused.value, fl.FlightUnauthorizedError), message
    assert str(sandbox.root) not in message


def test_foreign_ticket_reads_nothing(client, sandbox, mtls_server, certs):
    """A ticket another server signed (for a file inside this root, too) is refused unread."""
    c, options = client
    archive = sandbox.root / "inside" / "series.zip"
    with fl.connect(mtls_server.uri, tls_root_certs=certs.read("ca.pem"), cert_chain=certs.read("client.pem"),
                    private_key=certs.read("client.key")) as other:
        foreign = other.get_flight_info(_descriptor("inside/series.zip", "zipdcm")).endpoints[0].ticket
    mark_unread(archive)
    with pytest.raises(fl.FlightUnauthorizedError, match="signature"):
        c.do_get(foreign, options).read_all()
    assert not was_read(archive)
