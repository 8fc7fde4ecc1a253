"""zipflight for Python: read a zipflight Arrow Flight server from pyarrow, pandas and Spark.

``read_arrow``/``read_pandas`` for notebooks; ``zipflight.spark.ZipFlightDataSource`` (import it
explicitly: it needs pyspark >= 4.0) for ``spark.read.format("zipflight")``.
"""
from .errors import ZipFlightError
from .flight import Connection, connect, descriptor, read_arrow, read_pandas

__version__ = "0.1.0"
__all__ = ["Connection", "ZipFlightError", "connect", "descriptor", "read_arrow", "read_pandas"]
