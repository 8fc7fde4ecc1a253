"""zipcsv through pyarrow's own Flight client against a real zipflight server, over CSV members
written by Python's csv module and zipped by Python's zipfile. Oracles: Python's csv module and
pyarrow.csv on the same member bytes, zipfile's own line iteration (the reference's asLines rows).
Spark's reading rules the expectations follow: empty field (nullValue "") → null; header=false →
_c0, _c1, …; inferSchema → int / bigint / double / boolean / date / timestamp(UTC).
"""
import csv
import datetime as dt
import io
import json
import zipfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.flight as flight
import pytest

from conftest import _start, _stop

UTC = dt.timezone.utc
HEADER = ["id", "name", "amount", "when", "seen_at", "ok"]
TRICKY = [
    ["1", "plain", "1.5", "2024-01-31", "2024-01-31T10:20:30", "true"],
    ["2", "comma, inside", "-2", "2023-12-01", "2023-12-01 00:00:00", "FALSE"],
    ["3", 'say "hi"', "", "2020-02-29", "2020-02-29T23:59:59.250", "True"],
    ["4", "two\nlines", "1e3", "1999-07-04", "1999-07-04T01:02:03", "false"],
    ["5", "", "0.25", "", "", ""],
    ["6", "crlf\r\ninside", "7", "2024-03-01", "2024-03-01T12:00:00", "true"],
    ["7", "ünïcödé €😀", "8", "2024-03-02", "2024-03-02T12:00:00", "false"],
]


