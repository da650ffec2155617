"""The data chapter written from the demo warehouse, opened as Word and as LibreOffice's PDF."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import docx
import duckdb
import pytest
from pypdf import PdfReader

from lscb_metrics.cli import main
from lscb_metrics.editions import INTERNAL, PUBLIC
from lscb_metrics.periods import Quarter
from lscb_metrics.publish.annual_report import (
    SECTIONS,
    ReportError,
    ReportFiles,
    edition_note,
    office_program,
    pdf_of,
    read_report_data,
    report_sections,
    section_sentences,
    write_report,
    year_rows,
)
from lscb_metrics.stats import round_half_away_from_zero

YEAR = "2013-14"
#: How the board's own mid-2012 population figures are labelled.
MID_2012 = "2012-13 Q1"


@pytest.fixture(scope="module")
def files(demo_warehouse: Path, demo_board: Any, tmp_path_factory: pytest.TempPathFactory):
    """The chapter for 2013-14."""
    return write_report(demo_warehouse, demo_board, YEAR, tmp_path_factory.mktemp("report"))


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
    files: ReportFiles, demo_warehouse: Path
) -> None:
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


#: Themes of which the warehouse has a figure of Southend for 2013-14: a row ending on 31 March
#: 2014 (the year's fourth quarter, a published year, a board record), or, for a snapshot none of
#: whose periods ends on a 31 March (ONS estimates at 30 June), one from April 2012 to March 2014.
THEMES_WITH_FIGURES = """
SELECT DISTINCT i.theme
FROM curated.indicator_values AS v JOIN curated.indicator_catalogue AS i USING (indicator_id)
WHERE v.area_code = 'E06000033' AND (
    v.period_end = DATE '2014-03-31'
    OR (i.measure_type = 'snapshot'
        AND v.period_end BETWEEN DATE '2012-04-01' AND DATE '2014-03-31'
        AND NOT EXISTS (
            SELECT 1 FROM curated.indicator_values AS w
            WHERE (w.indicator_id, w.area_code, w.source_type, w.breakdown)
                = (v.indicator_id, v.area_code, v.source_type, v.breakdown)
              AND month(w.period_end) = 3 AND day(w.period_end) = 31)))
