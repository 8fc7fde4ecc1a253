"""A connection to a zipflight server over pyarrow's Flight client: descriptors, planning, reads.

Arrow Flight RPC: GetFlightInfo plans a read as FlightEndpoints (ticket + locations); DoGet
streams one endpoint. zipflight's descriptor is a CMD whose bytes are the JSON
``{"source": ..., "path": ..., "options": {...}}``.
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import pyarrow as pa
import pyarrow.flight as flight

from .errors import ZipFlightError, flight_errors

# Flight's URI for "read this endpoint over the connection you already have" (Flight.proto,
# FlightEndpoint.location); an empty location list means the same.
REUSE_CONNECTION_SCHEME = "arrow-flight-reuse-connection"
# Endpoints read at once by read_arrow: each is one DoGet stream; the server parallelises inside.
DEFAULT_MAX_WORKERS = 8


def descriptor(source: str, path: Optional[str] = None, **options: Any) -> flight.FlightDescriptor:
    """The CMD FlightDescriptor for ``source`` (``"fake"``, ``"zipdcm"``, ``"zipcsv"``).

    ``path`` is relative to the server's data root (omit it for ``fake``); options are sent as
    given (JSON values or strings, as Spark passes them).
    """
    body: Dict[str, Any] = {"source": source}
    if path is not None:
        body["path"] = path
    body["options"] = options
    return flight.FlightDescriptor.for_command(json.dumps(body, separators=(",", ":")).encode("utf-8"))


class Connection:
    """A pyarrow FlightClient plus the call options (bearer token, timeout) every call carries.

    Endpoints that name other locations are read through connections to those locations,
    opened on first use with the same credentials.
    """

    def __init__(
        self,
        uri: str,
        *,
        tls_root_certs: Optional[str] = None,
        cert_chain: Optional[str] = None,
        private_key: Optional[str] = None,
        override_hostname: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Optional[float] = None,
    ):
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        if bool(cert_chain) != bool(private_key):
            raise ValueError("cert_chain and private_key (the client certificate for mTLS) go together")
        self.uri = uri
        self._settings = dict(
            tls_root_certs=tls_root_certs, cert_chain=cert_chain, private_key=private_key,
            override_hostname=override_hostname, username=username, password=password, token=token, timeout=timeout,
        )
        self.client = flight.FlightClient(uri, **_tls_arguments(tls_root_certs, cert_chain, private_key, override_hostname))
        headers: List[tuple] = []
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode("utf-8")))
        if username is not None:
            with flight_errors():
                headers.append(self.client.authenticate_basic_token(username, password))
        self.options = flight.FlightCallOptions(headers=headers, timeout=timeout)
        self._peers: Dict[str, "Connection"] = {}
        self._lock = threading.Lock()

    # Context manager and cleanup
    def close(self) -> None:
        with self._lock:
            peers, self._peers = list(self._peers.values()), {}
        for peer in peers:
            peer.close()
        self.client.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # Planning
    def list_sources(self) -> List[str]:
        """Names of the sources the server serves (ListFlights: one PATH descriptor per source)."""
        with flight_errors():
            return [info.descriptor.path[0].decode("utf-8") for info in self.client.list_flights(options=self.options)]

    def flight_info(self, source: str, path: Optional[str] = None, **options: Any) -> flight.FlightInfo:
        with flight_errors():
            return self.client.get_flight_info(descriptor(source, path, **options), self.options)

    def schema(self, source: str, path: Optional[str] = None, **options: Any) -> pa.Schema:
        with flight_errors():
            return self.client.get_schema(descriptor(source, path, **options), self.options).schema

    # Reading
    def peer(self, location: Union[str, flight.Location, None]) -> "Connection":
        """The connection an endpoint's location is read through (this one for no location)."""
        uri = location_uri(location)
        if uri is None or uri == self.uri or uri.startswith(REUSE_CONNECTION_SCHEME + ":"):
            return self
        with self._lock:
            if uri not in self._peers:
                self._peers[uri] = Connection(uri, **self._settings)
            return self._peers[uri]

    def read_ticket(self, ticket: bytes, locations: Sequence[Any] = ()) -> Iterator[pa.RecordBatch]:
        """DoGet one ticket, from its first location when it has any, yielding record batches."""
        conn = self.peer(locations[0] if locations else None)
        with flight_errors():
            reader = conn.client.do_get(flight.Ticket(ticket), conn.options)
            try:
                while True:
                    try:
                        chunk = reader.read_chunk()
                    except StopIteration:
                        return
                    if chunk.data is not None:
                        yield chunk.data
            finally:
                # Closing early (a consumer stopped iterating) cancels the stream on the server.
                reader.cancel()

    def read_endpoint(self, endpoint: flight.FlightEndpoint, schema: Optional[pa.Schema] = None) -> pa.Table:
        batches = list(self.read_ticket(endpoint.ticket.ticket, list(endpoint.locations)))
        return pa.Table.from_batches(batches, schema=schema if schema is not None else _schema_of(batches))

    def read_info(self, info: flight.FlightInfo, max_workers: Optional[int] = None) -> pa.Table:
        """Read every endpoint of a FlightInfo, in parallel, concatenated in endpoint order."""
        endpoints = list(info.endpoints)
        if not endpoints:
            return info.schema.empty_table()
        workers = max(1, min(len(endpoints), max_workers or DEFAULT_MAX_WORKERS))
        if workers == 1:
            tables = [self.read_endpoint(e, info.schema) for e in endpoints]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zipflight") as pool:
                tables = list(pool.map(lambda e: self.read_endpoint(e, info.schema), endpoints))
        return pa.concat_tables(tables)

    def read_arrow(self, source: str, path: Optional[str] = None, *, max_workers: Optional[int] = None, **options: Any) -> pa.Table:
        return self.read_info(self.flight_info(source, path, **options), max_workers=max_workers)