def csv_bytes(rows, *, bom=False, terminator="\r\n", **fmt):
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator, **fmt).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def oracle_rows(data: bytes, **fmt):
    """Python's csv module on the member bytes: a BOM is not data (utf-8-sig)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), **fmt))


def spark_null(v: str):
    return None if v == "" else v


MEMBERS = {
    "tricky.zip": {"tricky.csv": csv_bytes([HEADER, *TRICKY], bom=True)},
    "semi.zip": {"semi.csv": b"# a comment line\na;b;c\n1;'x;y';\"q\"\n# another\n2;'it''s';'a\\'b'\n"},
    "union.zip": {"p1.csv": b"id,a\n1,x\n2,y\n", "p2.csv": b"b,id\nz,3\n", "skip.txt": b"not,csv\n"},
    "corrupt.zip": {"bad.csv": b"a,b,c\n1,x,y\n2,x\n3,x,y,z\nfour,x,y\n5,x,y\n6,\"never closed,y\n"},
    "encodings.zip": {
        "latin1.csv": "name,city\r\nJosé,Zürich\r\n\"Ø, ü\",Besançon\r\n".encode("latin-1"),
        "utf16.csv": "name,city\nJosé,Zürich\n\"Ø, ü\",Besançon\n".encode("utf-16"),
    },
    "wide.zip": {"wide.csv": b"n,t\n-1,1969-12-31T23:59:59.999999\n9223372036854775807,1900-01-01T00:00:00\n"
                 b"-9223372036854775808,2262-04-11T23:47:16.854775\n4294967296,1970-01-01T00:00:00.000001\n"
                 b"-4294967297,0001-01-01T00:00:00\n12345678901234567890,2024-13-01T00:00:00\n"},
    "lines.zip": {
        "l1.csv": b"\xef\xbb\xbfh1,h2\r\n  spaced ,\tx\t\r\n\r\nlast\xc2\xa0\x1c",
        "l2.csv": b"a\rb\nc\n\n",
        "empty.csv": b"",
    },
}


@pytest.fixture(scope="module")
def csv_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("zipcsv-root")
    for archive, members in MEMBERS.items():
        with zipfile.ZipFile(root / archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    # Three archives in nested directories, several members each, for partitioning.
    many = root / "many" / "deeper"
    many.mkdir(parents=True)
    for a in range(3):
        with zipfile.ZipFile((root / "many" if a else many) / f"part{a}.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for m in range(4):
                zf.writestr(f"d/m{m}.csv", csv_bytes([["k", "v"], *[[f"{a}-{m}-{i}", str(i * a + m)] for i in range(50 + 7 * m)]]))
    with zipfile.ZipFile(root / "late.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("late.csv", csv_bytes([["n", "sq"], *[[str(i), str(i * i)] for i in range(LATE_GOOD_ROWS)], ["oops"]]))
    with zipfile.ZipFile(root / "crc.zip", "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("a.csv", b"n\n1\n2\n")
        zf.writestr("b.csv", b"n\n3\n4\n")
    raw = bytearray((root / "crc.zip").read_bytes())
    at = raw.index(b"n\n3\n4\n")
    raw[at + 2] = ord("7")  # b.csv's stored bytes no longer match the CRC-32 in the directory
    (root / "crc.zip").write_bytes(bytes(raw))
    (root / "broken").mkdir()
    (root / "broken" / "junk.zip").write_bytes(b"this is not a zip archive at all" * 10)
    with zipfile.ZipFile(root / "broken" / "good.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok.csv", b"x\n1\n2\n")
    proc, uri, output = _start(root)
    try:
        yield uri, root
    finally:
        _stop(proc)


LATE_GOOD_ROWS = 40_000


def read(uri, path, **options):
    client = flight.connect(uri)
    try:
        body = {"source": "zipcsv", "path": path, "options": options}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        tables = [client.do_get(e.ticket).read_all() for e in info.endpoints]
        return (pa.concat_tables(tables) if tables else info.schema.empty_table()), info
    finally:
        client.close()


def member(root, archive, name):
    with zipfile.ZipFile(root / archive) as zf:
        return zf.read(name)


def test_quoting_crlf_bom_embedded_newlines_equal_csv_module(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "tricky.zip", header="true")
    expected = oracle_rows(member(root, "tricky.zip", "tricky.csv"))
    assert table.schema.names == expected[0] + ["_corrupt_record"]
    assert all(t == pa.string() for t in table.schema.types)
    got = [list(r.values())[:-1] for r in table.to_pylist()]
    assert got == [[spark_null(v) for v in row] for row in expected[1:]]
    assert table.column("_corrupt_record").null_count == table.num_rows


def test_header_false_names_columns_like_spark(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "tricky.zip")
    expected = oracle_rows(member(root, "tricky.zip", "tricky.csv"))
    assert table.schema.names == [f"_c{i}" for i in range(len(HEADER))] + ["_corrupt_record"]
    assert [list(r.values())[:-1] for r in table.to_pylist()] == [[spark_null(v) for v in row] for row in expected]


def test_infer_schema_types_and_values_match_pyarrow_csv(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "tricky.zip", header="true", inferSchema="true", mode="DROPMALFORMED")
    types = dict(zip(table.schema.names, table.schema.types))
    assert types == {"id": pa.int32(), "name": pa.string(), "amount": pa.float64(), "when": pa.date32(),
                     "seen_at": pa.timestamp("us", tz="UTC"), "ok": pa.bool_()}
    data = member(root, "tricky.zip", "tricky.csv")
    # pyarrow.csv: the same member, as independent oracle for the typed values (booleans in any case).
    theirs = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
        true_values=["true", "True", "TRUE"], false_values=["false", "False", "FALSE"],
        column_types={"seen_at": pa.timestamp("us"), "when": pa.date32(), "amount": pa.float64()}))
    # Spark reads a timestamp without offset in the session zone; zipflight's zone is UTC.
    theirs = theirs.set_column(4, "seen_at", theirs.column("seen_at").cast(pa.timestamp("us", tz="UTC")))
    for name in ("id", "amount", "when", "ok", "seen_at"):
        assert table.column(name).to_pylist() == theirs.column(name).to_pylist(), name


def test_options_as_strings_equal_json_values(csv_server):
    uri, _ = csv_server
    as_strings, _ = read(uri, "tricky.zip", header="true", inferSchema="true", samplingRatio="1.0", numPartitions="2")
    as_values, _ = read(uri, "tricky.zip", header=True, inferSchema=True, samplingRatio=1.0, numPartitions=2)
    assert as_strings.equals(as_values)


def test_sep_quote_escape_comment_equal_csv_module(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "semi.zip", sep=";", quote="'", escape="\\", comment="#", header="true", mode="FAILFAST")
    text = member(root, "semi.zip", "semi.csv").decode()
    rows = list(csv.reader(io.StringIO("".join(l for l in text.splitlines(True) if not l.startswith("#"))),
                           delimiter=";", quotechar="'", escapechar="\\"))
    assert table.schema.names == rows[0]
    assert [list(r.values()) for r in table.to_pylist()] == rows[1:]
    assert rows[1] == ["1", "x;y", '"q"'] and rows[2] == ["2", "it's", "a'b"]  # the oracle saw what we meant


def test_null_value_option(csv_server):
    uri, _ = csv_server
    table, _ = read(uri, "tricky.zip", header="true", nullValue="plain")
    names = table.column("name").to_pylist()
    assert names[0] is None and names[4] == ""  # only nullValue reads as null now


def test_header_union_by_name_with_nulls_and_failfast(csv_server):
    uri, _ = csv_server
    table, _ = read(uri, "union.zip", header="true", includeSource="true", mode="DROPMALFORMED")
    assert table.schema.names == ["id", "a", "b", "_zip", "_member"]
    assert table.to_pylist() == [
        {"id": "1", "a": "x", "b": None, "_zip": "union.zip", "_member": "p1.csv"},
        {"id": "2", "a": "y", "b": None, "_zip": "union.zip", "_member": "p1.csv"},
        {"id": "3", "a": None, "b": "z", "_zip": "union.zip", "_member": "p2.csv"},
    ]
    with pytest.raises(flight.FlightError) as failed:
        read(uri, "union.zip", header="true", mode="FAILFAST")
    assert "p1.csv" in str(failed.value) and "p2.csv" in str(failed.value)


BAD_TEXT = MEMBERS["corrupt.zip"]["bad.csv"].decode()
BAD_LINES = BAD_TEXT.split("\n")  # written above by hand: rows 2 (few), 3 (many), 4 (not int), 6 (open quote)


def test_corrupt_rows_permissive_keep_raw_text(csv_server):
    uri, _ = csv_server
    table, _ = read(uri, "corrupt.zip", schema="a int, b string, c string, _corrupt_record string", header="true")
    rows = table.to_pylist()
    assert [r["a"] for r in rows] == [1, 2, 3, None, 5, 6]
    assert [r["_corrupt_record"] for r in rows] == [None, BAD_LINES[2], BAD_LINES[3], BAD_LINES[4], None, "\n".join(BAD_LINES[6:])]
    assert rows[1]["c"] is None and rows[2]["c"] == "y"  # padded / cut to the schema


def test_corrupt_rows_dropmalformed_skips_them(csv_server):
    uri, _ = csv_server
    table, _ = read(uri, "corrupt.zip", schema="a int, b string, c string", header="true", mode="DROPMALFORMED")
    assert table.to_pylist() == [{"a": 1, "b": "x", "c": "y"}, {"a": 5, "b": "x", "c": "y"}]


def test_corrupt_rows_failfast_names_archive_member_line(csv_server):
    uri, _ = csv_server
    with pytest.raises(flight.FlightError) as failed:
        read(uri, "corrupt.zip", header="true", mode="FAILFAST")
    text = str(failed.value)
    assert "DATA_LOSS" in text or "data loss" in text
    assert "corrupt.zip" in text and "bad.csv" in text and "line 3" in text


def test_as_lines_equal_reference_line_rows(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "lines.zip", asLines="true")
    assert table.schema.names == ["zipfile", "file_name", "line"]
    expected = []
    with zipfile.ZipFile(root / "lines.zip") as zf:
        for name in zf.namelist():
            with zf.open(name) as fp:  # the reference's read: binary lines, utf-8, strip()
                expected += [("lines.zip", name, line.decode("utf-8").strip()) for line in fp]
    assert [tuple(r.values()) for r in table.to_pylist()] == expected
    assert len(expected) == 7


def test_partitions_cover_every_row_once(csv_server):
    uri, root = csv_server
    expected = []
    for path in sorted(root.joinpath("many").rglob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                expected += [tuple(r) for r in oracle_rows(zf.read(name))[1:]]
    for n in (1, 2, 5, 64):
        table, info = read(uri, "many", header="true", numPartitions=str(n), mode="FAILFAST")
        assert 1 <= len(info.endpoints) <= min(n, 12)
        got = [(r["k"], r["v"]) for r in table.to_pylist()]
        assert sorted(got) == sorted(expected) and len(set(got)) == len(got)


def test_bad_archive_fails_with_data_loss_unless_ignored(csv_server):
    uri, _ = csv_server
    with pytest.raises(flight.FlightError) as failed:
        read(uri, "broken", header="true")
    assert "junk.zip" in str(failed.value)
    table, _ = read(uri, "broken", header="true", ignoreCorruptFiles="true", includeSource="true")
    assert table.column("x").to_pylist() == ["1", "2"]
    assert set(table.column("_zip").to_pylist()) == {"broken/good.zip"}


def test_unknown_option_is_invalid_argument(csv_server):
    uri, _ = csv_server
    with pytest.raises(pa.ArrowInvalid):
        read(uri, "tricky.zip", headr="true")


def test_failfast_after_batches_were_sent(csv_server):
    uri, _ = csv_server
    client = flight.connect(uri)
    try:
        body = {"source": "zipcsv", "path": "late.zip", "options": {"header": "true", "mode": "FAILFAST"}}
        info = client.get_flight_info(flight.FlightDescriptor.for_command(json.dumps(body).encode()))
        received = 0
        with pytest.raises(flight.FlightError) as failed:
            for chunk in client.do_get(info.endpoints[0].ticket):
                received += chunk.data.num_rows
    finally:
        client.close()
    assert 0 < received <= LATE_GOOD_ROWS
    assert f"line {LATE_GOOD_ROWS + 2}" in str(failed.value) and "late.csv" in str(failed.value)


def test_damaged_member_fails_with_data_loss_unless_ignored(csv_server):
    uri, _ = csv_server
    with pytest.raises(flight.FlightError) as failed:
        read(uri, "crc.zip", header="true")
    assert "crc.zip" in str(failed.value) and "b.csv" in str(failed.value) and "CRC" in str(failed.value)
    table, _ = read(uri, "crc.zip", header="true", ignoreCorruptFiles="true", includeSource="true")
    rows = [(r["_member"], r["n"]) for r in table.to_pylist()]
    assert rows[:2] == [("a.csv", "1"), ("a.csv", "2")]
    # Spark's ignoreCorruptFiles: what was read before the damage showed stays.
    assert rows[2:] in ([], [("b.csv", "7")], [("b.csv", "7"), ("b.csv", "4")])


@pytest.mark.parametrize("member_name,encoding,python_codec", [("latin1.csv", "ISO-8859-1", "latin-1"), ("utf16.csv", "UTF-16", "utf-16")])
def test_encoding_option_equals_csv_module_on_decoded_text(csv_server, member_name, encoding, python_codec):
    uri, root = csv_server
    table, _ = read(uri, "encodings.zip", memberFilter=member_name, header="true", encoding=encoding, mode="DROPMALFORMED")
    expected = list(csv.reader(io.StringIO(member(root, "encodings.zip", member_name).decode(python_codec), newline="")))
    assert table.schema.names == expected[0]
    assert [list(r.values()) for r in table.to_pylist()] == expected[1:]


def test_bigint_and_timestamp_values_equal_python_int_and_datetime(csv_server):
    uri, root = csv_server
    table, _ = read(uri, "wide.zip", schema="n bigint, t timestamp, _corrupt_record string", header="true")
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)

    def oracle(n, t):
        value = int(n) if -(2**63) <= int(n) < 2**63 else None  # Spark's LongType range
        try:
            stamp = dt.datetime.fromisoformat(t).replace(tzinfo=UTC)
        except ValueError:
            stamp = None
        return value, stamp

    rows = oracle_rows(member(root, "wide.zip", "wide.csv"))[1:]
    got = table.to_pylist()
    assert [(r["n"], r["t"]) for r in got] == [oracle(*row) for row in rows]
    assert [r["_corrupt_record"] is not None for r in got] == [None in oracle(*row) for row in rows]
    assert got[0]["t"] - epoch == dt.timedelta(microseconds=-1)