"""


def test_a_section_says_no_figures_exactly_when_the_warehouse_has_none_of_its_themes(
    files: ReportFiles, demo_warehouse: Path
) -> None:
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        themes = {
            theme
            for (theme,) in connection.sql(
                "SELECT theme FROM curated.indicator_catalogue"
            ).fetchall()
        }
        with_figures = {theme for (theme,) in connection.sql(THEMES_WITH_FIGURES).fetchall()}
    finally:
        connection.close()
    markdown = files.markdown.read_text(encoding="utf-8")
    for section in report_sections(sorted(themes)):
        line = f"No figures for {section.title.lower()} in {YEAR}."
        assert (line in markdown) == with_figures.isdisjoint(section.themes), section.title
    # The demo warehouse has figures for every section of the seed's chapter, the population
    # context (mid-2012 and mid-2013 estimates) included.
    assert "No figures for" not in markdown


def test_the_context_quotes_the_population_the_seed_quotes_beside_ons_latest(
    files: ReportFiles,
) -> None:
    markdown = files.markdown.read_text(encoding="utf-8")
    context = markdown[markdown.index("## Context") : markdown.index("## Early help")]
    # The seed's context: "a population of 175,284 ..., of which 41,583 are aged 0-19, with
    # 11,641 being aged 0-4" (mid-2012, the board's own figures), then ONS's mid-2013 estimate
    # beside its mid-2012 one (mye23tablesew.xlsx: 176,350 and 175,196).
    for figure, indicator in (
        ("175,284", "population_all_ages"),
        ("41,583", "population_0_19"),
        ("11,641", "population_0_4"),
    ):
        assert f"{figure} [{indicator} E06000033 {MID_2012}]" in context
    assert (
        "| Published statistics, mid-2013 | 176,350 | 175,196 |" in context
        and "[population_all_ages E06000033 mid-2013]" in context
    )


def test_markdown_carries_the_same_sentences(files: ReportFiles, demo_warehouse: Path) -> None:
    markdown = files.markdown.read_text(encoding="utf-8")
    assert expected_referral_sentence(demo_warehouse) in markdown
    for chart in files.charts:
        assert f"(charts/{chart.name})" in markdown


def test_a_change_the_catalogue_takes_over_three_years_is_quoted_against_that_figure(
    files: ReportFiles, demo_warehouse: Path
) -> None:
    # The seed: "The 2 year average child death rate ... has reduced by 26% between 2009/2011
    # and 2012/14"; the warehouse's change (change_years: 3) is the chapter's.
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        [(value, previous, change_pct)] = connection.execute(
            "SELECT value, previous_value, change_pct FROM curated.comparisons "
            "WHERE indicator_id = 'child_death_rate_2yr' AND area_code = 'E06000033' "
            "AND time_period = '2012-14'"
        ).fetchall()
    finally:
        connection.close()
    assert round_half_away_from_zero(change_pct, 0) == -26
    before, now = (f"{round_half_away_from_zero(v, 1):.1f}" for v in (previous, value))
    markdown = files.markdown.read_text(encoding="utf-8")
    assert (
        f"2 years pooled fell from {before} [child_death_rate_2yr E06000033 2009-11] to {now} "
        "[child_death_rate_2yr E06000033 2012-14] (a change for the better)."
    ) in markdown
    assert f"| {now} | {before} (2009-11) |" in markdown


def test_pdf_from_libreoffice_reads_like_the_seed(files: ReportFiles, demo_warehouse: Path) -> None:
    soffice = office_program()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdf = pdf_of(files.docx, soffice)
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
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


def test_the_internal_edition_quotes_small_counts_of_children_exactly(
    demo_warehouse: Path, demo_board: Any
) -> None:
    data = read_report_data(demo_warehouse, demo_board, YEAR, INTERNAL)
    assert data.edition.marking and data.edition.marking in edition_note(data.edition)
    rows = year_rows(data)
    sentences = section_sentences(data, rows[rows["indicator_id"].eq("infant_deaths")])
    # The five deaths under one the public edition withholds, quoted to the board as they are.
    assert sentences == [
        "Deaths of children under 1 year fell from 6 [infant_deaths E06000033 2012-13 Q4] to 5 "
        "[infant_deaths E06000033 2013-14 Q4] (a change for the better)."
    ]


def test_the_chapter_written_again_has_the_same_bytes(
    files: ReportFiles, demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    """Written again from the same warehouse, the chapter is the same file (python-docx stamps
    the time of saving, which would make every copy look changed)."""
    time.sleep(2.1)  # past a zip entry's two-second resolution
    again = write_report(demo_warehouse, demo_board, YEAR, tmp_path)
    assert again.docx.read_bytes() == files.docx.read_bytes()


#: The seed's report year: "October 2013 - September 2014".
SEPTEMBER_2014 = Quarter(2014, 2)


@pytest.fixture(scope="module")
def september(demo_warehouse: Path, demo_board: Any, tmp_path_factory: pytest.TempPathFactory):
    """The chapter for October 2013 to September 2014, public and internal."""
    folder = tmp_path_factory.mktemp("september")
    return {
        edition.name: write_report(
            demo_warehouse, demo_board, SEPTEMBER_2014, folder / edition.name, edition
        )
        for edition in (PUBLIC, INTERNAL)
    }


def test_a_year_to_september_quotes_the_seeds_september_figures(september: Any) -> None:
    files = september["public"]
    assert files.markdown.name == "data_chapter_year-to-2014-15-Q2.md"
    markdown = files.markdown.read_text(encoding="utf-8")
    assert markdown.startswith(
        "# Southend Local Safeguarding Children Board: annual report October 2013 to September "
        "2014, the data chapter"
    )
    assert "No figures for" not in markdown
    q2 = "E06000033 2014-15 Q2"
    # "92.1% of single social work assessments in September 2014 were completed within 40 days
    # compared to 73.4% nationally and 64% for statistical neighbours" (one decimal place here).
    assert (
        f"to 92.1% [assessments_within_local_target_pct {q2}] (a change for the better), "
        "significantly better than England's 73.4% and above the statistical neighbours' "
        "average of 64.0%."
    ) in markdown
    # "161 children on a child protection plan in September 2014 (42.8 per 10,000 compared to
    # 42.1 nationally and 52.8 for Statistical Neighbours)": England's and the neighbours' are
    # of 2013-14, DfE's latest at September 2014.
    assert f"to 161 [cp_plans {q2}]." in markdown
    assert (
        f"to 42.8 [cp_plan_rate {q2}], similar to England's 42.1, above the East of England "
        "region's 34.7 and below the statistical neighbours' average of 52.8 (2013-14, the "
        "latest published)."
    ) in markdown
    for quoted in (
        f"to 525 [cin_plans {q2}]",  # "525 children have a Child in Need Plan"
        f"to 93.1% [referrals_to_assessment_pct {q2}]",  # "conversion rate ... of 93.1%"
        f"to 15.1 [social_worker_caseload {q2}]",  # "caseloads stand at 15.1"
        # "Private Fostering arrangements ... 10 in October 2014, compared to 7 in October 2013"
        f"rose from 7 [private_fostering E06000033 2013-14 Q2] to 10 [private_fostering {q2}]",
        # Training at September 2014: "Early Years 90.7% (Sept 14)".
        f"Early Years 90.7% [training_pct {q2} SBC-EY]",
    ):
        assert quoted in markdown, quoted


def test_a_year_to_september_quotes_what_the_seed_keeps_by_financial_year(september: Any) -> None:
    markdown = september["public"].markdown.read_text(encoding="utf-8")
    assert "those it keeps by financial year (in " in markdown
    q4, before = "E06000033 2013-14 Q4", "E06000033 2012-13 Q4"
    for sentence in (
        # "In the period April 2013 to March 2014 there were 9 deaths of children in Southend."
        f"fell from 10 [child_deaths {before}] to 9 [child_deaths {q4}] (2013-14; a change for "
        "the better).",
        # "from 8 in 2012-13 to 6 in 2013-14, however ... slight injuries ... from 50 to 62"
        f"fell from 8 [road_ksi {before}] to 6 [road_ksi {q4}] (2013-14; ",
        f"rose from 50 [road_slight {before}] to 62 [road_slight {q4}] (2013-14; ",
        # "from 49 in 2012/13 to 78 in 2013/14"
        f"rose from 49 [hospital_injury_admissions {before}] to 78 [hospital_injury_admissions "
        f"{q4}] (2013-14; ",
        # Section 8, "Financial report April 2013 - March 2014".
        "stood at 78,480.00 [board_contributions E06000033 2013-14] (2013-14).",
        "Southend Borough Council 38,847.60 [board_contributions_by_agency E06000033 2013-14 "
        "Southend Borough Council]",
        "stood at 96,439 [board_expenditure E06000033 2013-14] (2013-14).",
        "The board's expenditure by heading (GBP) in 2013-14: Total employees 70,015",
        "Training charges 14,931 [board_income_other_by_source E06000033 2013-14 Training charges]",
        "stood at 77,434.96 [board_reserves_carried_forward E06000033 2013-14] (2013-14).",
    ):
        assert sentence in markdown, sentence
    # The 2-year death rate's change keeps its three years: 2009-11 to 2012-14.
    assert "[child_death_rate_2yr E06000033 2012-14] (2012-14; a change for the better)." in (
        markdown
    )
    # Five infant deaths of the nine: withheld in public, quoted exactly to the board.
    assert (
        f"Deaths of children under 1 year: the figure is withheld to protect confidentiality "
        f"[infant_deaths {q4}]."
    ) in markdown
    # Their tables are captioned by the period their rows are for, as the sentences date them:
    # child deaths' "October 2013 to September 2014" misdated the CDOP's 2013-14. Training
    # (its records of the financial year beside September's percentages) names both.
    captions = re.findall(r"^\*\*(Table \d+: .*)\*\*$", markdown, re.MULTILINE)
    for caption in (
        "Table 3: Child protection, Southend-on-Sea, October 2013 to September 2014",
        "Table 6: Training, Southend-on-Sea, October 2013 to September 2014 or, for the figures "
        "it keeps by financial year, 2013-14",
        "Table 7: Child deaths, Southend-on-Sea, 2013-14",
        "Table 8: Road safety and injuries, Southend-on-Sea, 2013-14",
        "Table 9: Finance, Southend-on-Sea, 2013-14",
    ):
        assert caption in captions, caption
    internal = september["internal"].markdown.read_text(encoding="utf-8")
    assert (
        f"Deaths of children under 1 year fell from 6 [infant_deaths {before}] to 5 "
        f"[infant_deaths {q4}] (2013-14; a change for the better)."
    ) in internal


def test_a_year_to_september_charts_what_its_tables_quote(
    september: Any, files: ReportFiles
) -> None:
    charts = september["public"].markdown.parent / "charts"
    march = files.markdown.parent / "charts"
    # Child deaths and the finance are charted as at 31 March 2014, as the 2013-14 chapter
    # charts them; children on a plan as at 30 September 2014.
    for kept in ("child_deaths_trend", "board_contributions_trend"):
        assert (charts / f"{kept}.png").read_bytes() == (march / f"{kept}.png").read_bytes()
    assert (charts / "cp_plans_trend.png").read_bytes() != (
        march / "cp_plans_trend.png"
    ).read_bytes()


def test_a_year_to_a_quarter_not_run_stops_with_one_line(
    demo_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["report", "--year-to", "2014-15-Q3", "--board", "southend"]
    assert main([*arguments, "--warehouse", str(demo_warehouse), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "lscb-metrics: the chapter for January 2014 to December 2014 quotes its last quarter, "
        f"2014-15 Q3 (to 31 December 2014), which the warehouse {demo_warehouse} does not hold "
        "for Southend-on-Sea (the latest it holds is 2014-15 Q2); run `lscb-metrics run "
        "--period 2014-15-Q3` first"
    ]
    assert not any(tmp_path.iterdir())


def test_the_report_command_names_the_folder_its_charts_are_in(
    demo_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["report", "--year", "2013-14", "--board", "southend"]
    assert main([*arguments, "--warehouse", str(demo_warehouse), "--out", str(tmp_path)]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if " charts in " in line]
    count, folder = line.strip().split(" charts in ")
    assert len(list(Path(folder).glob("*.png"))) == int(count) > 0


def test_a_warehouse_from_before_report_period_asks_for_a_run_for_a_year_to_september(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    # Without the column every figure would be quoted at September 2014, and the board's
    # finance, kept at 31 March, left out without a word.
    older = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, older)
    connection = duckdb.connect(str(older))
    try:
        connection.execute("ALTER TABLE curated.indicator_catalogue DROP COLUMN report_period")
    finally:
        connection.close()
    with pytest.raises(ReportError, match=r"run `lscb-metrics run --period 2014-15-Q2` again"):
        read_report_data(older, demo_board, SEPTEMBER_2014)
