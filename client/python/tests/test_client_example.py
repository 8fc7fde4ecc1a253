"""client/python/examples/notebook_example.py runs, as a script, against the built-in sample
server (`zipflight serve --sample`, what `npm start` serves); the DICOM file count it prints is
checked against Python's zipfile over the sample root. The Spark cells (--spark) are left to
test_client_spark.py, which covers the same reads.
"""
import os
import re
import subprocess
import sys
import zipfile

from conftest import PACKAGE_SRC, REPO, start_server, stop_server

EXAMPLE = PACKAGE_SRC.parent / "examples" / "notebook_example.py"
SAMPLE_ROOT = REPO / ".sample"  # where `serve --sample` writes the sample archives
EXAMPLE_SECONDS = 120


def dicom_files(root) -> int:
    """.dcm members of every archive plus loose .dcm files, by Python's zipfile."""
    count = 0
    for path in root.rglob("*"):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                count += sum(1 for name in zf.namelist() if name.endswith(".dcm"))
        elif path.suffix == ".dcm":
            count += 1
    return count


def test_notebook_example_runs_against_the_sample_server():
    proc, uri, output = start_server(None, ["--sample"])
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PACKAGE_SRC), os.environ.get("PYTHONPATH")) if p)}
        run = subprocess.run([sys.executable, str(EXAMPLE), uri], capture_output=True, text=True, timeout=EXAMPLE_SECONDS, env=env)
    finally:
        stop_server(proc)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sources: ['fake', 'zipcsv', 'zipdcm']" in run.stdout
    printed = re.search(r"^(\d+) DICOM files$", run.stdout, re.MULTILINE)
    assert printed and int(printed.group(1)) == dicom_files(SAMPLE_ROOT / "dicom")
    assert "INVALID_ARGUMENT - option 'numRows'" in run.stdout
