# %% [markdown]
# # zipflight from a notebook: pyarrow, pandas and Spark
#
# Reads a zipflight Arrow Flight server (issue 5): DICOM headers (`zipdcm`), CSV tables
# (`zipcsv`) and synthetic rows (`fake`) straight out of ZIP archives, with no unzip step.
# Cells are `# %%` blocks (VS Code, Jupytext, Spyder). Run it as a script too:
#
#     npm start                                   # in another terminal: serves the built-in sample
#     .venv/bin/python client/python/examples/notebook_example.py grpc://127.0.0.1:8815
#     .venv/bin/python client/python/examples/notebook_example.py grpc://127.0.0.1:8815 --spark

# %%
import sys

import pyarrow.compute as pc

import zipflight

URI = next((a for a in sys.argv[1:] if a.startswith("grpc")), "grpc://127.0.0.1:8815")
# The built-in sample root (`npm start`) has dicom/ (zipped CT studies, a bad archive) and labs/ (zipped CSV).
DICOM_PATH, CSV_PATH = "dicom", "labs"

# %% [markdown]
# ## What does the server serve?
# `list_sources()` is ListFlights: one entry per registered source.

# %%
conn = zipflight.connect(URI)  # add username=/password=, token= or tls_root_certs= as needed
sources = conn.list_sources()
print("sources:", sources)

# %% [markdown]
# ## Synthetic rows: the `fake` source
# Options are the source's own (`schema` as Spark DDL, `numRows`, `numPartitions`, `seed`).
# Each partition is one FlightEndpoint; `read_arrow` reads them in parallel.

# %%
people = zipflight.read_arrow(conn, "fake", numRows=10_000, numPartitions=4, seed=1)
print(people.schema)
print(people.slice(0, 5).to_pandas())

# %%
typed = zipflight.read_pandas(conn, "fake", schema="name string, visits int, score double, date date", numRows=1000)
print(typed.dtypes)
print(typed.describe())

# %% [markdown]
# ## DICOM headers out of zipped studies: `zipdcm`
# `path` is relative to the server's data root (the sample root has `dicom/`). Each row is one
# DICOM file: `path` = `archive::member`, `meta` = the DICOM JSON model, plus typed key columns.

# %%
if "zipdcm" in sources:
    studies = zipflight.read_arrow(conn, "zipdcm", DICOM_PATH)
    print(studies.num_rows, "DICOM files")
    print(studies.select([c for c in ("path", "modality", "patient_id", "error") if c in studies.schema.names]).to_pandas().head())
    if "error" in studies.schema.names:
        bad = studies.filter(pc.is_valid(studies.column("error")))
        print(bad.num_rows, "files could not be read:", bad.column("error").to_pylist()[:3])

# %% [markdown]
# ## Zipped CSV: `zipcsv`, with Spark's CSV option names

# %%
if "zipcsv" in sources:
    labs = zipflight.read_pandas(conn, "zipcsv", CSV_PATH, header="true", inferSchema="true")
    print(labs.dtypes)
    print(labs.groupby("test")["value"].describe())

# %% [markdown]
# ## Errors carry the server's status and message

# %%
try:
    zipflight.read_arrow(conn, "fake", numRows="lots")
except zipflight.ZipFlightError as err:
    print(err.code, "-", err.message)

# %% [markdown]
# ## The same reads from Spark (needs pyspark >= 4.0 and Java 17)
# One Spark partition per FlightEndpoint; the server unzips and parses, Spark gets Arrow batches.

# %%
try:
    from pyspark.sql import SparkSession
except ImportError:
    SparkSession = None

if SparkSession is not None and "--spark" in sys.argv:
    import os

    from zipflight.spark import ZipFlightDataSource

    # Spark's Python workers import zipflight too: run them with this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.dataSource.register(ZipFlightDataSource)
    zipflight_reader = lambda source: spark.read.format("zipflight").option("uri", URI).option("source", source)
    df = zipflight_reader("fake").option("numRows", 100_000).option("numPartitions", 4).load()
    print(df.rdd.getNumPartitions(), "partitions,", df.count(), "rows")
    df.groupBy("state").count().orderBy("count", ascending=False).show(5)
    if "zipdcm" in sources:
        ct = zipflight_reader("zipdcm").option("numPartitions", 2).load(DICOM_PATH)
        print(ct.rdd.getNumPartitions(), "partitions")
        ct.where("error IS NULL").groupBy("modality").count().show()
    if "zipcsv" in sources:
        labs_df = zipflight_reader("zipcsv").option("header", "true").option("inferSchema", "true").load(CSV_PATH)
        labs_df.where("abnormal").select("patient_id", "test", "value", "unit").show(5)
    spark.stop()

# %%
conn.close()
