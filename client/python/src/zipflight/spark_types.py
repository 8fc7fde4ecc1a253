"""Arrow schema → Spark SQL schema, and Arrow batches → the exact Arrow types Spark expects.

Follows Spark's own Arrow mapping (pyspark.sql.pandas.types.to_arrow_type, Spark 4.0): a Python
Data Source's read() may yield pyarrow RecordBatches, which Spark takes as they are, so their
column types must already be the ones Spark derives from the declared schema.
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.types as pat
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

# Spark has no unsigned integers: widen each to the next signed type that holds every value.
_SIMPLE = (
    (pat.is_boolean, BooleanType),
    (pat.is_int8, ByteType),
    (pat.is_int16, ShortType),
    (pat.is_int32, IntegerType),
    (pat.is_int64, LongType),
    (pat.is_uint8, ShortType),
    (pat.is_uint16, IntegerType),
    (pat.is_uint32, LongType),
    (pat.is_float16, FloatType),
    (pat.is_float32, FloatType),
    (pat.is_float64, DoubleType),
    (pat.is_string, StringType),
    (pat.is_large_string, StringType),
    (pat.is_binary, BinaryType),
    (pat.is_large_binary, BinaryType),
    (pat.is_fixed_size_binary, BinaryType),
    (pat.is_date, DateType),
    (pat.is_null, NullType),
)


class UnsupportedTypeError(TypeError):
    """An Arrow type with no Spark SQL counterpart (uint64, time, interval, union, ...)."""


def spark_type(arrow_type: pa.DataType) -> DataType:
    """The Spark SQL type for one Arrow type."""
    for test, make in _SIMPLE:
        if test(arrow_type):
            return make()
    if pat.is_timestamp(arrow_type):
        # Arrow keeps a zone → an instant (Spark TIMESTAMP); no zone → wall-clock (TIMESTAMP_NTZ).
        return TimestampType() if arrow_type.tz else TimestampNTZType()
    if pat.is_decimal(arrow_type):
        return DecimalType(arrow_type.precision, arrow_type.scale)
    if pat.is_dictionary(arrow_type):
        return spark_type(arrow_type.value_type)
    if pat.is_list(arrow_type) or pat.is_large_list(arrow_type) or pat.is_fixed_size_list(arrow_type):
        item = arrow_type.value_field
        return ArrayType(spark_type(item.type), item.nullable)
    if pat.is_map(arrow_type):
        return MapType(spark_type(arrow_type.key_type), spark_type(arrow_type.item_type), arrow_type.item_field.nullable)
    if pat.is_struct(arrow_type):
        return StructType([spark_field(arrow_type.field(i)) for i in range(arrow_type.num_fields)])
    raise UnsupportedTypeError(f"Arrow type {arrow_type} has no Spark SQL type")


def spark_field(field: pa.Field) -> StructField:
    try:
        return StructField(field.name, spark_type(field.type), field.nullable)
    except UnsupportedTypeError as err:
        raise UnsupportedTypeError(f"column '{field.name}': {err}") from None


def spark_schema(schema: pa.Schema) -> StructType:
    """The Spark StructType for an Arrow schema (column names, order and nullability kept)."""
    return StructType([spark_field(f) for f in schema])


def arrow_schema_for(schema: StructType) -> pa.Schema:
    """The Arrow schema Spark's Python worker expects for ``schema`` (its default settings)."""
    return to_arrow_schema(schema)


def conform(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """``batch`` with ``target``'s columns, by name and in order, cast to ``target``'s types.

    A no-op when the server's batch already matches; a column the server did not send fails
    with its name rather than as a Spark schema mismatch far from the cause.
    """
    if batch.schema.equals(target, check_metadata=False):
        return batch
    columns = []
    for field in target:
        index = batch.schema.get_field_index(field.name)
        if index < 0:
            raise KeyError(f"column '{field.name}' is not in the server's batch (has {batch.schema.names})")
        column = batch.column(index)
        columns.append(column if column.type.equals(field.type) else _cast(column, field))
    return pa.RecordBatch.from_arrays(columns, schema=target)


def _cast(column: pa.Array, field: pa.Field) -> pa.Array:
    if pat.is_dictionary(column.type):
        column = column.dictionary_decode()
    return column.cast(field.type)


def spark_ddl(schema: pa.Schema) -> str:
    """The Spark DDL string of an Arrow schema (``"`name` string, `n` int"``), for messages and docs."""
    return ", ".join(f"`{f.name.replace('`', '``')}` {spark_field(f).dataType.simpleString()}" for f in schema)
