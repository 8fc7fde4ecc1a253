"""The `fake` source's values through pyarrow, judged by Python's own parsers (uuid, ipaddress,
datetime) rather than by our generators: formats, determinism per seed and partition, variety
beyond the per-partition Faker pools, and the error for an unsupported field name.
"""
import datetime as dt
import ipaddress
import re
import uuid

import pytest

import zipflight

FORMATS = (
    "uuid4 string, ipv4 string, ipv6 string, date string, date_time string, iso8601 string, time string, "
    "zipcode string, zipcode_plus4 string, ssn string, phone_number string, mac_address string, md5 string, "
    "latitude string, longitude string, year string, month string, date_of_birth string, msisdn string"
)
PATTERNS = {
    "zipcode": r"\d{5}",
    "zipcode_plus4": r"\d{5}-\d{4}",
    "ssn": r"\d{3}-\d{2}-\d{4}",
    "phone_number": r"\([2-9]\d\d\) [2-9]\d\d-\d{4}",  # NANP: area and exchange codes start 2-9
    "mac_address": r"([0-9a-f]{2}:){5}[0-9a-f]{2}",
    "md5": r"[0-9a-f]{32}",
    "msisdn": r"\d{13}",
    "month": r"0[1-9]|1[0-2]",
}
EPOCH, REFERENCE = dt.date(1970, 1, 1), dt.date(2025, 1, 1)
FORMAT_ROWS = 3000


@pytest.fixture(scope="module")
def formats(server):
    table = zipflight.read_arrow(server.uri, "fake", schema=FORMATS, numRows=FORMAT_ROWS, numPartitions=2, seed=9)
    # The format checks loop over the values: with no rows (or nulls) they would pass unchecked.
    assert table.num_rows == FORMAT_ROWS and all(c.null_count == 0 for c in table.columns)
    return table.to_pydict()


def test_identifiers_parse_with_pythons_own_parsers(formats):
    for value in formats["uuid4"]:
        assert uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value
    for value in formats["ipv4"]:
        ipaddress.IPv4Address(value)
    for value in formats["ipv6"]:
        assert ipaddress.IPv6Address(value).exploded == value
    assert len(set(formats["uuid4"])) == len(formats["uuid4"])


def test_dates_and_times_parse_and_fall_in_pythons_faker_ranges(formats):
    for value in formats["date"]:
        assert EPOCH <= dt.date.fromisoformat(value) < REFERENCE
    for value in formats["date_time"]:
        assert EPOCH <= dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").date() < REFERENCE
    for value in formats["iso8601"]:
        assert EPOCH <= dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S").date() < REFERENCE
    for value in formats["time"]:
        dt.datetime.strptime(value, "%H:%M:%S")
    assert {int(y) for y in formats["year"]} <= set(range(EPOCH.year, REFERENCE.year))
    ages = [(REFERENCE - dt.date.fromisoformat(v)).days / 365.25 for v in formats["date_of_birth"]]
    assert 0 <= min(ages) and max(ages) <= 116
    # Uniform draws: 3000 days over 55 years land in most years.
    assert len({v[:4] for v in formats["date"]}) > 45


def test_patterns_and_coordinates(formats):
    for name, regex in PATTERNS.items():
        bad = [v for v in formats[name] if not re.fullmatch(regex, v)]
        assert not bad, f"{name}: {bad[:3]}"
    for name, limit in (("latitude", 90), ("longitude", 180)):
        values = [float(v) for v in formats[name]]
        assert all(-limit <= v <= limit for v in values)
        assert all(len(v.partition(".")[2]) <= 4 for v in formats[name])  # four decimals at most


def test_same_seed_same_rows_in_any_partition_order(server):
    options = {"numRows": 20_000, "numPartitions": 4, "seed": 21}
    with zipflight.connect(server.uri) as conn:
        endpoints = list(conn.flight_info("fake", **options).endpoints)
        backwards = [conn.read_endpoint(e) for e in reversed(endpoints)][::-1]
    forwards = zipflight.read_arrow(server.uri, "fake", **options)
    assert [t.num_rows for t in backwards] == [5000] * 4
    assert forwards.equals(__import__("pyarrow").concat_tables(backwards))
    other = zipflight.read_arrow(server.uri, "fake", **{**options, "seed": 22})
    assert other.column("name") != forwards.column("name")
    # Partitions are seeded apart: no partition repeats another's names.
    names = [tuple(t.column("name").to_pylist()) for t in backwards]
    assert len(set(names)) == 4


def test_values_vary_beyond_the_faker_pools(server):
    # Names join a first-name and a last-name pick; with 100k rows far more names than either pool holds.
    table = zipflight.read_arrow(server.uri, "fake", numRows=100_000, seed=4)
    names = table.column("name").to_pylist()
    assert len(set(names)) > 20_000
    assert all(re.fullmatch(r"\S+ \S+", n) for n in names[:1000])
    assert len(set(table.column("zipcode").to_pylist())) > 50_000
    assert len(set(table.column("state").to_pylist())) == 50


def test_small_read_repeats_no_pooled_value(server):
    # A partition no bigger than a pool reads Faker's values in order, not picks among them
    # (300 picks among 300 values would repeat about a third of them).
    emails = zipflight.read_arrow(server.uri, "fake", schema="email string", numRows=300, seed=2).column("email").to_pylist()
    assert len(set(emails)) == 300
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", e) for e in emails)


def test_unsupported_field_lists_the_supported_ones(server):
    with pytest.raises(zipflight.ZipFlightError) as failed:
        zipflight.read_arrow(server.uri, "fake", schema="nickname string", numRows=1)
    assert failed.value.code == "INVALID_ARGUMENT"
    assert "nickname" in failed.value.message and "uuid4" in failed.value.message
