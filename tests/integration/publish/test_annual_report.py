"""The data chapter written from the demo warehouse, opened as Word and as LibreOffice's PDF."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import docx
import duckdb
import pytest
from pypdf import PdfReader

from lscb_metrics.publish.annual_report import (
    SECTIONS,
    ReportFiles,
    office_program,
    pdf_of,
    report_sections,
    write_report,
)
from lscb_metrics.stats import round_half_away_from_zero

YEAR = "2013-14"


@pytest.fixture(scope="module")
def written(demo_warehouse: Path, demo_board: Any, tmp_path_factory: pytest.TempPathFactory):
    """The chapter for 2013-14 and how long writing it took."""
    started = time.perf_counter()
    files = write_report(demo_warehouse, demo_board, YEAR, tmp_path_factory.mktemp("report"))
    return files, time.perf_counter() - started


def squeezed(text: str) -> str:
    """`text` without whitespace, so a line break in the PDF does not matter."""
    return "".join(text.split())


def published(warehouse: Path, indicator_id: str, time_period: str, column: str) -> str:
    """A figure of Southend as published, read straight from the curated relations."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        [(value, decimals)] = connection.execute(
            f"SELECT c.{column}, v.decimals FROM curated.indicator_values v "
            "JOIN curated.comparisons c USING (indicator_id, area_code, breakdown, period_start, "
            "period_end, time_period, source_type) WHERE v.indicator_id = ? AND v.area_code = "
            "'E06000033' AND v.time_period = ? AND v.breakdown = 'Total'",
            [indicator_id, time_period],
        ).fetchall()
    finally:
        connection.close()
    return f"{round_half_away_from_zero(value, decimals):,.{decimals}f}"


def expected_referral_sentence(warehouse: Path) -> str:
    """The referral-rate sentence the chapter must carry, from the warehouse's own figures
    (the seed's "457.2 ... 529.5 ... (573)")."""
    before = published(warehouse, "referral_rate", "2012-13 Q4", "value")
    now = published(warehouse, "referral_rate", "2013-14 Q4", "value")
    england = published(warehouse, "referral_rate", "2013-14 Q4", "england_value")
    assert float(now) > float(before) and float(now) < float(england)
    return (
        f"per 10,000 children aged 0-17 rose from {before} [referral_rate E06000033 2012-13 Q4] "
        f"to {now} [referral_rate E06000033 2013-14 Q4], below England's {england}"
    )


def test_word_document_has_real_headings_in_report_order_and_real_tables(
    written: tuple[ReportFiles, float], demo_warehouse: Path
) -> None:
    files, _ = written
    document = docx.Document(str(files.docx))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[: len(SECTIONS)] == [section.title for section in SECTIONS]
    assert headings[-1] == "Symbols"
    assert next(p.style.name for p in document.paragraphs) == "Title"
    body = "\n".join(p.text for p in document.paragraphs)
    with_figures = [h for h in headings if f"No figures for {h.lower()} in {YEAR}." not in body]
    # One real table per section with figures; a chart per picture file, nothing floating.
    assert len(document.tables) == len(with_figures) - 1  # less "Symbols"
    assert len(document.inline_shapes) == len(files.charts) > 0
    assert "txbxContent" not in document.element.xml
    assert all(table.rows[0].cells[0].text == "Indicator" for table in document.tables)


def test_sections_without_figures_say_so_in_one_line(
    written: tuple[ReportFiles, float], demo_warehouse: Path
) -> None:
    files, _ = written
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        rows = connection.sql("SELECT theme FROM curated.indicator_catalogue").fetchall()
    finally:
        connection.close()
    themes = {theme for (theme,) in rows}
    markdown = files.markdown.read_text(encoding="utf-8")
    for section in report_sections(sorted(themes)):
        line = f"No figures for {section.title.lower()} in {YEAR}."
        assert (line in markdown) == themes.isdisjoint(section.themes), section.title


def test_markdown_carries_the_same_sentences(
    written: tuple[ReportFiles, float], demo_warehouse: Path
) -> None:
    files, _ = written
    markdown = files.markdown.read_text(encoding="utf-8")
    assert expected_referral_sentence(demo_warehouse) in markdown
    for chart in files.charts:
        assert f"(charts/{chart.name})" in markdown


def test_pdf_from_libreoffice_reads_like_the_seed(
    written: tuple[ReportFiles, float], demo_warehouse: Path
) -> None:
    files, seconds = written
    soffice = office_program()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    started = time.perf_counter()
    pdf = pdf_of(files.docx, soffice)
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert seconds + time.perf_counter() - started < 25
    text = squeezed(" ".join(pages))
    assert len(pages) > 1
    assert squeezed(expected_referral_sentence(demo_warehouse)) in text
    # Child protection plans at 31 March 2014: 163 (the seed), with its reference.
    plans = published(demo_warehouse, "cp_plans", "2013-14 Q4", "value")
    assert plans == "163"
    assert squeezed(f"to {plans} [cp_plans E06000033 2013-14 Q4]") in text
    # Five infant deaths is a count of children from 1 to 5: withheld, and said to be.
    assert published(demo_warehouse, "infant_deaths", "2013-14 Q4", "value") == "5"
    assert (
        squeezed(
            "Deaths of children under 1 year: the figure is withheld to protect confidentiality "
            "[infant_deaths E06000033 2013-14 Q4]."
        )
        in text
    )
    for section in SECTIONS:
        assert squeezed(section.title) in text
