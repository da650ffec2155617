"""Which rows the data chapter quotes for a year, and how the internal edition is marked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from lscb_metrics.editions import INTERNAL
from lscb_metrics.periods import Quarter, first_figures_note
from lscb_metrics.publish.annual_report import (
    BEFORE,
    YEAR,
    Heading,
    Paragraph,
    ReportData,
    Section,
    Table,
    change_years_of,
    chapter_rows,
    docx_document,
    earlier_comparator_year,
    earlier_text,
    financial_year_clause,
    financial_year_indicators,
    introduction,
    latest_published_period,
    look_back_years,
    markdown_text,
    missing_year_end,
    national_statistics_phrase,
    no_figures_text,
    part_year_flows,
    section_blocks,
    table_caption,
    year_and_year_before,
    year_end_of,
)
from lscb_metrics.publish.figures import BoardArea

END = date(2014, 3, 31)  # the end of 2013-14
SEPTEMBER = date(2014, 9, 30)  # the end of the seed's report year, October 2013 to September 2014


def rows(*series: tuple[str, str, date, float]) -> pd.DataFrame:
    """Figure rows of one area: (indicator, source type, period end, value)."""
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "source_type": source,
                "breakdown": "Total",
                "period_end": end,
                "value": value,
            }
            for indicator, source, end, value in series
        ]
    )


def quoted(chosen: pd.DataFrame) -> set[tuple[str, str, date, str]]:
    """(indicator, source, period end, report_year) of each chosen row."""
    return set(
        chosen[["indicator_id", "source_type", "period_end", "report_year"]].itertuples(
            index=False, name=None
        )
    )


def test_rows_ending_on_the_year_end_and_a_year_before_are_the_year_and_its_comparison() -> None:
    frame = rows(
        ("cp_plans", "partner_return", date(2013, 3, 31), 140.0),
        ("cp_plans", "partner_return", date(2013, 12, 31), 150.0),
        ("cp_plans", "partner_return", END, 163.0),
    )
    assert quoted(year_and_year_before(frame, {"cp_plans"}, END)) == {
        ("cp_plans", "partner_return", END, YEAR),
        ("cp_plans", "partner_return", date(2013, 3, 31), BEFORE),
    }


def test_a_mid_year_snapshot_uses_its_latest_estimate_of_the_year_or_the_year_before() -> None:
    frame = rows(
        ("population", "published", date(2011, 6, 30), 174274.0),
        ("population", "published", date(2012, 6, 30), 175196.0),
        ("population", "published", date(2013, 6, 30), 176350.0),
        ("population", "published", date(2014, 6, 30), 178610.0),  # after the year: not used
        # The board's own estimate, dated the year before (the one its 2013-14 report quoted).
        ("population", "partner_return", date(2012, 6, 30), 175284.0),
        # Older than the year before: too old to quote as the year's.
        ("population_0_4", "partner_return", date(2011, 6, 30), 11000.0),
    )
    chosen = year_and_year_before(frame, {"population", "population_0_4"}, END)
    assert quoted(chosen) == {
        ("population", "published", date(2013, 6, 30), YEAR),
        ("population", "published", date(2012, 6, 30), BEFORE),
        ("population", "partner_return", date(2012, 6, 30), YEAR),
    }


def test_a_published_snapshot_older_than_the_year_before_is_quoted_as_the_latest_published() -> (
    None
):
    # ONS single ages end at mid-2023, so a 2025-26 chapter has no estimate of 2024-25 or
    # 2025-26: it quotes mid-2023 (beside nothing: mid-2022 is before the rows it reads).
    end = date(2026, 3, 31)
    frame = rows(
        ("population_0_4", "published", date(2023, 6, 30), 10500.0),
        ("population", "published", date(2024, 6, 30), 180000.0),
        # The board's own estimate is its own: an old one is not quoted as the latest.
        ("population_0_19", "partner_return", date(2023, 6, 30), 41000.0),
    )
    chosen = year_and_year_before(frame, {"population", "population_0_4", "population_0_19"}, end)
    assert quoted(chosen) == {
        ("population_0_4", "published", date(2023, 6, 30), YEAR),
        ("population", "published", date(2024, 6, 30), YEAR),
    }
    named = chosen.assign(time_period=chosen["period_end"].map(lambda day: f"mid-{day.year}"))
    periods = {
        row["indicator_id"]: latest_published_period(row, end) for _, row in named.iterrows()
    }
    assert periods == {"population_0_4": "mid-2023", "population": None}


def test_a_published_year_not_yet_out_is_quoted_at_the_latest_published_and_named() -> None:
    # A 2025-26 chapter before DfE's 2025-26 release said "No figures for looked-after children
    # in 2025-26", though 2024-25's are published. The board's own referral rate stays the
    # year's figure, beside the published 2024-25 as its year before.
    end = date(2026, 3, 31)
    frame = rows(
        ("lac_rate", "published", date(2023, 3, 31), 70.0),
        ("lac_rate", "published", date(2024, 3, 31), 72.0),
        ("lac_rate", "published", date(2025, 3, 31), 74.0),
        ("referral_rate", "published", date(2024, 3, 31), 430.0),
        ("referral_rate", "published", date(2025, 3, 31), 460.0),
        ("referral_rate", "partner_return", end, 524.9),
    )
    chosen = year_and_year_before(frame, set(), end)
    assert quoted(chosen) == {
        ("lac_rate", "published", date(2025, 3, 31), YEAR),
        ("lac_rate", "published", date(2024, 3, 31), BEFORE),
        ("referral_rate", "partner_return", end, YEAR),
        ("referral_rate", "published", date(2025, 3, 31), BEFORE),
    }
    latest = pd.Series(
        {"source_type": "published", "period_end": date(2025, 3, 31), "time_period": "2024-25"}
    )
    assert latest_published_period(latest, end) == "2024-25"
    assert latest_published_period(latest, date(2025, 3, 31)) is None


def test_a_change_over_several_years_is_quoted_against_the_figure_it_is_taken_on() -> None:
    # The catalogue takes the 2-year child death rate's change over three years (2009-11 to
    # 2012-14), as the warehouse's previous_value does; the chapter quotes that figure, not
    # the overlapping window a year earlier.
    frame = rows(
        ("child_death_rate_2yr", "partner_return", date(2011, 3, 31), 34.1),
        ("child_death_rate_2yr", "partner_return", date(2013, 3, 31), 25.9),
        ("child_death_rate_2yr", "partner_return", END, 25.3),
        ("child_deaths", "partner_return", date(2013, 3, 31), 10.0),
        ("child_deaths", "partner_return", END, 9.0),
    )
    chosen = year_and_year_before(frame, set(), END, {"child_death_rate_2yr": 3})
    assert quoted(chosen) == {
        ("child_death_rate_2yr", "partner_return", END, YEAR),
        ("child_death_rate_2yr", "partner_return", date(2011, 3, 31), BEFORE),
        ("child_deaths", "partner_return", END, YEAR),
        ("child_deaths", "partner_return", date(2013, 3, 31), BEFORE),
    }


def test_the_chapter_reads_back_far_enough_for_the_longest_change() -> None:
    assert look_back_years({}) == 3
    assert look_back_years({"child_death_rate_2yr": 3}) == 4


def test_change_years_come_from_the_catalogue_and_default_to_one() -> None:
    catalogue = pd.DataFrame(
        {"change_years": [1, 3]}, index=pd.Index(["cp_plans", "child_death_rate_2yr"])
    )
    assert change_years_of(catalogue) == {"child_death_rate_2yr": 3}
    # A warehouse written before curated.indicator_catalogue had the column: year on year.
    assert change_years_of(catalogue.drop(columns="change_years")) == {}


def test_an_earlier_figure_not_a_year_before_is_labelled_with_its_period() -> None:
    row = pd.Series({"period_end": END, "time_period": "2012-14"})
    three_years = pd.Series(
        {"period_end": date(2011, 3, 31), "time_period": "2009-11", "value": 34.14}
    )
    one_year = pd.Series({"period_end": date(2013, 3, 31), "time_period": "2011-13", "value": 25.9})
    assert earlier_text(row, three_years, "per 100,000 children", 1) == "34.1 (2009-11)"
    assert earlier_text(row, one_year, "per 100,000 children", 1) == "25.9"


def meetings(*held: tuple[str, date, date]) -> pd.DataFrame:
    """Rows of the attendance at each board meeting: (meeting, quarter start, quarter end)."""
    return pd.DataFrame(
        [
            {
                "indicator_id": "board_meeting_attendance_pct",
                "source_type": "partner_return",
                "breakdown": meeting,
                "period_start": start,
                "period_end": end,
                "value": 70.0,
            }
            for meeting, start, end in held
        ]
    )


def test_every_meeting_of_the_year_is_quoted_not_only_the_fourth_quarters() -> None:
    frame = meetings(
        ("2013-03", date(2013, 1, 1), date(2013, 3, 31)),  # the year before's
        ("2013-11", date(2013, 10, 1), date(2013, 12, 31)),
        ("2014-03", date(2014, 1, 1), END),
        ("2014-05", date(2014, 4, 1), date(2014, 6, 30)),  # the next year's
    )
    flows = {"board_meeting_attendance_pct"}
    chosen = year_and_year_before(frame, set(), END, part_year_flows=flows)
    year = chosen[chosen["report_year"].eq(YEAR)]
    assert sorted(year["breakdown"]) == ["2013-11", "2014-03"]


def test_part_year_flows_are_broken_down_flows_over_less_than_a_year() -> None:
    catalogue = pd.DataFrame(
        {
            "measure_type": ["flow", "flow", "flow", "snapshot"],
            "window_months": [3, 6, 12, 12],
            "breakdown": ["meeting", "total", "member", "agency"],
        },
        index=pd.Index(
            [
                "board_meeting_attendance_pct",
                "referrals_family_public_pct",
                "board_attendance_pct",
                "training_pct",
            ]
        ),
    )
    assert part_year_flows(catalogue) == {"board_meeting_attendance_pct"}


def test_a_flow_ending_elsewhere_is_not_taken_for_the_year() -> None:
    # Road casualties pooled over calendar years end on 31 December: not the financial year's.
    frame = rows(("road_ksi_rate", "published", date(2013, 12, 31), 20.0))
    assert year_and_year_before(frame, set(), END).empty


def test_the_internal_chapter_is_marked_on_every_page_and_at_both_ends_of_the_markdown() -> None:
    blocks = [Heading("Chapter", 0), Paragraph("Deaths of children under 1 year: 5.")]
    marking = INTERNAL.marking
    assert marking is not None
    document = docx_document(blocks, marking)
    page = document.sections[0]
    assert [p.text for p in page.header.paragraphs] == [marking]
    assert [p.text for p in page.footer.paragraphs] == [marking]
    lines = markdown_text(blocks, marking).strip().splitlines()
    assert lines[0] == lines[-1] == f"**{marking}**"
    public = docx_document(blocks)
    assert all(not p.text for p in public.sections[0].header.paragraphs)
    assert marking not in markdown_text(blocks)


def test_a_hostile_name_in_the_chapter_makes_no_markup_in_its_markdown() -> None:
    # A board's name heads the chapter, and a contributor's name from its own records is a
    # table row: neither may link, fetch an image or write HTML where the Markdown is shown.
    board = "Board [click](javascript:alert(1)) <script>alert(1)</script>"
    contributor = "![x](http://evil.example/x.png) | 9"
    blocks = [
        Heading(f"{board}: the data chapter", 0),
        Paragraph(f"Contributions by {contributor}: 100."),
        Table(f"{contributor} (GBP)", ["Figure", "Value"], [[contributor, "100"]]),
    ]
    html = MarkdownIt("commonmark").enable("table").render(markdown_text(blocks))
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<td>![x](http://evil.example/x.png) | 9</td>\n<td>100</td>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: the data chapter</h1>" in html


def test_comparators_of_an_earlier_year_than_the_figure_are_named_by_year() -> None:
    board_year = pd.Series({"period_end": date(2026, 3, 31), "comparator_period_end": END})
    assert earlier_comparator_year(board_year) == "2013-14"
    same_year = pd.Series({"period_end": END, "comparator_period_end": END})
    assert earlier_comparator_year(same_year) is None
    uncompared = pd.Series({"period_end": END, "comparator_period_end": pd.NaT})
    assert earlier_comparator_year(uncompared) is None
    # LAIT's road casualty rate pools calendar years: its latest, 2020-22, ends 31 December 2022.
    # It was named "2022-23", the financial year of that day, beside a 2025-26 figure; and a
    # 2014-15 figure compared with 2012-14 (ending in the year) was said to be compared with
    # an earlier year.
    pooled = {"comparator_period_end": date(2022, 12, 31), "comparator_period": "2020-22"}
    assert earlier_comparator_year(pd.Series({"period_end": date(2026, 3, 31), **pooled})) == (
        "2020-22"
    )
    within = {"comparator_period_end": date(2014, 12, 31), "comparator_period": "2012-14"}
    assert earlier_comparator_year(pd.Series({"period_end": date(2015, 3, 31), **within})) is None


def test_a_year_to_september_quotes_that_quarter_and_published_years_at_their_latest() -> None:
    # The seed's year ends in September 2014: children on a plan at 30 September beside a year
    # earlier (161 from 118), not at 31 March; DfE's 2013-14 figures at their latest, named so;
    # ONS's estimates at 30 June in the year and the year before.
    frame = rows(
        ("cp_plans", "partner_return", date(2013, 9, 30), 118.0),
        ("cp_plans", "partner_return", END, 163.0),
        ("cp_plans", "partner_return", SEPTEMBER, 161.0),
        # The board has its own figure at the year's end: DfE's year is not quoted beside it.
        ("cp_plans", "published", END, 163.0),
        ("lac_rate", "published", date(2013, 3, 31), 63.0),
        ("lac_rate", "published", END, 65.0),
        ("injury_admission_rate", "published", date(2013, 3, 31), 83.5),
        ("injury_admission_rate", "published", END, 89.3),
        ("population", "published", date(2013, 6, 30), 176350.0),
        ("population", "published", date(2014, 6, 30), 178610.0),
    )
    chosen = year_and_year_before(frame, {"cp_plans", "lac_rate", "population"}, SEPTEMBER)
    assert quoted(chosen) == {
        ("cp_plans", "partner_return", SEPTEMBER, YEAR),
        ("cp_plans", "partner_return", date(2013, 9, 30), BEFORE),
        ("lac_rate", "published", END, YEAR),
        ("lac_rate", "published", date(2013, 3, 31), BEFORE),
        ("injury_admission_rate", "published", END, YEAR),
        ("injury_admission_rate", "published", date(2013, 3, 31), BEFORE),
        ("population", "published", date(2014, 6, 30), YEAR),
        ("population", "published", date(2013, 6, 30), BEFORE),
    }
    year_2013_14 = pd.Series(
        {"source_type": "published", "period_end": END, "time_period": "2013-14"}
    )
    assert latest_published_period(year_2013_14, SEPTEMBER) == "2013-14"
    mid_2014 = pd.Series(
        {"source_type": "published", "period_end": date(2014, 6, 30), "time_period": "mid-2014"}
    )
    assert latest_published_period(mid_2014, SEPTEMBER) is None


def test_figures_kept_by_financial_year_are_quoted_for_the_last_one_before_the_years_end() -> None:
    # The seed, to September 2014: "In the period April 2013 to March 2014 there were 9 deaths"
    # (10 the year before), and the board's finance "April 2013 - March 2014" (96,439 spent).
    frame = rows(
        ("child_deaths", "partner_return", date(2013, 3, 31), 10.0),
        ("child_deaths", "partner_return", date(2013, 9, 30), 8.0),
        ("child_deaths", "partner_return", END, 9.0),
        ("child_deaths", "partner_return", SEPTEMBER, 11.0),
        ("board_expenditure", "partner_return", END, 96439.0),
        ("cp_plans", "partner_return", date(2013, 9, 30), 118.0),
        ("cp_plans", "partner_return", END, 163.0),
        ("cp_plans", "partner_return", SEPTEMBER, 161.0),
    ).assign(period_start=lambda frame: frame["period_end"])
    catalogue = pd.DataFrame(
        {
            "measure_type": ["flow", "flow", "snapshot"],
            "window_months": [12, 12, 12],
            "breakdown": ["total", "total", "total"],
            "change_years": [1, 1, 1],
            "report_period": ["financial_year", "financial_year", "report_year"],
        },
        index=pd.Index(["child_deaths", "board_expenditure", "cp_plans"]),
    )
    assert quoted(chapter_rows(frame, catalogue, SEPTEMBER)) == {
        ("child_deaths", "partner_return", END, YEAR),
        ("child_deaths", "partner_return", date(2013, 3, 31), BEFORE),
        ("board_expenditure", "partner_return", END, YEAR),
        ("cp_plans", "partner_return", SEPTEMBER, YEAR),
        ("cp_plans", "partner_return", date(2013, 9, 30), BEFORE),
    }
    # A year ending in March is the financial year itself.
    assert ("child_deaths", "partner_return", END, YEAR) in quoted(
        chapter_rows(frame[frame["period_end"].le(END)], catalogue, END)
    )
    # A warehouse written before the catalogue had the column keeps nothing by financial year.
    assert financial_year_indicators(catalogue.drop(columns="report_period")) == set()


def test_a_year_not_run_to_its_fourth_quarter_says_so_and_names_the_latest_held() -> None:
    # With 2014-15 Q1 and Q2 run, the message said the warehouse held no figures for 2014-15
    # and to run a quarter of that year: the user had.
    held = rows(
        ("referral_rate", "partner_return", date(2014, 9, 30), 1.0),
        ("referral_rate", "partner_return", date(2014, 6, 30), 1.0),
        ("population_all_ages", "published", date(2014, 6, 30), 1.0),
    )
    assert missing_year_end(Path("w.duckdb"), "Leeds", date(2015, 3, 31), held) == (
        "the 2014-15 chapter quotes the year's fourth quarter, 2014-15 Q4 (to 31 March 2015), "
        "which the warehouse w.duckdb does not hold for Leeds (the latest it holds is 2014-15 "
        "Q2); run `lscb-metrics run --period 2014-15-Q4` first"
    )


def test_a_year_to_a_quarter_not_run_says_so_and_names_the_latest_held() -> None:
    held = rows(("referral_rate", "partner_return", SEPTEMBER, 1.0))
    assert missing_year_end(Path("w.duckdb"), "Leeds", date(2014, 12, 31), held) == (
        "the chapter for January 2014 to December 2014 quotes its last quarter, 2014-15 Q3 (to "
        "31 December 2014), which the warehouse w.duckdb does not hold for Leeds (the latest it "
        "holds is 2014-15 Q2); run `lscb-metrics run --period 2014-15-Q3` first"
    )


def chapter_of(year: str, *compared: tuple[date, date], england: object = 500.0) -> ReportData:
    """A chapter's data whose year figures have these (period end, comparator period end), and
    England's figure as published (`england`) beside each."""
    figures = pd.DataFrame(
        [
            {
                "report_year": YEAR,
                "period_end": end,
                "comparator_period_end": compared_end,
                "england_value": england,
                "region_value": "z",
                "sn_average": None,
            }
            for end, compared_end in compared
        ]
    )
    area = BoardArea("E06000034", "Thurrock", "E12000006", "East of England")
    return ReportData("Board", area, year, year_end_of(year), pd.DataFrame(), figures)


