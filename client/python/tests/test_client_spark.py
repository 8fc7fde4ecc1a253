"""spark.read.format("zipflight") end to end: a local SparkSession (Spark 4 Python Data Source
API) reading a real zipflight server, checked against pyarrow's FlightClient reading the same
descriptor: one Spark partition per FlightEndpoint, the same rows, filters and projections.
"""
import datetime as dt

import pyarrow.compute as pc
import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DateType, DoubleType, IntegerType, LongType, StringType, TimestampType

from conftest import BAD_MEMBER, SECURE_TOKEN, SECURE_USER
from test_client_read import TYPED_SCHEMA, pyarrow_read
from zipflight.spark import ZipFlightDataSource

FAKE_ROWS = 1000
FAKE_PARTITIONS = 4


@pytest.fixture(scope="module")
def zipflight_read(spark, server):
    """A DataFrameReader for the test server, with the data source registered once."""
    spark.dataSource.register(ZipFlightDataSource)
    return lambda source: spark.read.format("zipflight").option("uri", server.uri).option("source", source)


def rows_of(df):
    return sorted(tuple(r) for r in df.collect())


def rows_of_table(table):
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_fake_one_partition_per_endpoint_and_rows_equal_pyarrow(zipflight_read, server):
    df = zipflight_read("fake").option("numRows", "1000").option("numPartitions", "4").option("seed", "11").load()
    assert df.rdd.getNumPartitions() == FAKE_PARTITIONS
    assert df.count() == FAKE_ROWS
    theirs = pyarrow_read(server.uri, {"source": "fake", "options": {"numRows": "1000", "numPartitions": "4", "seed": "11"}})
    assert df.columns == theirs.schema.names
    assert rows_of(df) == rows_of_table(theirs)


def test_filter_and_projection(zipflight_read, server):
    df = zipflight_read("fake").option("numRows", "1000").option("numPartitions", "4").option("seed", "11").load()
    theirs = pyarrow_read(server.uri, {"source": "fake", "options": {"numRows": "1000", "numPartitions": "4", "seed": "11"}})
    state = theirs.column("state")[0].as_py()
    picked = df.filter(F.col("state") == state).select("name", "zipcode")
    expected = theirs.filter(pc.equal(theirs.column("state"), state)).select(["name", "zipcode"])
    assert picked.columns == ["name", "zipcode"]
    assert 0 < picked.count() < FAKE_ROWS
    assert rows_of(picked) == rows_of_table(expected)


def test_typed_columns_map_to_spark_types(zipflight_read, server):
    df = zipflight_read("fake").option("schema", TYPED_SCHEMA).option("numRows", "300").option("numPartitions", "2").load()
    types = {f.name: f.dataType for f in df.schema.fields}
    assert isinstance(types["name"], StringType) and isinstance(types["age"], IntegerType)
    assert isinstance(types["visits"], LongType) and isinstance(types["score"], DoubleType)
    assert isinstance(types["active"], BooleanType) and isinstance(types["date"], DateType)
    theirs = pyarrow_read(server.uri, {"source": "fake", "options": {"schema": TYPED_SCHEMA, "numRows": "300", "numPartitions": "2"}})
    ours = df.collect()
    assert len(ours) == 300
    assert isinstance(ours[0]["date"], dt.date) and isinstance(ours[0]["seen"], dt.datetime)
    instant = isinstance(types["seen"], TimestampType)
    assert rows_of_key(ours, instant) == rows_of_key([tuple(r.values()) for r in theirs.to_pylist()], instant)


def rows_of_key(rows, instant):
    """Rows with timestamps as epoch seconds: Spark returns a TIMESTAMP as a naive local datetime."""
    norm = lambda v: v.timestamp() if isinstance(v, dt.datetime) and (instant or v.tzinfo) else v
    return sorted((tuple(norm(v) for v in row) for row in rows), key=lambda row: tuple(map(str, row)))


def test_user_schema_reads_the_named_columns(zipflight_read, server):
    df = zipflight_read("fake").schema("state string, name string").option("numRows", "50").option("seed", "5").load()
    theirs = pyarrow_read(server.uri, {"source": "fake", "options": {"numRows": "50", "seed": "5"}})
    assert df.columns == ["state", "name"]
    assert rows_of(df) == rows_of_table(theirs.select(["state", "name"]))


def test_zero_rows(zipflight_read):
    df = zipflight_read("fake").option("numRows", "0").option("numPartitions", "2").load()
    assert df.count() == 0
    assert df.columns == ["name", "date", "zipcode", "state"]


def test_unknown_source_error_carries_the_servers_message(zipflight_read):
    with pytest.raises(Exception) as failed:
        zipflight_read("nosuchsource").load()
    assert "NOT_FOUND" in str(failed.value) and "nosuchsource" in str(failed.value)


def test_bad_option_error_names_the_option(zipflight_read):
    with pytest.raises(Exception) as failed:
        zipflight_read("fake").option("numRows", "lots").load().collect()
    assert "INVALID_ARGUMENT" in str(failed.value) and "numrows" in str(failed.value).lower()


def test_missing_uri_is_a_clear_error(spark):
    spark.dataSource.register(ZipFlightDataSource)
    with pytest.raises(Exception) as failed:
        spark.read.format("zipflight").option("source", "fake").load()
    assert "uri" in str(failed.value)


