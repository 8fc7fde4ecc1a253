"""mTLS with pyarrow's client: `--tls-client-ca` makes the server require a client certificate
signed by that CA. With one, reads work; without one, or with a certificate from another CA, the
TLS handshake fails and no call reaches a handler.
"""
from __future__ import annotations

import json
import time

import pyarrow.flight as fl
import pytest

ROWS = 17
SETTLE_S = 0.5


def _descriptor() -> fl.FlightDescriptor:
    return fl.FlightDescriptor.for_command(json.dumps({"source": "fake", "options": {"numRows": ROWS}}))


def test_client_certificate_from_the_ca_reads(mtls_server, certs):
    with fl.connect(mtls_server.uri, tls_root_certs=certs.read("ca.pem"), cert_chain=certs.read("client.pem"),
                    private_key=certs.read("client.key")) as client:
        info = client.get_flight_info(_descriptor())
        assert client.do_get(info.endpoints[0].ticket).read_all().num_rows == ROWS
    time.sleep(SETTLE_S)
    # The call log names the verified certificate's subject (CN=client, set by the conftest).
    assert any('"user":"cert:client"' in line and '"method":"DoGet"' in line for line in mtls_server.output)


@pytest.mark.parametrize("identity", [None, "rogue-client"])
def test_no_or_foreign_client_certificate_is_refused(mtls_server, certs, identity):
    kwargs = {} if identity is None else {"cert_chain": certs.read(f"{identity}.pem"), "private_key": certs.read(f"{identity}.key")}
    time.sleep(SETTLE_S)  # earlier calls' log lines are still on their way through the pipe
    calls_before = sum('"method"' in line for line in mtls_server.output)
    with fl.connect(mtls_server.uri, tls_root_certs=certs.read("ca.pem"), **kwargs) as client:
        with pytest.raises((fl.FlightUnavailableError, fl.FlightInternalError)):
            client.get_flight_info(_descriptor())
    time.sleep(SETTLE_S)
    assert sum('"method"' in line for line in mtls_server.output) == calls_before, "no call reached the server"
