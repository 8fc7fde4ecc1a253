"""A stand-in Flight server (pyarrow's FlightServerBase) speaking zipflight's descriptor contract.

Only for what the client decides by itself, where the real server cannot be steered: endpoints
that name other locations (a fleet), HTTP basic → bearer token auth, and a stream that fails
after some batches. Everything else is tested against the real zipflight server (conftest.py).
"""
from __future__ import annotations

import base64
import json
import secrets
from typing import Dict, List, Optional

import pyarrow as pa
import pyarrow.flight as flight

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])
ROWS_PER_BATCH = 10


def rows(start: int, stop: int) -> pa.RecordBatch:
    ids = list(range(start, stop))
    return pa.record_batch([pa.array(ids, pa.int64()), pa.array([f"row {i}" for i in ids])], schema=SCHEMA)


class BearerMiddleware(flight.ServerMiddleware):
    def __init__(self, token: Optional[str]):
        self.token = token

    def sending_headers(self):
        return {"authorization": f"Bearer {self.token}"} if self.token else {}


class BasicToBearer(flight.ServerMiddlewareFactory):
    """HTTP basic on Handshake returns a bearer token; every other call must carry one."""

    def __init__(self, users: Dict[str, str], tokens: List[str]):
        self.users = users
        self.tokens = set(tokens)

    def start_call(self, info, headers):
        auth = next(iter(headers.get("authorization", [])), "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[len("Basic "):]).decode().partition(":")
            if self.users.get(user) != password:
                raise flight.FlightUnauthenticatedError("wrong user or password")
            token = secrets.token_hex(8)
            self.tokens.add(token)
            return BearerMiddleware(token)
        if auth.startswith("Bearer ") and auth[len("Bearer "):] in self.tokens:
            return BearerMiddleware(None)
        raise flight.FlightUnauthenticatedError("no valid bearer token")


class HeaderOnlyAuth(flight.ServerAuthHandler):
    """Lets Handshake through with no messages: the middleware above checks the headers."""

    def authenticate(self, outgoing, incoming):
        pass

    def is_valid(self, token):
        return ""


class StandinServer(flight.FlightServerBase):
    """Source ``rows``: options numRows, numPartitions, locations (comma-separated URIs), failAfter."""

    def __init__(self, users: Optional[Dict[str, str]] = None, tokens: List[str] = ()):
        middleware = {"auth": BasicToBearer(users or {}, list(tokens))} if users or tokens else None
        auth = HeaderOnlyAuth() if middleware else None
        super().__init__("grpc://127.0.0.1:0", auth_handler=auth, middleware=middleware)
        self.uri = f"grpc://127.0.0.1:{self.port}"
        self.tickets_served: List[dict] = []

    def do_handshake(self, context, reader, writer):
        pass

    def _request(self, descriptor: flight.FlightDescriptor) -> dict:
        request = json.loads(descriptor.command)
        if request.get("source") != "rows":
            raise KeyError(f"unknown source '{request.get('source')}'")
        return request

    def get_schema(self, context, descriptor):
        self._request(descriptor)
        return flight.SchemaResult(SCHEMA)

    def get_flight_info(self, context, descriptor):
        # Option names are case-insensitive, as zipflight's are: Spark lower-cases them.
        options = {k.lower(): v for k, v in self._request(descriptor).get("options", {}).items()}
        total, parts = int(options.get("numrows", 30)), int(options.get("numpartitions", 2))
        locations = [u for u in str(options.get("locations", "")).split(",") if u]
        endpoints = []
        for p in range(parts):
            spec = {"start": total * p // parts, "stop": total * (p + 1) // parts, "failAfter": options.get("failafter")}
            endpoints.append(flight.FlightEndpoint(json.dumps(spec).encode(), locations))
        return flight.FlightInfo(SCHEMA, descriptor, endpoints, total, -1)

    def do_get(self, context, ticket):
        spec = json.loads(ticket.ticket)
        self.tickets_served.append(spec)
        return flight.GeneratorStream(SCHEMA, self._batches(spec))

    def _batches(self, spec: dict):
        for n, start in enumerate(range(spec["start"], spec["stop"], ROWS_PER_BATCH)):
            if spec.get("failAfter") is not None and n >= int(spec["failAfter"]):
                raise flight.FlightServerError(f"member bad.dcm of archive a.zip is corrupt (after {n} batches)")
            yield rows(start, min(start + ROWS_PER_BATCH, spec["stop"]))