def test_the_introduction_names_the_years_its_comparators_are_of() -> None:
    # With DfE's 2025-26 C1 taken in and B1 still at 2024-25, the 2025-26 chapter said the
    # 2025-26 national statistics were not yet published, beside England's 2025-26 referral rate.
    year_end, earlier_end = date(2026, 3, 31), date(2025, 3, 31)
    all_out = chapter_of("2025-26", (year_end, year_end))
    assert national_statistics_phrase(all_out) == "published national statistics for 2025-26"
    none_out = chapter_of("2025-26", (year_end, earlier_end))
    assert national_statistics_phrase(none_out) == (
        "latest published national statistics, for 2024-25 (those for 2025-26 are not yet "
        "published)"
    )
    some_out = chapter_of("2025-26", (year_end, year_end), (year_end, earlier_end))
    assert national_statistics_phrase(some_out) == (
        "published national statistics for 2025-26 where they are published, and otherwise the "
        "latest published, for 2024-25 (not every table for 2025-26 is published yet)"
    )


def test_the_introduction_names_no_year_of_a_figure_compared_with_nothing() -> None:
    # A 2025-26 chapter quotes ONS's mid-2023 residents (dated as its comparators are, but
    # compared with nothing): its introduction said it used the national statistics "for
    # 2023-24 and 2024-25".
    year_end, earlier_end, mid_2023 = date(2026, 3, 31), date(2025, 3, 31), date(2023, 6, 30)
    chapter = chapter_of("2025-26", (year_end, earlier_end))
    estimate = chapter_of("2025-26", (mid_2023, mid_2023), england="z").figures
    quoted = ReportData(
        chapter.board_name,
        chapter.area,
        chapter.year,
        chapter.year_end,
        chapter.catalogue,
        pd.concat([chapter.figures, estimate]),
    )
    assert national_statistics_phrase(quoted) == (
        "latest published national statistics, for 2024-25 (those for 2025-26 are not yet "
        "published)"
    )


