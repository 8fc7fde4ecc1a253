"""Arrow → Spark schema mapping and batch conforming (zipflight.spark_types), checked against
pyspark's own converters (pyspark.sql.pandas.types.from_arrow_schema / to_arrow_schema), and
the option split of the Spark data source. No SparkSession needed.
"""
import datetime as dt

import pyarrow as pa
import pytest
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
from pyspark.sql.types import LongType, ShortType

from zipflight.spark import split_options
from zipflight.spark_types import UnsupportedTypeError, conform, spark_ddl, spark_schema

# Types the server's sources produce, and the nested ones a future source might.
SERVED = pa.schema(
    [
        ("name", pa.string()),
        ("big", pa.large_string()),
        ("n32", pa.int32()),
        ("n64", pa.int64(), False),
        ("x", pa.float64()),
        ("ok", pa.bool_()),
        ("day", pa.date32()),
        ("at", pa.timestamp("ms", tz="UTC")),
        ("wall", pa.timestamp("us")),
        ("raw", pa.binary()),
        ("dec", pa.decimal128(10, 3)),
        ("tags", pa.list_(pa.string())),
        ("pair", pa.struct([("a", pa.int32()), ("b", pa.string())])),
        ("coded", pa.dictionary(pa.int32(), pa.string())),
    ]
)


def test_schema_mapping_agrees_with_pyspark():
    # pyspark maps a zone-less Arrow timestamp to TIMESTAMP_NTZ when asked to prefer it: we always do.
    assert spark_schema(SERVED) == from_arrow_schema(SERVED, prefer_timestamp_ntz=True)


def test_unsigned_integers_widen_and_unsupported_types_name_the_column():
    widened = spark_schema(pa.schema([("u8", pa.uint8()), ("u32", pa.uint32())]))
    assert [f.dataType for f in widened.fields] == [ShortType(), LongType()]
    with pytest.raises(UnsupportedTypeError, match="column 'huge'"):
        spark_schema(pa.schema([("huge", pa.uint64())]))


def test_ddl_is_parsed_back_by_spark_types():
    ddl = spark_ddl(pa.schema([("name", pa.string()), ("odd`name", pa.int32()), ("tags", pa.list_(pa.int64()))]))
    assert ddl == "`name` string, `odd``name` int, `tags` array<bigint>"


def served_batch() -> pa.RecordBatch:
    at = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
    columns = {
        "name": pa.array(["a", None]),
        "big": pa.array(["b", "c"], pa.large_string()),
        "n32": pa.array([1, 2], pa.int32()),
        "n64": pa.array([3, 4], pa.int64()),
        "x": pa.array([0.5, None]),
        "ok": pa.array([True, False]),
        "day": pa.array([dt.date(2024, 1, 2), None]),
        "at": pa.array([at, None], pa.timestamp("ms", tz="UTC")),
        "wall": pa.array([dt.datetime(2024, 1, 2, 3, 4), None], pa.timestamp("us")),
        "raw": pa.array([b"\x00\x01", None]),
        "dec": pa.array([None, None], pa.decimal128(10, 3)),
        "tags": pa.array([["x"], []], pa.list_(pa.string())),
        "pair": pa.array([{"a": 1, "b": "z"}, None], SERVED.field("pair").type),
        "coded": pa.array(["p", "q"]).dictionary_encode(),
    }
    return pa.RecordBatch.from_arrays([columns[f.name] for f in SERVED], schema=SERVED)


def test_conform_gives_the_arrow_types_spark_expects_with_the_same_values():
    batch = served_batch()
    target = to_arrow_schema(spark_schema(SERVED))
    out = conform(batch, target)
    assert out.schema == target
    for name in SERVED.names:
        assert out.column(name).to_pylist() == batch.column(name).to_pylist(), name


def test_conform_selects_by_name_and_reports_missing_columns():
    batch = served_batch()
    target = pa.schema([("n32", pa.int32()), ("name", pa.string())])
    out = conform(batch, target)
    assert out.schema.names == ["n32", "name"] and out.column("n32").to_pylist() == [1, 2]
    with pytest.raises(KeyError, match="column 'absent'"):
        conform(batch, pa.schema([("absent", pa.string())]))


def test_conform_leaves_a_matching_batch_alone():
    batch = pa.record_batch([pa.array([1, 2], pa.int64())], names=["n"])
    assert conform(batch, pa.schema([("n", pa.int64())])) is batch


def test_split_options_keeps_ours_and_passes_the_rest_as_strings():
    # Spark lower-cases option names (CaseInsensitiveDict); the server matches names case-insensitively.
    settings, source, path, options = split_options(
        {"uri": "grpc://h:1", "source": "zipdcm", "path": "studies", "numpartitions": 4, "token": "t", "mode": "FAILFAST"}
    )
    assert settings == {"uri": "grpc://h:1", "token": "t"}
    assert (source, path) == ("zipdcm", "studies")
    assert options == {"numpartitions": "4", "mode": "FAILFAST"}
    with pytest.raises(ValueError, match="uri"):
        split_options({"source": "fake"})
