"""XLSX (and DOCX) bytes that depend only on a document's contents, so regenerated files are
identical.

openpyxl stamps the zip entries and the document properties with the time of saving; fixing
both makes the same workbook give the same bytes (and the same SHA-256) every time.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook

DEFAULT_TIME = datetime(2014, 1, 1)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_ooxml(content: bytes, stamp: datetime = DEFAULT_TIME) -> bytes:
    """Office Open XML `content` (XLSX, DOCX) with every zip entry and the created/modified
    properties set to `stamp`."""
    core_time = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _CORE_TIMES.sub(rb"\g<1>" + core_time + rb"\g<2>", payload)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, payload)
    return out.getvalue()


def workbook_bytes(workbook: Workbook, stamp: datetime = DEFAULT_TIME) -> bytes:
    """The workbook saved as reproducible XLSX bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_ooxml(buffer.getvalue(), stamp)