def test_a_rate_on_an_earlier_estimate_is_noted_under_its_table() -> None:
    # A 2025-26 chapter quoted rates on the mid-2024 estimate without a word (the scorecard and
    # workbook note it); only some of its charts' captions said so.
    note = (
        "Uses the mid-2024 estimate of children aged 0-17, the latest published; the mid-2025 "
        "estimate is not yet published, and the rate is revised when it is"
    )
    end = date(2026, 3, 31)
    catalogue = pd.DataFrame(
        {
            "title": ["Referrals per 10,000 children", "Referrals"],
            "unit": ["per 10,000 children", "count"],
            "decimals": [1, 0],
            "polarity": ["no_judgement", "no_judgement"],
            "collected_from": ["partner returns", "partner returns"],
        },
        index=pd.Index(["referral_rate", "referrals"]),
    )
    figures = pd.DataFrame(
        {
            "indicator_id": ["referral_rate", "referrals"],
            "area_code": "E06000023",
            "breakdown": "Total",
            "breakdown_name": "Total",
            "source_type": "partner_return",
            "time_period": "2025-26 Q4",
            "period_end": end,
            "report_year": YEAR,
            "value": [524.9, 4866],
            "value_note": [note, None],
            "comparator_note": [note, None],
            "comparator_period_end": [date(2025, 3, 31), None],
            "england_value": [519.4, "z"],
            "region_value": [466.4, "z"],
            "sn_average": [481.5, "z"],
            "vs_england": ["Similar", "Not compared"],
            "vs_region": ["Higher", "Not compared"],
            "rank": [74, "z"],
            "rank_of": [153, "z"],
        }
    )
    area = BoardArea("E06000023", "Bristol, City of", "E12000009", "South West")
    data = ReportData("Board", area, "2025-26", end, catalogue, figures)
    blocks = section_blocks(data, Section("Referrals", ("x",)), figures, {"table": 1, "figure": 0})
    [table] = [block for block in blocks if isinstance(block, Table)]
    assert [row[0] for row in table.rows] == [
        "Referrals per 10,000 children [note 1]",
        "Referrals",
    ]
    assert blocks[blocks.index(table) + 1] == Paragraph(f"Note 1 to table 2: {note}.")


