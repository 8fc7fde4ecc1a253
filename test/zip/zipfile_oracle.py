"""Python's zipfile as the oracle for the zip fuzz target's archives: what it lists and reads of
each, for the parity test (test/python/load/test_fuzz_zip_parity.py) and the salvage measurement
(test/zip/salvage_counts.py). Both compare against test/fuzz/write-zip-verdicts.ts, which streams
at most MAX_MEMBERS members per archive and stops a member past MEMBER_LIMIT inflated bytes.
"""
import hashlib
import zipfile

# The fuzz limit of inflated bytes per member: larger members are bombs our reader stops by design.
MEMBER_LIMIT = 4 << 20
MAX_MEMBERS = 16  # as write-zip-verdicts.ts
SKIP = "skip"


def zipfile_reads(path, skip_declared_large=False):
    """(names, [SHA-1 | SKIP | None per member]) as zipfile reads `path`; None when it cannot open it.

    SKIP: over MEMBER_LIMIT (read, or declared when `skip_declared_large`); None: zipfile refuses
    the member (CRC-32, size, method or header errors).
    """
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except Exception:
        return None
    out = []
    for info in infos[:MAX_MEMBERS]:
        if skip_declared_large and info.file_size > MEMBER_LIMIT:
            out.append(SKIP)
            continue
        try:
            # Read at most one byte past the limit: a member lying about its size (a bomb) is
            # cut off here instead of inflating to the end; reaching EOF checks the CRC-32.
            with zf.open(info) as f:
                data = f.read(MEMBER_LIMIT + 1)
            out.append(SKIP if len(data) > MEMBER_LIMIT else hashlib.sha1(data).hexdigest())
        except Exception:
            out.append(None)
    return [i.filename for i in infos], out
