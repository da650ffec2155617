"""The data chapter's comparison sentences, one case per direction and comparison."""

from __future__ import annotations

import dataclasses

import pytest

from lscb_metrics.publish.annual_report import Section, report_sections, row_reference
from lscb_metrics.publish.sentences import Figure, Part, breakdown_sentence, figure_sentence

# Southend's referral rate in 2013-14 (the seed: "from 457.2 ... to 529.5 ... (573)").
REFERRALS = Figure(
    title="Referrals per 10,000 children",
    unit="per 10,000 children",
    decimals=1,
    polarity="no_judgement",
    value=529.5,
    ref="[now]",
    previous=457.2,
    previous_ref="[before]",
    england=573.3,
    vs_england="Lower",
)


def test_a_rise_names_both_years_and_the_position_against_england() -> None:
    assert figure_sentence(REFERRALS) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now], "
        "below England's 573.3."
    )


def test_a_fall() -> None:
    fell = dataclasses.replace(REFERRALS, value=400.0, vs_england=None, england=None)
    assert figure_sentence(fell) == (
        "Referrals per 10,000 children fell from 457.2 [before] to 400.0 [now]."
    )


def test_equal_when_rounded_is_unchanged() -> None:
    # 457.24 and 457.16 are both published as 457.2: the text must not say it rose.
    same = dataclasses.replace(REFERRALS, value=457.24, previous=457.16, england=None)
    assert figure_sentence(same) == (
        "Referrals per 10,000 children stayed at 457.2 [before] [now]."
    )


def test_without_a_year_before_the_figure_stands_alone() -> None:
    alone = dataclasses.replace(REFERRALS, previous=None, previous_ref=None, england=None)
    assert figure_sentence(alone) == "Referrals per 10,000 children stood at 529.5 [now]."


def test_a_figure_quoted_as_the_latest_published_names_its_period() -> None:
    latest = dataclasses.replace(REFERRALS, latest_published="mid-2023", england=None)
    assert figure_sentence(dataclasses.replace(latest, previous=None)) == (
        "Referrals per 10,000 children stood at 529.5 [now] (mid-2023, the latest published)."
    )
    assert figure_sentence(latest) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now] "
        "(mid-2023, the latest published)."
    )
    # A published year with a polarity: one parenthesis, not "(2023-24, ...) (a change ...)".
    judged = dataclasses.replace(latest, latest_published="2023-24", polarity="low_is_good")
    assert figure_sentence(judged) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now] "
        "(2023-24, the latest published; a change for the worse)."
    )


@pytest.mark.parametrize(
    ("polarity", "value", "judgement"),
    [
        ("low_is_good", 15.0, "better"),  # fewer re-referrals
        ("low_is_good", 25.0, "worse"),
        ("high_is_good", 25.0, "better"),  # more assessments in time
        ("high_is_good", 15.0, "worse"),
    ],
)
def test_polarity_says_whether_the_change_is_for_the_better(
    polarity: str, value: float, judgement: str
) -> None:
    figure = Figure("Re-referrals (%)", "%", 1, polarity, value, "[now]", 20.5, "[before]")
    verb = "fell" if value < 20.5 else "rose"
    assert figure_sentence(figure) == (
        f"Re-referrals {verb} from 20.5% [before] to {value:.1f}% [now] "
        f"(a change for the {judgement})."
    )


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("Similar", "similar to"),
        ("Lower", "below"),
        ("Higher", "above"),
        ("Better", "better than"),
        ("Worse", "worse than"),
        ("Best", "significantly better than"),
        ("Worst", "significantly worse than"),
    ],
)
def test_fingertips_comparison_decides_the_words(label: str, words: str) -> None:
    # The label, computed from the interval, wins over the bare numbers (529.5 < 573.3).
    figure = dataclasses.replace(REFERRALS, vs_england=label)
    assert f", {words} England's 573.3." in figure_sentence(figure)


@pytest.mark.parametrize(
    ("england", "words"), [(573.3, "below"), (500.0, "above"), (529.54, "the same as")]
)
def test_without_a_comparison_the_published_numbers_decide(england: float, words: str) -> None:
    # A published LAIT rate has no interval: "Not compared", so 529.5 vs England as published.
    figure = dataclasses.replace(REFERRALS, england=england, vs_england="Not compared")
    assert f", {words} England's {england:.1f}." in figure_sentence(figure)


