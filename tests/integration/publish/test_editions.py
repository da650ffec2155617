"""The two editions the demo run wrote for each board (issue 11): the public one never shows a
count of children from 1 to 5 in any file, publishes staff figures, and every file of the
internal one carries its protective marking where its reader sees it."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from lscb_metrics.editions import INTERNAL, PUBLIC
from lscb_metrics.periods import Quarter
from lscb_metrics.publish.annual_report import write_report
from lscb_metrics.publish.charts import png_of_svg
from lscb_metrics.publish.exports import MARKING_COLUMN, OPEN_DATA
from lscb_metrics.publish.figures import catalogue_frame, read_only
from tests.small_counts import (
    PERIOD,
    chapter_counts,
    childrens_counts,
    docx_parts,
    markdown_parts,
    numbers_in,
    open_data_counts,
    small,
)

SVG = "{http://www.w3.org/2000/svg}"
BOARDS = ("southend", "thurrock")
MARKING = str(INTERNAL.marking)
#: The demo's report years: the financial year, and the seed's October 2013 to September 2014.
YEAR_2013_14, SEPTEMBER_2014 = "2013-14", Quarter(2014, 2)


@pytest.fixture(scope="module")
def curated(demo_run: dict[str, Any]) -> Path:
    return Path(demo_run["warehouse"]).parent / "curated"


@pytest.fixture(scope="module")
def catalogue(demo_warehouse: Path, demo_board: Any) -> pd.DataFrame:
    with read_only(demo_warehouse) as connection:
        return catalogue_frame(connection, demo_board.local_targets_on("E06000033", date.max))


@pytest.fixture(scope="module")
def counts(catalogue: pd.DataFrame) -> set[str]:
    """Ids of the indicators that are counts of children."""
    return childrens_counts(catalogue)


def files(curated: Path, edition: str) -> Iterator[Path]:
    for board in BOARDS:
        folder = curated / board / edition
        assert folder.is_dir(), folder
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def test_the_editions_are_apart_and_the_public_one_unmarked(curated: Path) -> None:
    for board in BOARDS:
        assert sorted(p.name for p in (curated / board).iterdir()) == [
            "EDITION.md",
            INTERNAL.name,
            PUBLIC.name,
            "templates",
        ]
    for path in files(curated, PUBLIC.name):
        if path.suffix != ".png":
            assert MARKING not in path.read_bytes().decode("utf-8", "replace"), path


def test_no_count_of_children_from_1_to_5_reaches_any_public_file(
    curated: Path, catalogue: pd.DataFrame, counts: set[str]
) -> None:
    titles = {title: ident for ident, title in catalogue["title"].items()}
    checked: dict[str, int] = {}
    for path in files(curated, PUBLIC.name):
        cells = list(childrens_cells(path, catalogue, counts, titles))
        checked[path.suffix] = checked.get(path.suffix, 0) + len(cells)
        assert not [cell for cell in cells if small(cell)], path
    assert all(checked[suffix] for suffix in (".csv", ".xlsx", ".html", ".svg")), checked


def childrens_cells(
    path: Path, catalogue: pd.DataFrame, counts: set[str], titles: dict[str, str]
) -> Iterator[object]:
    """Every cell of `path` holding a count of children (the count indicators' values, and
    every numerator and count denominator of an indicator about children)."""
    if path.name == OPEN_DATA:
        yield from open_data_counts(csv.DictReader(path.open(encoding="utf-8")), catalogue)
    elif path.suffix == ".xlsx":
        for sheet in openpyxl.load_workbook(path, read_only=True).worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            header = next((r for r in rows if r and r[0] == "Indicator"), None)
            if header is None:
                continue
            shown = [n for n, h in enumerate(header) if str(h).startswith(("Value", "Same"))]
            for row in rows[rows.index(header) + 1 :]:
                if titles.get(str(row[0])) in counts:
                    yield from (row[n] for n in shown)
    elif path.suffix == ".html":
        page = ET.parse(path).getroot()
        for body in page.iter("tbody"):
            if body.get("data-indicator") in counts:
                for row in body.iter("tr"):
                    first = row.find("td")
                    if first is not None:
                        yield "".join(first.itertext()).strip()
    elif path.suffix == ".svg" and path.stem.rsplit("_", 1)[0] in counts:
        root = ET.parse(path).getroot()
        desc = "".join(root.find(f"{SVG}desc").itertext())
        # Every figure after a period label, and every figure a direct label quotes.
        yield from numbers_in(PERIOD.sub("", desc.split(". ", 1)[1]))
        for text in root.iter(f"{SVG}text"):
            line = " ".join("".join(text.itertext()).split())
            if ": " in line:
                yield from numbers_in(line.rpartition(": ")[2])


@pytest.mark.parametrize("year", [YEAR_2013_14, SEPTEMBER_2014], ids=str)
def test_no_count_of_children_from_1_to_5_reaches_the_public_data_chapter(
    demo_warehouse: Path, demo_board: Any, counts: set[str], tmp_path: Path, year: Any
) -> None:
    # The demo years hold small counts (five deaths under one in 2013-14, one neonatal death in
    # the year to September 2014): the Word file and the Markdown must quote neither.
    written = write_report(demo_warehouse, demo_board, year, tmp_path)
    for parts in (docx_parts(written.docx), markdown_parts(written.markdown.read_text("utf-8"))):
        quoted = list(chapter_counts(*parts, counts))
        assert quoted, "expected counts of children in the chapter"
        assert not [number for number in quoted if small(number)], written.docx


def test_staff_figures_are_published_not_withheld(curated: Path) -> None:
    # IYSS at 2014-15 Q2: 196 of its 198 staff trained and in date, 196 / 198 = 99.0%; the
    # complement, 2 staff, withheld all three under the children's rule.
    frame = pd.read_csv(curated / "southend" / PUBLIC.name / OPEN_DATA, dtype=str)
    iyss = frame[
        frame["indicator_id"].eq("training_pct")
        & frame["breakdown"].eq("SBC-IYSS")
        & frame["time_identifier"].eq("Financial year Q2")
        & frame["time_period"].eq("201415")
    ]
    assert iyss[["numerator", "denominator", "value"]].values.tolist() == [["196", "198", "99.0"]]


def test_the_internal_edition_has_the_exact_figures(curated: Path) -> None:
    # The report's 5 deaths under one, 0.4 neonatal deaths per 1,000 live births and 3 reviews
    # with modifiable factors in 2013-14: withheld in public, exact for the board.
    rows = {}
    for edition in (PUBLIC, INTERNAL):
        frame = pd.read_csv(curated / "southend" / edition.name / OPEN_DATA, dtype=str)
        year = frame[
            frame["time_period"].eq("201314") & frame["time_identifier"].eq("Financial year Q4")
        ]
        rows[edition.name] = year.set_index("indicator_id")
    ids = ["infant_deaths", "neonatal_death_rate", "modifiable_factors_pct"]
    assert rows[INTERNAL.name].at["infant_deaths", "value"] == "5"
    assert rows[INTERNAL.name].at["neonatal_death_rate", "value"] == "0.4"
    assert rows[INTERNAL.name].at["modifiable_factors_pct", "numerator"] == "3"
    assert rows[PUBLIC.name].loc[ids, "value"].tolist() == ["c", "c", "c"]


def test_the_internal_scorecard_keeps_the_trends_the_public_one_withholds(curated: Path) -> None:
    # Southend's neonatal death rate (1 death in the year to September 2014) has a trend the
    # public edition withholds with the rate itself (c); the board sees it.
    trends = {}
    for edition in (PUBLIC, INTERNAL):
        page = ET.parse(curated / "southend" / edition.name / "scorecard.html").getroot()
        body = page.find(".//tbody[@data-indicator='neonatal_death_rate']")
        trends[edition.name] = " ".join("".join(body.findall(".//td")[-1].itertext()).split())
    assert trends == {PUBLIC.name: "c", INTERNAL.name: "→ No significant change"}


def test_every_internal_file_carries_the_marking(curated: Path) -> None:
    seen = set()
    for path in files(curated, INTERNAL.name):
        seen.add(path.suffix)
        if path.suffix == ".csv":
            rows = list(csv.reader(path.open(encoding="utf-8")))
            assert rows[0][0] == MARKING_COLUMN, path
            assert all(row[0] == MARKING for row in rows[1:]), path
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                assert sheet["A1"].value == MARKING, (path, sheet.title)
                assert sheet.oddHeader.center.text == MARKING, (path, sheet.title)
        elif path.suffix == ".html":
            page = ET.parse(path).getroot()
            banners = [e for e in page.iter() if "marking" in e.get("class", "").split()]
            assert len(banners) == 2 and all(b.text == MARKING for b in banners), path
            assert page.find("head/title").text.startswith(MARKING)
        elif path.suffix == ".svg":
            root = ET.parse(path).getroot()
            marks = [t for t in root.iter(f"{SVG}text") if t.get("data-marking")]
            assert [t.text for t in marks] == [MARKING], path
        elif path.suffix == ".png":
            # The PNG is the marked SVG drawn, so the marking is in its pixels: redrawn for one
            # board's charts (rendering every one takes seconds), the same code draws both.
            svg = path.with_suffix(".svg").read_text(encoding="utf-8")
            assert MARKING in svg, path
            if path.is_relative_to(curated / BOARDS[0]):
                assert path.read_bytes() == png_of_svg(svg), path
        else:
            assert path.read_text(encoding="utf-8").startswith(f"**{MARKING}**"), path
    assert seen == {".csv", ".xlsx", ".html", ".svg", ".png", ".md"}
