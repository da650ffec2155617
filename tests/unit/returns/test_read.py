"""Reading return files: cover and data cells as typed, located as the partner sees them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from lscb_metrics.intake.read import UnreadableFile
from lscb_metrics.returns import (
    CoverField,
    Locations,
    RawReturn,
    ReturnSpec,
    read_return,
)

from .conftest import ReturnTable, write_csv, write_xlsx


@pytest.fixture
def read(specs: dict[str, ReturnSpec], cover_fields: tuple[CoverField, ...]):
    """Read a file against the real declarations."""
    return lambda path: read_return(path, specs, cover_fields)


def test_xlsx_cover_and_data_are_read_with_their_cells(
    tmp_path: Path, read, referrals: ReturnTable
) -> None:
    raw: RawReturn = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.file_format == "xlsx"
    assert raw.cover["return_type"] == "referrals"
    assert raw.cover["period_start"] == datetime(2014, 7, 1)
    assert raw.locations.cover("return_type") == "Cover!B3"
    assert raw.locations.cover("period_end") == "Cover!B7"
    assert raw.data.columns[0] == "referrals"
    assert raw.data.index.tolist() == [2]
    assert raw.data.loc[2, "referrals"] == 100
    assert raw.locations.cell(2, "referrals_source_police") == "Data!C2"
    assert raw.locations.header("children_in_need") == "Data!J1"
    assert raw.locations.row(2) == "Data!2:2"
    assert (raw.repeats, raw.cover_conflicts) == ((), ())


def test_csv_cover_and_data_are_read_with_their_cells(
    tmp_path: Path, read, training: ReturnTable
) -> None:
    raw: RawReturn = read(write_csv(training, tmp_path / "t.csv"))
    assert raw.file_format == "csv"
    assert raw.cover == {
        "return_type": "training",
        "agency_code": "SUH",
        "la_code": "E06000033",
        "period_start": "2014-07-01",
        "period_end": "2014-09-30",
    }
    assert raw.locations.cover("agency_code") == 'line 2, column "Agency code"'
    assert list(raw.data.columns) == [
        "training_level",
        "staff_requiring_training",
        "staff_trained_in_date",
    ]
    assert raw.data.index.tolist() == [2, 3, 4, 5]
    assert raw.data.loc[3, "staff_requiring_training"] == "150"  # raw text, typed later
    assert raw.locations.cell(4, "training_level") == 'line 4, column "Training level"'
    assert raw.locations.row(4) == "line 4"


def test_headers_match_names_titles_and_aliases_loosely(
    tmp_path: Path, read, training: ReturnTable
) -> None:
    training.header = ["LEVEL", "staff_requiring_training", "Trained-in-date"]
    training.cover = {"Return": "training", "Partner code": "SUH", "la": "882", "FROM": "x"}
    raw = read(write_csv(training, tmp_path / "t.csv"))
    assert list(raw.data.columns) == [
        "training_level",
        "staff_requiring_training",
        "staff_trained_in_date",
    ]
    assert set(raw.cover) == {"return_type", "agency_code", "la_code", "period_start"}
    assert raw.locations.cell(2, "staff_trained_in_date") == 'line 2, column "Trained-in-date"'


def test_unmatched_headers_are_kept_as_written(
    tmp_path: Path, read, referrals: ReturnTable
) -> None:
    referrals.add_column("Notes ", ["checked"])
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.data.columns[-1] == "Notes"
    assert raw.locations.header("Notes") == "Data!K1"


def test_figures_without_a_header_get_a_name(tmp_path: Path, read, referrals: ReturnTable) -> None:
    referrals.add_column(None, [7])
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.data.columns[-1] == "(no header, column K)"
    assert raw.data.loc[2, "(no header, column K)"] == 7


def test_unknown_return_type_keeps_every_header(
    tmp_path: Path, read, referrals: ReturnTable
) -> None:
    referrals.cover["Return type"] = "pudding"
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.data.columns[0] == "Referrals received"


def test_blank_rows_are_skipped_but_keep_their_numbers(
    tmp_path: Path, read, training: ReturnTable
) -> None:
    training.rows.insert(1, [None, "  ", None])
    raw = read(write_xlsx(training, tmp_path / "t.xlsx"))
    assert raw.data.index.tolist() == [2, 4, 5, 6]
    raw = read(write_csv(training, tmp_path / "t.csv"))  # cover repeated, data blank
    assert raw.data.index.tolist() == [2, 4, 5, 6]


def test_cover_title_and_notes_rows_are_ignored(
    tmp_path: Path, read, referrals: ReturnTable
) -> None:
    referrals.extra_cover_rows = [("Completed by", "A. Person"), (None, "stray")]
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert set(raw.cover) == {"return_type", "agency_code", "la_code", "period_start", "period_end"}
    assert raw.repeats == ()


def test_repeated_labels_are_recorded(tmp_path: Path, read, referrals: ReturnTable) -> None:
    referrals.extra_cover_rows = [("agency code", "SUH")]
    referrals.add_column("Total referrals", [5])
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.cover["agency_code"] == "SBC-CSC"  # the first is the one read
    assert [(r.name, r.label, r.location) for r in raw.repeats] == [
        ("agency_code", "agency code", "Cover!A8"),
        ("referrals", "Total referrals", "Data!K1"),
    ]


def test_csv_cover_must_repeat_identically(tmp_path: Path, read, training: ReturnTable) -> None:
    training.row_cover = {2: {"Period end": "2014-09-29"}, 3: {"Period end": ""}}
    raw = read(write_csv(training, tmp_path / "t.csv"))
    [conflict] = raw.cover_conflicts
    assert (conflict.field, conflict.value, conflict.location) == (
        "period_end",
        "2014-09-29",
        'line 4, column "Period end"',
    )
    assert conflict.first_location == 'line 2, column "Period end"'


def test_csv_with_bom_and_windows_1252(tmp_path: Path, read, referrals: ReturnTable) -> None:
    referrals.add_column("Notes", ["café £5"])
    bom = write_csv(referrals, tmp_path / "bom.csv", encoding="utf-8-sig")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read(bom).cover["return_type"] == "referrals"
    windows = write_csv(referrals, tmp_path / "windows.csv", encoding="cp1252")
    assert read(windows).data.loc[2, "Notes"] == "café £5"


def test_csv_line_numbers_count_lines_inside_quotes(
    tmp_path: Path, read, training: ReturnTable
) -> None:
    training.add_column("Notes", ["two\nlines", "", "", ""])
    raw = read(write_csv(training, tmp_path / "t.csv"))
    assert raw.data.index.tolist() == [2, 4, 5, 6]


def test_xlsx_sheet_names_match_loosely(tmp_path: Path, read, referrals: ReturnTable) -> None:
    path = write_xlsx(referrals, tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Cover"].title = "COVER "
    workbook.save(path)
    assert read(path).cover["agency_code"] == "SBC-CSC"


def test_defaults_to_the_project_declarations(tmp_path: Path, referrals: ReturnTable) -> None:
    raw = read_return(write_csv(referrals, tmp_path / "r.csv"))
    assert raw.data.columns[0] == "referrals"


@pytest.mark.parametrize(
    ("file_format", "method", "args", "location"),
    [
        ("xlsx", "cell", (14, "referrals"), "Data!C14"),
        ("csv", "cell", (14, "referrals"), 'line 14, column "Referrals"'),
        ("xlsx", "row", (14,), "Data!14:14"),
        ("csv", "row", (14,), "line 14"),
        ("xlsx", "cover", ("agency_code",), "Cover"),
        ("csv", "cover", ("agency_code",), "line 1"),
    ],
)
def test_locations(file_format: str, method: str, args: tuple, location: str) -> None:
    reference = "C" if file_format == "xlsx" else "Referrals"
    locations = Locations(file_format, {"referrals": reference}, {})
    assert getattr(locations, method)(*args) == location


def _workbook(path: Path, sheets: list[str]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheets[0]
    for name in sheets[1:]:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "make", "phrase"),
    [
        ("r.xls", lambda p: p.write_bytes(b"old excel"), "a file of type '.xls' cannot be read"),
        ("r", lambda p: p.write_bytes(b"x"), "a file of type '(none)' cannot be read"),
        ("r.csv", lambda p: p.write_bytes(b""), "the file is empty"),
        ("r.csv", lambda p: p.write_bytes(b"\xef\xbb\xbf\r\n"), "the file is empty"),
        ("r.xlsx", lambda p: p.write_bytes(b"a,b\n1,2\n"), "not a readable Excel workbook"),
        ("r.xlsx", lambda p: _workbook(p, ["Data"]), "has no 'Cover' sheet"),
        ("r.xlsx", lambda p: _workbook(p, ["Cover", "Sheet2"]), "has no 'Data' sheet"),
        ("r.csv", lambda p: p.write_bytes(b"PK\x03\x04\x00\x00"), "not a CSV text file"),
        ("r.csv", lambda p: p.write_bytes(b"a,b\n\x81\x8d,2\n"), "neither UTF-8 nor Windows-1252"),
        ("r.csv", lambda p: p.write_bytes(b'a,"b\n1,2'), "line 1 cannot be read as CSV"),
        ("r.csv", lambda p: None, "could not be opened"),
    ],
)
def test_unreadable_files_say_why_and_name_the_file(
    tmp_path: Path, read, name: str, make, phrase: str
) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(UnreadableFile) as raised:
        read(path)
    assert str(raised.value).startswith(f"{name}: ")
    assert phrase in str(raised.value)


def test_cover_dates_may_be_text(tmp_path: Path, read, referrals: ReturnTable) -> None:
    referrals.cover["Period start"] = "01/07/2014"
    raw = read(write_xlsx(referrals, tmp_path / "r.xlsx"))
    assert raw.cover["period_start"] == "01/07/2014"
    assert raw.cover["period_end"] == datetime(2014, 9, 30)
    assert raw.cover["period_end"].date() == date(2014, 9, 30)
