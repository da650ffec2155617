"""write_workbook on the demo warehouse: GSS spreadsheet layout, figures and disclosure."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from lscb_metrics.publish import write_workbook
from lscb_metrics.publish.figures import BoardArea
from lscb_metrics.publish.workbook import OGL_ATTRIBUTION, cover_lines

HEADER_ROW = 3
SOUTHEND_NAME = "Southend Local Safeguarding Children Board"
SYMBOLS = {"[c]", "[x]", "[z]", "[low]"}
TABLE_SHEETS = [
    "Context",
    "Early_help",
    "Child_protection",
    "Looked_after_children",
    "Assessments",
    "Training",
    "Child_deaths",
    "Road_safety",
    "Finance",
    "Board_attendance",
]
# Headers of the columns that hold numbers (the region's column is named after the region).
NUMBER_HEADERS = (
    "Value",
    "Lower 95%",
    "Upper 95%",
    "Same period a year earlier",
    "England",
    "East of England",
    "Statistical neighbours average",
    "Rank among",
    "Local authorities ranked",
)
COUNT_HEADERS = ("Value", "Same period a year earlier")


@pytest.fixture(
    scope="module", params=[date(2014, 3, 31), date(2014, 9, 30)], ids=["2013-14Q4", "2014-15Q2"]
)
def written(
    request: pytest.FixtureRequest,
    demo_warehouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
    demo_board: Any,
) -> Path:
    """The workbook at the end of 2013-14 (published and partner figures) and of 2014-15 Q2."""
    out = tmp_path_factory.mktemp("workbook") / "lscb_report_figures.xlsx"
    return write_workbook(demo_warehouse, out, request.param, demo_board)


@pytest.fixture(scope="module")
def workbook(written: Path) -> Workbook:
    return openpyxl.load_workbook(written)


def table_rows(sheet) -> tuple[list[str], list[tuple]]:
    """Header and data rows of the table starting at row 3."""
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return list(rows[0]), rows[1:]


def test_sheets_are_cover_contents_notes_then_one_table_each(workbook: Workbook) -> None:
    assert workbook.sheetnames == ["Cover", "Contents", "Notes", *TABLE_SHEETS]
    names = [name for sheet in workbook for name in sheet.tables]
    assert len(names) == len(set(names)) == len(workbook.sheetnames) - 1
    for sheet in workbook.worksheets[1:]:
        (table,) = sheet.tables.values()
        assert table.ref.startswith(f"A{HEADER_ROW}:")
        assert table.ref.endswith(str(sheet.max_row))
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"


def test_every_sheet_starts_with_a_title_and_has_no_merged_cells(workbook: Workbook) -> None:
    for sheet in workbook:
        assert isinstance(sheet["A1"].value, str) and sheet["A1"].value.strip()
        assert sheet["A1"].font.bold
        assert not sheet.merged_cells.ranges
    for sheet in workbook.worksheets[1:]:
        assert sheet["A2"].value.startswith("This worksheet contains one table")


def test_tables_have_no_blank_cells_but_empty_notes_and_set_column_widths(
    workbook: Workbook,
) -> None:
    notes_seen = 0
    for sheet in workbook.worksheets[1:]:
        header, rows = table_rows(sheet)
        assert all(isinstance(h, str) and h for h in header)
        filled = [n for n, h in enumerate(header) if h != "Notes"]
        assert rows and all(row[n] is not None and row[n] != "" for row in rows for n in filled)
        if "Notes" in header:
            # GSS: the notes column is left empty where a row has no note, never "None".
            notes = [row[header.index("Notes")] for row in rows]
            assert all(note is None or note.startswith("[note ") for note in notes), notes
            notes_seen += sum(note is None for note in notes)
        for column in range(1, len(header) + 1):
            letter = openpyxl.utils.get_column_letter(column)
            assert sheet.column_dimensions[letter].width
    assert notes_seen


def test_numbers_are_numeric_cells_and_symbols_stand_alone(workbook: Workbook) -> None:
    for name in TABLE_SHEETS:
        header, rows = table_rows(workbook[name])
        number_columns = [n for n, h in enumerate(header) if h.startswith(NUMBER_HEADERS)]
        assert len(number_columns) == len(NUMBER_HEADERS)
        for row in rows:
            for n in number_columns:
                assert isinstance(row[n], int | float) or row[n] in SYMBOLS, (name, header[n])


def test_no_count_is_1_to_5(workbook: Workbook) -> None:
    counts_seen = 0
    for name in TABLE_SHEETS:
        header, rows = table_rows(workbook[name])
        unit = next(n for n, h in enumerate(header) if h.startswith("Unit"))
        columns = [n for n, h in enumerate(header) if h.startswith(COUNT_HEADERS)]
        for row in rows:
            if row[unit] == "count":
                counts_seen += 1
                assert not any(row[n] in range(1, 6) for n in columns), (name, row)
    assert counts_seen


def test_contents_links_every_other_sheet(workbook: Workbook) -> None:
    header, rows = table_rows(workbook["Contents"])
    assert header == ["Sheet name", "Table title"]
    assert [row[0] for row in rows] == ["Cover", "Notes", *TABLE_SHEETS]
    for offset, (sheet, title) in enumerate(rows):
        cell = workbook["Contents"].cell(row=HEADER_ROW + 1 + offset, column=1)
        assert cell.hyperlink.location == f"'{sheet}'!A1"
        if sheet != "Cover":
            assert title == workbook[sheet]["A1"].value


def test_notes_explain_every_reference_and_symbol(workbook: Workbook) -> None:
    _, notes = table_rows(workbook["Notes"])
    numbers = {number for number, _ in notes}
    assert [number for number, _ in notes] == [f"note {n}" for n in range(1, len(notes) + 1)]
    texts = " ".join(text for _, text in notes)
    for phrase in ("halves away from zero", "mid-year", "Wilson", "Byar"):
        assert phrase in texts
    cells = [c for name in TABLE_SHEETS for row in workbook[name].iter_rows() for c in row]
    used = " ".join(str(cell.value) for cell in cells if isinstance(cell.value, str))
    for reference in set(re.findall(r"\[(note \d+)\]", used)):
        assert reference in numbers
    for symbol in SYMBOLS & set(re.findall(r"\[[a-z]+\]", used)):
        assert any(text.startswith(symbol) for _, text in notes), symbol


def test_cover_has_the_licence_and_a_contact(workbook: Workbook) -> None:
    lines = [row[0] for row in workbook["Cover"].iter_rows(values_only=True)]
    assert OGL_ATTRIBUTION in lines
    assert any(line == "Contact" for line in lines)
    assert any("DfE Characteristics of children in need" in line for line in lines)
    # The demo board as its profile names it.
    assert lines[0].endswith("figures for the Southend LSCB annual report")
    assert any(line.startswith(f"The figures the {SOUTHEND_NAME} publishes") for line in lines)
    assert "[Name, email address and telephone number of the Southend LSCB business unit]" in lines


def test_cover_names_each_publication_its_figures_come_from_once(workbook: Workbook) -> None:
    lines = [row[0] for row in workbook["Cover"].iter_rows(values_only=True)]
    sources = lines[lines.index("Source") + 1].rstrip(".").split("; ")
    assert len(sources) == len(set(sources))
    assert sources[0].startswith("Quarterly data returns of the board's partner agencies")
    # Attendance and the survey are the business manager's records, not partners' returns.
    assert sources[1] == "The board's records: finance, attendance, training and surveys"
    # By publication, not by table or file: the ONS estimates once, no SFR or file name.
    assert "DfE Characteristics of children in need" in sources
    assert sources.count("ONS mid-year population estimates") == 1
    assert not any(re.search(r"SFR|table [A-Z]\d|\.(csv|xlsx)\b", source) for source in sources)
    # Looked-after children are published figures only, shown at 31 March 2014 in both
    # editions (at 2014-15 Q2 as the latest published): their publication is named.
    assert "DfE Children looked after in England" in sources


def test_another_boards_cover_names_that_board_and_no_other(demo_board: Any) -> None:
    name = "Cornwall and the Isles of Scilly Safeguarding Children Partnership"
    board = replace(demo_board, name=name, areas=("E06000052",), publication={})
    area = BoardArea("E06000052", "Cornwall", "E12000009", "South West")
    texts = [text for _, text in cover_lines(board, area, date(2014, 9, 30), [])]
    assert texts[0] == f"Safeguarding children in Cornwall: figures for the {name} annual report"
    assert f"The figures the {name} publishes" in " ".join(texts)
    assert f"telephone number of the {name} business unit]" in " ".join(texts)
    for text in texts:
        assert not re.search(r"Southend|E06000033|\b882\b|LSCB|Local Safeguarding", text), text


def test_hospital_admissions_sit_with_road_safety_and_injuries(workbook: Workbook) -> None:
    # Once a placeholder: now the hospital's own return and Fingertips' published rate.
    _, rows = table_rows(workbook["Road_safety"])
    titles = {row[0] for row in rows}
    assert (
        "Children and young people admitted to hospital for unintentional or deliberate "
        "injuries" in titles
    )
    # Fingertips' 2013-14 rate: at 2014-15 Q2 as the latest published.
    assert any(title.startswith("Hospital admissions caused by unintentional") for title in titles)


def test_board_figures_beside_comparators(workbook: Workbook) -> None:
    header, rows = table_rows(workbook["Child_protection"])
    rate = [
        dict(zip(header, row, strict=True))
        for row in rows
        if row[0] == "Children on a child protection plan per 10,000 children aged 0-17"
    ]
    assert rate and all(isinstance(row["England"], float) for row in rate)
    published = [row for row in rate if row["Source"] == "Published statistics"]
    if workbook["Child_protection"]["A1"].value.endswith("2013-14 Q4"):
        value = next(v for h, v in published[0].items() if h.startswith("Value"))
        assert value == 43.1  # Southend, 31 March 2014, as DfE published it
    else:
        assert not published and rate[0]["Period"] == "2014-15 Q2"


def test_the_boards_own_records_are_not_called_partner_returns(workbook: Workbook) -> None:
    # Finance and attendance come from data/raw/local (the business manager's records).
    for sheet in ("Board_attendance", "Child_protection"):
        header, rows = table_rows(workbook[sheet])
        sources = {row[header.index("Source")] for row in rows}
        expected = "The board's records" if sheet == "Board_attendance" else "Partner returns"
        assert expected in sources and sources <= {expected, "Published statistics"}


def test_training_table_is_by_agency(workbook: Workbook) -> None:
    header, rows = table_rows(workbook["Training"])
    assert "Agency" in header
    trained = [row for row in rows if row[0].startswith("Staff needing safeguarding children")]
    assert len({row[header.index("Agency")] for row in trained}) == len(trained) >= 10


def test_converts_to_pdf_headlessly(written: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "profile").as_uri()  # a private profile: no clash with another soffice
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(written)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / f"{written.stem}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def reference_value(path: Path, column: str, **where: str) -> str:
    """`column` of the row of a shipped reference CSV whose columns have the values `where`."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = ({k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle))
        [value] = [row[column] for row in rows if all(row[k] == v for k, v in where.items())]
    return value