#: Catalogue rows of three indicators a chapter quotes by financial year, in three sections.
BY_FINANCIAL_YEAR = pd.DataFrame(
    {
        "theme": ["child_deaths", "road_safety", "finance"],
        "report_period": "financial_year",
        "measure_type": ["flow", "flow", "flow"],
        "window_months": [12, 12, 12],
        "collected_from": ["partner returns", None, "board records"],
    },
    index=pd.Index(["child_deaths", "injury_admission_rate", "board_expenditure"]),
)


def kept_by_year(*figures: tuple[str, str, date]) -> ReportData:
    """A chapter for October 2025 to September 2026 quoting `figures` (indicator, source type,
    period end) for the year."""
    rows = pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "source_type": source,
                "period_end": end,
                "breakdown": "Total",
                "breakdown_name": "Total",
                "report_year": YEAR,
            }
            for indicator, source, end in figures
        ]
    )
    area = BoardArea("E06000015", "Derby", "E12000004", "East Midlands")
    year = "October 2025 to September 2026"
    return ReportData("Board", area, year, date(2026, 9, 30), BY_FINANCIAL_YEAR, rows)


def test_the_introduction_names_only_the_boards_own_figures_kept_by_financial_year() -> None:
    # A board whose returns start in 2026-27 quotes published injury admissions for 2025-26:
    # its introduction said it kept figures "(in road safety and injuries) for 2025-26".
    published = ("injury_admission_rate", "published", date(2026, 3, 31))
    assert financial_year_clause(kept_by_year(published)) == ""
    # Nor is a figure of its own for an earlier year one it keeps for 2025-26.
    earlier = ("board_expenditure", "partner_return", date(2025, 3, 31))
    assert financial_year_clause(kept_by_year(published, earlier)) == ""
    own = ("board_expenditure", "partner_return", date(2026, 3, 31))
    assert financial_year_clause(kept_by_year(published, own)) == (
        ", those it keeps by financial year (in finance) for 2025-26"
    )


