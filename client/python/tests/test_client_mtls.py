"""Client certificates (mTLS) against a real zipflight server started with `--tls-client-ca`:
cert_chain/private_key are PEM file paths read and handed to pyarrow's FlightClient; the oracle
is pyarrow's own FlightClient given the same PEM bytes.
"""
import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest

import zipflight

OPTIONS = {"numRows": 300, "numPartitions": 2, "seed": 11}
# Seconds a refused handshake may take before the call gives up (the refusal itself is quick).
REFUSAL_TIMEOUT_S = 20


def client_identity(mtls_server) -> dict:
    return {"tls_root_certs": str(mtls_server.ca), "cert_chain": str(mtls_server.client_cert), "private_key": str(mtls_server.client_key)}


def pyarrow_read_mtls(mtls_server, body: dict) -> pa.Table:
    client = flight.FlightClient(mtls_server.uri, tls_root_certs=mtls_server.ca.read_bytes(),
                                 cert_chain=mtls_server.client_cert.read_bytes(), private_key=mtls_server.client_key.read_bytes())
    try:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        return pa.concat_tables([client.do_get(e.ticket).read_all() for e in info.endpoints])
    finally:
        client.close()


def test_read_arrow_with_client_certificate_equals_pyarrow(mtls_server):
    ours = zipflight.read_arrow(mtls_server.uri, "fake", **client_identity(mtls_server), **OPTIONS)
    assert ours.num_rows == OPTIONS["numRows"]
    assert ours.equals(pyarrow_read_mtls(mtls_server, {"source": "fake", "options": OPTIONS}))


def test_zipcsv_over_mtls(mtls_server, data_root):
    table = zipflight.read_arrow(mtls_server.uri, "zipcsv", "csv", header="true", **client_identity(mtls_server))
    assert table.num_rows == len(data_root.csv_rows)


def test_without_client_certificate_fails_with_zipflighterror(mtls_server):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(mtls_server.uri, "fake", tls_root_certs=str(mtls_server.ca), timeout=REFUSAL_TIMEOUT_S)
    # The server ends the TLS handshake; gRPC reports the transport failure as unavailable (or,
    # depending on when the connection drops, internal), and our message names the settings.
    assert failed.value.code in ("UNAVAILABLE", "INTERNAL")
    assert "TLS handshake failed" in failed.value.message and "cert_chain" in failed.value.message


def test_override_hostname_names_the_certificate_subject(mtls_server):
    # The server certificate's names are IP:127.0.0.1 and DNS:localhost (conftest).
    with zipflight.connect(mtls_server.uri, override_hostname="localhost", **client_identity(mtls_server)) as conn:
        assert "fake" in conn.list_sources()
    with pytest.raises(zipflight.ZipFlightError) as failed:
        with zipflight.connect(mtls_server.uri, override_hostname="not-the-server.example", timeout=REFUSAL_TIMEOUT_S,
                               **client_identity(mtls_server)) as conn:
            conn.list_sources()
    assert failed.value.code == "UNAVAILABLE"
    assert "TLS handshake failed" in failed.value.message


def test_cert_chain_without_private_key_is_refused_before_connecting(mtls_server):
    with pytest.raises(ValueError, match="cert_chain and private_key"):
        zipflight.connect(mtls_server.uri, tls_root_certs=str(mtls_server.ca), cert_chain=str(mtls_server.client_cert))
