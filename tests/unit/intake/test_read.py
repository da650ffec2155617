"""Reading partner files: bytes within a size limit, text in the encodings Excel saves, grids."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from lscb_metrics.intake import read


def _too_large(size: int) -> str:
    return f"{size} bytes is too many."


def test_unreadable_file_names_the_file_and_the_problem() -> None:
    error = read.UnreadableFile("r.csv", "the file is empty.")
    assert (str(error), error.file_name, error.problem) == (
        "r.csv: the file is empty.",
        "r.csv",
        "the file is empty.",
    )


def test_file_bytes_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"a,b\n")
    assert read.file_bytes(path, read.MB, _too_large) == b"a,b\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"x" * 11, "11 bytes is too many."),
        (b"\xef\xbb\xbf \r\n", "the file is empty."),
    ],
)
def test_file_bytes_refuses_too_large_and_empty_files(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(read.UnreadableFile) as raised:
        read.file_bytes(path, 10, _too_large)
    assert raised.value.problem == problem


def test_file_bytes_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(read.UnreadableFile, match="could not be opened"):
        read.file_bytes(tmp_path / "none.csv", read.MB, _too_large)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"PK\x03\x04rest", "an Excel workbook (.xlsx) or another zip file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "an Excel 97-2003 workbook"),
        (b"%PDF-1.4", "a PDF document"),
        (b"\xff\xfea\x00", "UTF-16"),
        (b"a\x00b", "a binary file"),
    ],
)
def test_file_kind(content: bytes, kind: str) -> None:
    assert kind in (read.file_kind(content) or "")


def test_plain_text_has_no_kind_and_signatures_are_told_apart() -> None:
    assert read.file_kind(b"a,b\n1,2\n") is None
    assert read.is_zip(b"PK\x03\x04") and not read.is_ole(b"PK\x03\x04")
    assert read.is_ole(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and not read.is_zip(b"a,b")


def test_decoded_text_tries_utf8_then_windows_1252() -> None:
    assert read.decoded_text("\ufeffRenée".encode()) == ("Renée", "utf-8-sig")
    assert read.decoded_text("Renée".encode("cp1252")) == ("Renée", "cp1252")
    assert read.decoded_text(b"\x81\xff\xfe") is None  # 0x81 is undefined in Windows-1252


def test_cells_and_grids() -> None:
    assert [read.filled(v) for v in (None, "", "  ", 0, "x", False)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert (read.cell_at(["a", "b"], 1), read.cell_at(["a"], 3)) == ("b", None)
    assert read.nonblank_rows([(1, ["a"]), (2, [None, " "]), (3, [0])]) == [(1, ["a"]), (3, [0])]


def test_listed_counts_what_it_leaves_out() -> None:
    items = [f"A{n}" for n in range(read.MAX_LISTED + 2)]
    assert read.listed(items[:2]) == "A0, A1"
    assert read.listed(items) == "A0, A1, A2, A3, A4 and 2 more"


def test_cell_text_writes_cells_as_a_csv_would() -> None:
    assert read.cell_text(datetime(2014, 7, 1, 9, 30)) == "2014-07-01"
    assert read.cell_text(date(2014, 7, 1)) == "2014-07-01"
    assert (
        read.cell_text(3.0),
        read.cell_text(3.5),
        read.cell_text(" x "),
        read.cell_text("  "),
    ) == (
        "3",
        "3.5",
        "x",
        None,
    )


def test_workbook_grids(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["Child ID", "Age"])
    sheet.append([None, None])
    sheet.append(["SOU-1", 7])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    assert read.sheet_grid(sheet) == [(1, ["Child ID", "Age"]), (3, ["SOU-1", 7])]
    assert read.workbook_sheet_names(path) == ["Data"]
    rows = read.workbook_rows(path, "Data")
    assert rows[0] == ["Child ID", "Age"] and [read.cell_text(c) for c in rows[2]] == ["SOU-1", "7"]