def location_uri(location: Union[str, bytes, flight.Location, None]) -> Optional[str]:
    """A Flight Location (or its URI as bytes or str) as a str; None for no location."""
    if location is None:
        return None
    if isinstance(location, flight.Location):
        location = location.uri
    if isinstance(location, bytes):
        location = location.decode("utf-8")
    return location or None


def _read_pem(path: Optional[str]) -> Optional[bytes]:
    if not path:
        return None
    with open(path, "rb") as f:
        return f.read()


def _tls_arguments(
    tls_root_certs: Optional[str], cert_chain: Optional[str], private_key: Optional[str], override_hostname: Optional[str]
) -> Dict[str, Any]:
    """FlightClient's TLS keyword arguments from PEM file paths; unset ones are left out so
    pyarrow keeps its defaults (system roots, no client certificate)."""
    arguments = {
        "tls_root_certs": _read_pem(tls_root_certs),
        "cert_chain": _read_pem(cert_chain),
        "private_key": _read_pem(private_key),
        "override_hostname": override_hostname or None,
    }
    return {k: v for k, v in arguments.items() if v is not None}


def _schema_of(batches: List[pa.RecordBatch]) -> Optional[pa.Schema]:
    return batches[0].schema if batches else None


def connect(uri: Union[str, Connection], **settings: Any) -> Connection:
    """A Connection to ``uri`` (``grpc://host:port`` or ``grpc+tls://...``); a Connection passes through.

    Settings: ``tls_root_certs`` (path to a PEM file of the CAs trusted for the server's
    certificate), ``cert_chain``/``private_key`` (paths to the PEM client certificate and its
    key, for a server that requires mTLS), ``override_hostname`` (the name the server's
    certificate is checked against instead of the URI's host), ``username``/``password`` (HTTP basic,
    exchanged for a bearer token by Handshake), ``token`` (a bearer token), ``timeout`` (seconds).
    """
    if isinstance(uri, Connection):
        if settings:
            raise ValueError("connection settings go to connect(), not to an open Connection")
        return uri
    return Connection(uri, **settings)


_SETTINGS = ("tls_root_certs", "cert_chain", "private_key", "override_hostname", "username", "password", "token", "timeout")


def _split_settings(options: Dict[str, Any]) -> Dict[str, Any]:
    return {k: options.pop(k) for k in _SETTINGS if k in options}


def read_arrow(uri: Union[str, Connection], source: str, path: Optional[str] = None, **options: Any) -> pa.Table:
    """Read a whole source as a pyarrow Table, its endpoints in parallel.

    ``options`` are the source's options (e.g. ``numRows=1000``), plus the connection settings
    of :func:`connect` and ``max_workers`` (endpoints read at once), which are not sent.
    """
    settings = _split_settings(options)
    max_workers = options.pop("max_workers", None)
    conn = connect(uri, **settings)
    try:
        return conn.read_arrow(source, path, max_workers=max_workers, **options)
    finally:
        if conn is not uri:
            conn.close()


def read_pandas(uri: Union[str, Connection], source: str, path: Optional[str] = None, **options: Any):
    """:func:`read_arrow`, as a pandas DataFrame (needs the ``pandas`` extra)."""
    return read_arrow(uri, source, path, **options).to_pandas()


__all__ = ["Connection", "ZipFlightError", "connect", "descriptor", "read_arrow", "read_pandas"]