def test_a_section_a_new_board_has_no_figures_for_yet_says_why() -> None:
    # Its child deaths (summed over 12 months of returns) are not due in its first quarters:
    # the chapter said "No figures for child deaths ..." without a word of why.
    new = replace(kept_by_year(), first_returns=Quarter(2026, 1))
    why = first_figures_note(Quarter(2026, 1), Quarter(2026, 2))
    deaths, finance = Section("Child deaths", ("child_deaths",)), Section("Finance", ("finance",))
    # Both are kept by financial year: their figures would be 2025-26's, not the report year's.
    none = "No figures for child deaths in 2025-26."
    assert no_figures_text(new, deaths) == f"{none} {why}"
    # The board's own records are not counted in quarters of returns; nor, later, its returns.
    assert no_figures_text(new, finance) == "No figures for finance in 2025-26."
    assert no_figures_text(kept_by_year(), deaths) == none


def test_a_section_kept_by_financial_year_says_why_that_year_has_none() -> None:
    # Returns from 2025-26 Q3 give a 12-month figure by September 2026, but none for 2025-26,
    # which has two quarters of them: why is judged at 31 March 2026, the section's year end.
    started = replace(kept_by_year(), first_returns=Quarter(2025, 3))
    assert started.first_figures is None
    why = first_figures_note(Quarter(2025, 3), Quarter(2025, 4))
    assert why is not None and "so the first is for 2026-27 Q2" in why
    deaths = Section("Child deaths", ("child_deaths",))
    assert no_figures_text(started, deaths) == f"No figures for child deaths in 2025-26. {why}"


