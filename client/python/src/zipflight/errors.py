"""One exception type for the Python client, carrying the gRPC status and the server's message.

pyarrow raises a different class per gRPC status (Arrow Flight RPC, "Error Handling"); we keep
the status as a stable string code and strip pyarrow's transport context from the message.
"""
from __future__ import annotations

import contextlib
import re
from typing import Iterator, Optional

import pyarrow as pa
import pyarrow.flight as flight

# pyarrow's wording for a status a server sent: "Flight returned <status> error, with message: ..."
_RETURNED = re.compile(r"returned (?P<status>[a-z ]+?) error, with message: ", re.IGNORECASE)
# Everything pyarrow appends after the server's own text.
_TRAILERS = (". gRPC client debug context:", ". Client context:", ". Detail:")
# gRPC's words when the TLS handshake failed (TSI is gRPC's transport security interface): the
# server is never reached, so its text cannot say which setting is wrong; our hint does.
_TLS_FAILURE = re.compile(r"TSI_|ssl handshake|peer certificate", re.IGNORECASE)
TLS_HINT = (" (the TLS handshake failed: check tls_root_certs and override_hostname, and give cert_chain"
            " and private_key if the server requires client certificates, mTLS)")

# The most specific pyarrow class first: FlightError subclasses before the Arrow status ones.
_CODE_BY_CLASS = (
    (flight.FlightUnauthenticatedError, "UNAUTHENTICATED"),
    (flight.FlightUnauthorizedError, "PERMISSION_DENIED"),
    (flight.FlightCancelledError, "CANCELLED"),
    (flight.FlightTimedOutError, "DEADLINE_EXCEEDED"),
    (flight.FlightUnavailableError, "UNAVAILABLE"),
    (flight.FlightInternalError, "INTERNAL"),
    (flight.FlightServerError, "UNKNOWN"),
    (pa.ArrowKeyError, "NOT_FOUND"),
    (pa.ArrowInvalid, "INVALID_ARGUMENT"),
    (pa.ArrowNotImplementedError, "UNIMPLEMENTED"),
    (pa.ArrowCapacityError, "RESOURCE_EXHAUSTED"),
    (pa.ArrowIOError, "UNAVAILABLE"),
)

# The words pyarrow writes for a status, where they say more than the exception class does
# (DATA_LOSS, RESOURCE_EXHAUSTED and UNKNOWN all arrive as FlightInternalError / ArrowIOError).
_CODE_BY_WORDS = {
    "not found": "NOT_FOUND",
    "invalid argument": "INVALID_ARGUMENT",
    "unimplemented": "UNIMPLEMENTED",
    "data loss": "DATA_LOSS",
    "resource exhausted": "RESOURCE_EXHAUSTED",
    "permission denied": "PERMISSION_DENIED",
    "unauthenticated": "UNAUTHENTICATED",
    "cancelled": "CANCELLED",
    "unavailable": "UNAVAILABLE",
    "internal": "INTERNAL",
    "deadline exceeded": "DEADLINE_EXCEEDED",
    "already exists": "ALREADY_EXISTS",
    "failed precondition": "FAILED_PRECONDITION",
    "out of range": "OUT_OF_RANGE",
    "aborted": "ABORTED",
    "unknown": "UNKNOWN",
}


class ZipFlightError(Exception):
    """A failed call to a zipflight server.

    ``code`` is the gRPC status name (``"NOT_FOUND"``, ``"INVALID_ARGUMENT"``, ``"DATA_LOSS"``, ...);
    ``message`` is the server's own text (which source, option, archive or member); the pyarrow
    exception is kept as ``__cause__``.
    """

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def server_message(text: str) -> str:
    """The server's part of a pyarrow error message, without pyarrow's transport context."""
    found = _RETURNED.search(text)
    if found:
        text = text[found.end():]
    cut = min((i for i in (text.find(t) for t in _TRAILERS) if i >= 0), default=len(text))
    text = text[:cut].strip()
    # pyarrow quotes KeyError messages the way Python's KeyError.__str__ does.
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text


def status_code(err: BaseException) -> Optional[str]:
    """The gRPC status name behind a pyarrow exception, or None for errors that are not RPC errors."""
    found = _RETURNED.search(str(err))
    if found and found.group("status").lower() in _CODE_BY_WORDS:
        return _CODE_BY_WORDS[found.group("status").lower()]
    for cls, code in _CODE_BY_CLASS:
        if isinstance(err, cls):
            return code
    return None


def from_arrow(err: BaseException) -> BaseException:
    """A ZipFlightError for an RPC failure; other exceptions are returned unchanged."""
    code = status_code(err)
    if code is None:
        return err
    message = server_message(str(err))
    if _TLS_FAILURE.search(message):
        message += TLS_HINT
    wrapped = ZipFlightError(code, message)
    wrapped.__cause__ = err
    return wrapped


@contextlib.contextmanager
def flight_errors() -> Iterator[None]:
    """Re-raise pyarrow's RPC errors inside the block as ZipFlightError."""
    try:
        yield
    # pa.ArrowIOError is plain OSError: some calls (get_schema) raise it for any status pyarrow
    # has no Flight class for; inside this block only pyarrow raises, so an OSError is pyarrow's.
    except (flight.FlightError, pa.ArrowException, pa.ArrowIOError) as err:
        wrapped = from_arrow(err)
        if wrapped is err:
            raise
        raise wrapped from err