def test_region_neighbours_and_rank() -> None:
    figure = dataclasses.replace(
        REFERRALS,
        region_name="East of England",
        region=445.7,
        vs_region="Higher",
        neighbours=593.1,
        rank=80,
        rank_of=152,
    )
    assert figure_sentence(figure) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now], below "
        "England's 573.3, above the East of England region's 445.7 and below the statistical "
        "neighbours' average of 593.1. It ranks 80th highest of 152 local authorities in England."
    )


def test_rank_with_polarity_says_first_is_best() -> None:
    figure = dataclasses.replace(REFERRALS, polarity="low_is_good", rank=61, rank_of=150)
    assert figure_sentence(figure).endswith(
        " It ranks 61st of 150 local authorities in England (1st is best)."
    )


def test_a_withheld_figure_is_never_quoted() -> None:
    withheld = dataclasses.replace(REFERRALS, value="c", previous=5, england=573.3, rank="c")
    sentence = figure_sentence(withheld)
    assert sentence == (
        "Referrals per 10,000 children: the figure is withheld to protect confidentiality [now]."
    )


def test_a_withheld_year_before_is_left_out() -> None:
    figure = dataclasses.replace(REFERRALS, previous="c", england=None)
    assert figure_sentence(figure) == "Referrals per 10,000 children stood at 529.5 [now]."


def test_symbols_for_comparators_are_left_out() -> None:
    figure = dataclasses.replace(REFERRALS, england="z", region="x", neighbours="z", rank="z")
    assert figure_sentence(figure) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now]."
    )


def test_counts_are_thousands_separated_at_their_decimals() -> None:
    figure = Figure("Referrals", "count", 0, "no_judgement", 1992, "[now]", 1719, "[before]")
    assert figure_sentence(figure) == "Referrals rose from 1,719 [before] to 1,992 [now]."


def test_breakdown_lists_each_part_and_withholds_without_quoting() -> None:
    parts = [Part("Southend Hospital", 90.0, "[suh]"), Part("GPs", "c", "[gp]")]
    assert breakdown_sentence("Staff trained (%)", "%", 1, parts) == (
        "Staff trained: Southend Hospital 90.0% [suh]; GPs withheld [gp]."
    )


def test_reference_names_the_curated_row() -> None:
    assert row_reference("cp_plan_rate", "E06000033", "2013-14", "Total") == (
        "[cp_plan_rate E06000033 2013-14]"
    )
    assert row_reference("training_pct", "E06000033", "2013-14 Q4", "SUH") == (
        "[training_pct E06000033 2013-14 Q4 SUH]"
    )


def test_sections_keep_report_order_and_take_new_themes_at_the_end() -> None:
    sections = report_sections(["child_protection", "finance", "private_fostering"])
    titles = [section.title for section in sections]
    assert titles[:3] == ["Context", "Early help and children in need", "Child protection"]
    assert titles[8:10] == ["Finance", "Board attendance"]
    assert sections[-1] == Section("Private fostering", ("private_fostering",))
    assert len(sections) == 11


def test_comparators_of_an_earlier_year_say_which_year() -> None:
    # A board's 2025-26 figure beside DfE's 2024-25 (2025-26 not yet published) read as if
    # England's figure were for 2025-26, and its rank as a rank among 2025-26 figures.
    figure = dataclasses.replace(
        REFERRALS, neighbours=593.1, rank=80, rank_of=152, comparator_year="2024-25"
    )
    assert figure_sentence(figure) == (
        "Referrals per 10,000 children rose from 457.2 [before] to 529.5 [now], below "
        "England's 573.3 and below the statistical neighbours' average of 593.1 (2024-25, the "
        "latest published). It would rank 80th highest among 152 local authorities' 2024-25 "
        "figures."
    )


def test_a_figure_of_another_period_than_the_chapters_year_names_it() -> None:
    # Child deaths by financial year in a chapter for October 2013 to September 2014.
    deaths = Figure(
        title="Deaths of children aged 0-17",
        unit="count",
        decimals=0,
        polarity="low_is_good",
        value=9,
        ref="[2013-14 Q4]",
        previous=10,
        previous_ref="[2012-13 Q4]",
        period="2013-14",
    )
    assert figure_sentence(deaths) == (
        "Deaths of children aged 0-17 fell from 10 [2012-13 Q4] to 9 [2013-14 Q4] (2013-14; a "
        "change for the better)."
    )
    spent = [Part("Total employees", 70015, "[a]"), Part("Total internal recharge", 2860, "[b]")]
    assert breakdown_sentence("Expenditure by heading (GBP)", "GBP", 0, spent, "2013-14") == (
        "Expenditure by heading (GBP) in 2013-14: Total employees 70,015 [a]; Total internal "
        "recharge 2,860 [b]."
    )