def test_zipdcm_rows_and_partitions_equal_pyarrow(zipflight_read, server):
    df = zipflight_read("zipdcm").option("path", "dicom").option("numPartitions", "3").load()
    theirs = pyarrow_read(server.uri, {"source": "zipdcm", "path": "dicom", "options": {"numPartitions": "3"}})
    with __import__("zipflight").connect(server.uri) as conn:
        endpoints = len(conn.flight_info("zipdcm", "dicom", numPartitions="3").endpoints)
    assert df.rdd.getNumPartitions() == max(1, endpoints)
    assert sorted(r["path"] for r in df.select("path").collect()) == sorted(server.root.dicom_members)
    assert rows_of(df.select("rowid", "path", "meta")) == rows_of_table(theirs.select(["rowid", "path", "meta"]))


def test_zipcsv_rows_equal_pyarrow(zipflight_read, server):
    df = zipflight_read("zipcsv").option("path", "csv").option("header", "true").load()
    theirs = pyarrow_read(server.uri, {"source": "zipcsv", "path": "csv", "options": {"header": "true"}})
    assert df.count() == len(server.root.csv_rows)
    assert rows_of(df) == rows_of_table(theirs)


def test_zipcsv_load_path_one_partition_per_endpoint(zipflight_read, server):
    df = zipflight_read("zipcsv").option("header", "true").option("inferSchema", "true").load("csv")
    with __import__("zipflight").connect(server.uri) as conn:
        info = conn.flight_info("zipcsv", "csv", header="true", inferSchema="true")
    theirs = pyarrow_read(server.uri, {"source": "zipcsv", "path": "csv", "options": {"header": "true", "inferSchema": "true"}})
    assert df.rdd.getNumPartitions() == max(1, len(info.endpoints))
    assert df.columns == theirs.schema.names
    assert rows_of(df) == rows_of_table(theirs)
    assert df.where(F.col("flag")).count() == sum(1 for r in server.root.csv_rows if r[3] == "true")


def test_zipdcm_failfast_error_names_archive_and_member(zipflight_read, server):
    df = zipflight_read("zipdcm").option("path", "bad").option("mode", "FAILFAST").load()
    with pytest.raises(Exception) as failed:
        df.collect()
    text = str(failed.value)
    assert "DATA_LOSS" in text and "mixed.zip" in text and BAD_MEMBER in text


def secure_read(spark, secure_server, **credentials):
    reader = (spark.read.format("zipflight").option("uri", secure_server.uri).option("source", "fake")
              .option("tls_root_certs", str(secure_server.ca)))
    for key, value in credentials.items():
        reader = reader.option(key, value)
    return reader.option("numRows", "400").option("numPartitions", "2").option("seed", "3").load()


def test_tls_with_username_password_and_token(zipflight_read, spark, secure_server, server):
    expected = rows_of_table(pyarrow_read(server.uri, {"source": "fake", "options": {"numRows": "400", "numPartitions": "2", "seed": "3"}}))
    by_user = secure_read(spark, secure_server, username=SECURE_USER[0], password=SECURE_USER[1])
    assert by_user.rdd.getNumPartitions() == 2
    assert rows_of(by_user) == expected
    assert rows_of(secure_read(spark, secure_server, token=SECURE_TOKEN)) == expected


def test_tls_without_credentials_is_unauthenticated(zipflight_read, spark, secure_server):
    with pytest.raises(Exception) as failed:
        secure_read(spark, secure_server)
    assert "UNAUTHENTICATED" in str(failed.value)


def test_mtls_client_certificate_options(zipflight_read, spark, mtls_server, server):
    # Spark lower-cases option names; the mixed case here checks the data source does not mind.
    reader = (spark.read.format("zipflight").option("uri", mtls_server.uri).option("source", "fake")
              .option("tls_root_certs", str(mtls_server.ca)).option("Cert_Chain", str(mtls_server.client_cert))
              .option("private_key", str(mtls_server.client_key)).option("override_hostname", "localhost"))
    df = reader.option("numRows", "300").option("numPartitions", "3").option("seed", "4").load()
    expected = rows_of_table(pyarrow_read(server.uri, {"source": "fake", "options": {"numRows": "300", "numPartitions": "3", "seed": "4"}}))
    assert df.rdd.getNumPartitions() == 3
    assert rows_of(df) == expected


def test_endpoint_locations_are_read_by_the_executors(spark):
    # A planner whose endpoints name another server (a fleet): Spark's tasks DoGet there, not at the planner.
    from standin import StandinServer

    spark.dataSource.register(ZipFlightDataSource)
    planner, fleet = StandinServer(), StandinServer()
    try:
        df = (spark.read.format("zipflight").option("uri", planner.uri).option("source", "rows")
              .option("numRows", "70").option("numPartitions", "3").option("locations", fleet.uri).load())
        assert df.rdd.getNumPartitions() == 3
        assert sorted(r["id"] for r in df.collect()) == list(range(70))
        assert len(fleet.tickets_served) == 3 and not planner.tickets_served
    finally:
        planner.shutdown()
        fleet.shutdown()