def kept_with_casualty_rate() -> ReportData:
    """`kept_by_year`'s chapter whose road safety also holds a figure for the report year (the
    casualty rate), beside the casualties kept by financial year."""
    casualty_rate = pd.DataFrame(
        {"theme": ["road_safety"], "report_period": [None], "collected_from": [None]},
        index=pd.Index(["road_ksi_rate"]),
    )
    return replace(kept_by_year(), catalogue=pd.concat([BY_FINANCIAL_YEAR, casualty_rate]))


def test_a_section_keeping_some_figures_by_financial_year_names_both_periods() -> None:
    # Road safety: casualties kept by financial year (2025-26), the rest for the report year.
    both = kept_with_casualty_rate()
    roads = Section("Road safety and injuries", ("road_safety",))
    assert no_figures_text(both, roads) == (
        "No figures for road safety and injuries in October 2025 to September 2026 or, for the "
        "figures it keeps by financial year, 2025-26."
    )
    # A financial year's chapter names its year once, whatever the section keeps.
    year = replace(both, year="2025-26", year_end=date(2026, 3, 31))
    assert no_figures_text(year, roads) == "No figures for road safety and injuries in 2025-26."


def test_a_table_caption_names_the_period_its_rows_are_for() -> None:
    # The chapter to September 2026 captioned its child deaths "October 2025 to September 2026",
    # though they are 2025-26's, as its sentences and "No figures ..." line say.
    chapter = kept_with_casualty_rate()
    deaths = Section("Child deaths", ("child_deaths",))
    roads = Section("Road safety and injuries", ("road_safety",))
    deaths_rows = pd.DataFrame({"indicator_id": ["child_deaths", "child_deaths"]})
    assert table_caption(chapter, deaths, deaths_rows, 7) == "Table 7: Child deaths, Derby, 2025-26"
    # Casualties of the report year beside admissions of 2025-26: the caption names both.
    both = pd.DataFrame({"indicator_id": ["road_ksi_rate", "injury_admission_rate"]})
    assert table_caption(chapter, roads, both, 8) == (
        "Table 8: Road safety and injuries, Derby, October 2025 to September 2026 or, for the "
        "figures it keeps by financial year, 2025-26"
    )
    # The rows, not the catalogue, decide: casualties alone are the report year's.
    casualties = pd.DataFrame({"indicator_id": ["road_ksi_rate"]})
    assert table_caption(chapter, roads, casualties, 8) == (
        "Table 8: Road safety and injuries, Derby, October 2025 to September 2026"
    )
    # A financial year's chapter names its year, whatever the section keeps.
    year = replace(chapter, year="2025-26", year_end=date(2026, 3, 31))
    assert table_caption(year, roads, both, 8) == (
        "Table 8: Road safety and injuries, Derby, 2025-26"
    )