def ons_residents(reference: Path, area_code: str, mid_year: int) -> int:
    """Residents of all ages of `area_code` at mid-`mid_year`, from ONS's shipped MYE4 table."""
    book = openpyxl.load_workbook(reference / "ons" / "mye23tablesew.xlsx", read_only=True)
    try:
        rows = book["MYE4"].iter_rows(values_only=True)
        header = next(row for row in rows if row[0] == "Code")
        row = next(row for row in rows if row[0] == area_code)
    finally:
        book.close()
    return int(row[header.index(f"Mid-{mid_year}")])


def sheet_rows(workbook: Workbook, sheet: str) -> dict[str, dict[str, Any]]:
    """Each row of a theme's table by indicator title, as {header: cell}, headers without notes."""
    header, rows = table_rows(workbook[sheet])
    names = [re.sub(r" \[note \d+\]", "", h) for h in header]
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


def test_published_themes_show_the_latest_published_figures_named_by_their_year(
    workbook: Workbook, project_root: Path, board_area_code: str
) -> None:
    # At 2014-15 Q2 the Context and Looked-after sheets held one row of [x] ("no figures"),
    # although DfE had published 31 March 2014 and ONS mid-2014, and the other sheets compared
    # the quarter with 2013-14. DfE's 31 March 2015 figures are after the quarter: never shown.
    reference = project_root / "data" / "raw" / "reference"
    at_q2 = workbook["Context"]["A1"].value.endswith("2014-15 Q2")
    looked_after = sheet_rows(workbook, "Looked_after_children")[
        "Children looked after at 31 March"
    ]
    assert (looked_after["Period"], looked_after["Period covered"]) == (
        "2013-14",
        "At 31 March 2014",
    )
    cla, code = reference / "dfe_cla", {"New_geog_code": board_area_code}
    counts = [
        int(reference_value(cla / f"SFR36_CLA{year}.csv", f"CLA_Mar{year}", **code))
        for year in (2014, 2013)
    ]
    assert [looked_after["Value"], looked_after["Same period a year earlier"]] == counts
    # DfE's rate per 10,000 children on ONS's mid-2013 estimate of those aged 0 to 17.
    children = reference_value(
        reference / "ons" / "ons_mid-year_population_estimates_2012_to_2024.csv",
        "population_estimate",
        time_period="2013",
        new_la_code=board_area_code,
    )
    rate = sheet_rows(workbook, "Looked_after_children")[
        "Children looked after at 31 March per 10,000 children aged 0-17"
    ]
    assert (rate["Period"], rate["Value"]) == ("2013-14", round(counts[0] / int(children) * 1e4))
    assert isinstance(rate["England"], int | float) and rate["Comparators for the year ending"] == (
        "31 March 2014"
    )
    mid_year = 2014 if at_q2 else 2013  # ONS's estimate at 30 June before the quarter's end
    residents = sheet_rows(workbook, "Context")["Residents of all ages (ONS mid-year estimate)"]
    assert (residents["Period"], residents["Period covered"]) == (
        f"mid-{mid_year}",
        f"At 30 June {mid_year}",
    )
    assert residents["Value"] == ons_residents(reference, board_area_code, mid_year)
    assert residents["Same period a year earlier"] == ons_residents(
        reference, board_area_code, mid_year - 1
    )
    # Each figure dated before the quarter says it is the latest published, not the quarter's.
    texts = dict(table_rows(workbook["Notes"])[1])
    for row in (looked_after, rate, residents) if at_q2 else (residents,):
        [note] = re.findall(r"note \d+", row["Notes"])
        assert "latest published" in texts[note]
    if not at_q2:  # 31 March 2014 is the fourth quarter's own
        assert looked_after["Notes"] is None
