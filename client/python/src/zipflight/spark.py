"""``spark.read.format("zipflight")``: a Spark (>= 4.0) Python Data Source over Arrow Flight.

Spark's Python Data Source API (pyspark.sql.datasource): schema() from GetSchema, one
InputPartition per FlightEndpoint from GetFlightInfo, read() = DoGet yielding pyarrow
RecordBatches, which Spark 4 takes without building a Python object per row.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.types import StructType

from .flight import Connection, location_uri
from .spark_types import arrow_schema_for, conform, spark_schema

FORMAT_NAME = "zipflight"
# Options that say where and what to read; never sent as source options.
URI, SOURCE, PATH = "uri", "source", "path"
# Options that say how to connect (Spark lower-cases option names, so these are lower case).
CONNECTION_OPTIONS = ("tls_root_certs", "cert_chain", "private_key", "override_hostname", "username", "password", "token")


def split_options(options: Mapping[str, Any]) -> Tuple[Dict[str, Any], str, Optional[str], Dict[str, str]]:
    """(connection settings, source, path, source options) from a Spark option map.

    Every option that is not ours passes through to the descriptor as the string Spark gives.
    """
    lowered = {str(k).lower(): v for k, v in options.items()}
    missing = [name for name in (URI, SOURCE) if not lowered.get(name)]
    if missing:
        raise ValueError(f"zipflight data source needs option(s) {', '.join(missing)}, e.g. .option('uri', 'grpc://host:8815')")
    settings: Dict[str, Any] = {k: lowered[k] for k in CONNECTION_OPTIONS if lowered.get(k) is not None}
    settings["uri"] = lowered[URI]
    reserved = {URI, SOURCE, PATH, *CONNECTION_OPTIONS}
    passed = {k: str(v) for k, v in options.items() if str(k).lower() not in reserved}
    return settings, lowered[SOURCE], lowered.get(PATH), passed


def _connect(settings: Dict[str, Any]) -> Connection:
    rest = dict(settings)
    return Connection(rest.pop("uri"), **rest)


class ZipFlightPartition(InputPartition):
    """One FlightEndpoint: its opaque ticket and the locations that can serve it (may be empty)."""

    def __init__(self, index: int, ticket: bytes, locations: List[str]):
        super().__init__(index)
        self.index = index
        self.ticket = ticket
        self.locations = locations

    def __repr__(self) -> str:
        return f"ZipFlightPartition(index={self.index}, ticket={len(self.ticket)} bytes, locations={self.locations})"


class ZipFlightReader(DataSourceReader):
    """Plans a read with GetFlightInfo on the driver and streams each endpoint with DoGet on an executor."""

    def __init__(self, options: Mapping[str, Any], schema: StructType):
        # Parse on the driver so a missing uri/source fails at load(), not inside a task.
        self._settings, self._source, self._path, self._options = split_options(options)
        self._schema = schema

    def partitions(self) -> List[InputPartition]:
        with _connect(self._settings) as conn:
            info = conn.flight_info(self._source, self._path, **self._options)
        return [
            ZipFlightPartition(i, e.ticket.ticket, [location_uri(loc) for loc in e.locations])
            for i, e in enumerate(info.endpoints)
        ]

    def read(self, partition: Optional[InputPartition]) -> Iterator[pa.RecordBatch]:
        # Spark reads a plan with no endpoints as one partition that is None: zero rows.
        if partition is None:
            return
        assert isinstance(partition, ZipFlightPartition), f"not a zipflight partition: {partition!r}"
        target = arrow_schema_for(self._schema)
        with _connect(self._settings) as conn:
            for batch in conn.read_ticket(partition.ticket, partition.locations):
                yield conform(batch, target)


class ZipFlightDataSource(DataSource):
    """Register with ``spark.dataSource.register(ZipFlightDataSource)``; read with
    ``spark.read.format("zipflight").option("uri", ...).option("source", ...)``.

    Options: ``uri`` (``grpc://host:port``), ``source``, ``path``; connection options
    ``tls_root_certs`` (PEM file path), ``cert_chain``/``private_key`` (PEM file paths of a
    client certificate, for mTLS), ``override_hostname``, ``username``/``password``, ``token``; every other
    option is the source's (``numPartitions``, ``pathGlobFilter``, ...).
    """

    @classmethod
    def name(cls) -> str:
        return FORMAT_NAME

    def schema(self) -> StructType:
        settings, source, path, options = split_options(self.options)
        with _connect(settings) as conn:
            return spark_schema(conn.schema(source, path, **options))

    def reader(self, schema: StructType) -> DataSourceReader:
        return ZipFlightReader(self.options, schema)


__all__ = ["ZipFlightDataSource", "ZipFlightPartition", "ZipFlightReader", "split_options"]