def first_paragraph(first_returns: Quarter | None) -> str:
    """The introduction's first paragraph of a chapter for October 2025 to September 2026 whose
    area's partner returns start with `first_returns`."""
    cin_rate = {
        "indicator_id": "cin_rate",
        "source_type": "partner_return",
        "breakdown": "Total",
        "breakdown_name": "Total",
        "report_year": YEAR,
        "period_end": date(2026, 9, 30),
        "comparator_period_end": date(2026, 3, 31),
        "england_value": 330.0,
        "region_value": 300.0,
        "sn_average": 310.0,
    }
    data = replace(kept_by_year(), figures=pd.DataFrame([cin_rate]), first_returns=first_returns)
    paragraph = introduction(data)[1]
    assert isinstance(paragraph, Paragraph)
    return paragraph.text


def test_the_introduction_says_12_months_and_a_year_earlier_once_a_board_has_them() -> None:
    for first in (Quarter(2013, 1), Quarter(2025, 3), None):
        assert first_paragraph(first) == (
            "Figures for Derby for the year October 2025 to September 2026: the board's own "
            "figures from its partners' returns (events in the 12 months to 30 September 2026, "
            "children at that date) and the published national statistics for 2025-26, each "
            "beside the same figure a year earlier, England, the East Midlands region and the "
            "area's statistical neighbours."
        )


def test_a_new_boards_introduction_says_what_its_returns_give() -> None:
    # Returns from 2026-27 Q1, two quarters by 30 September 2026: its introduction spoke of
    # "events in the 12 months to 30 September 2026", each "beside the same figure a year
    # earlier", figures it cannot have for another two quarters, and a year.
    text = first_paragraph(Quarter(2026, 1))
    assert "(events in at most the 6 months to 30 September 2026, children at that date)" in text
    assert text.endswith(
        "each beside England, the East Midlands region and the area's statistical neighbours, "
        "and the same figure a year earlier where there is one. "
        f"{first_figures_note(Quarter(2026, 1), Quarter(2026, 2))}"
    )
    assert "(events in at most the 3 months to 30 September 2026" in first_paragraph(
        Quarter(2026, 2)
    )
