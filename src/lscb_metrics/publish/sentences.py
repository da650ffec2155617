"""The comparison sentences of the annual report's data chapter, written from published figures.

Pure functions of one figure as published (rounded to the catalogue's decimals, a symbol where
it is withheld): the change on the year before by the published numbers, and the position
against England and the region by the Fingertips comparison already in curated.comparisons
(`lscb_metrics.stats.comparison`), or by the published numbers where no comparison could be
made (a published rate without counts has no interval). A withheld figure (c) is never quoted:
the sentence says it is withheld.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lscb_metrics.stats import comparison as cmp
from lscb_metrics.stats.disclosure import SUPPRESSED
from lscb_metrics.stats.polarity import HIGH_IS_GOOD, LOW_IS_GOOD
from lscb_metrics.stats.rounding import round_half_away_from_zero

#: A published cell: a number, a symbol (c, x, z, low) or None where there is nothing.
Cell = float | int | str | None

# Fingertips label -> how the sentence places the area against the benchmark.
_POSITION = {
    cmp.SIMILAR: "similar to",
    cmp.LOWER: "below",
    cmp.HIGHER: "above",
    cmp.BETTER: "better than",
    cmp.WORSE: "worse than",
    cmp.BEST: "significantly better than",
    cmp.WORST: "significantly worse than",
}


@dataclass(frozen=True)
class Figure:
    """One of the board's figures as published, with what it is compared with.

    `ref` names the curated row of `value` (and of its comparators, in curated.comparisons under
    the same key); `previous_ref` the row of `previous`, the figure a year earlier.
    """

    title: str
    unit: str
    decimals: int
    polarity: str
    value: Cell
    ref: str
    previous: Cell = None
    previous_ref: str | None = None
    england: Cell = None
    vs_england: str | None = None
    region_name: str | None = None
    region: Cell = None
    vs_region: str | None = None
    neighbours: Cell = None
    rank: Cell = None
    rank_of: Cell = None
    #: The year of the published comparators and rank where it is not the figure's own ('2024-25'
    #: beside a board's 2025-26 figure: DfE has not yet published 2025-26).
    comparator_year: str | None = None
    #: The period ('mid-2023') of a figure older than the year before, quoted as the latest
    #: published (ONS single-year ages end at mid-2023).
    latest_published: str | None = None
    #: The period ('2013-14') of a figure quoted for another period than the chapter's year
    #: (child deaths by financial year in a year to September 2014).
    period: str | None = None


def is_number(cell: Cell) -> bool:
    """True where a published cell holds a number (not a symbol, not missing)."""
    return isinstance(cell, int | float) and not isinstance(cell, bool) and not math.isnan(cell)


def as_float(cell: Cell) -> float:
    """A published number as a float; ValueError for a symbol or nothing."""
    if not (isinstance(cell, int | float) and is_number(cell)):
        raise ValueError(f"{cell!r} is not a published number")
    return float(cell)


def number_text(value: Cell, unit: str, decimals: int) -> str:
    """A published number as the text says it: thousands separated, '%' for percentages."""
    text = f"{round_half_away_from_zero(as_float(value), decimals):,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


def subject(title: str) -> str:
    """The indicator's title as the subject of a sentence ('(%)' is said by the figures)."""
    return title.removesuffix(" (%)")


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def change_clause(figure: Figure) -> str:
    """'rose from 457.2 [ref] to 529.5 [ref]' (or fell, or stayed at), with whether the
    change is for the better where the indicator has a polarity; 'stood at 529.5 [ref]' without
    a published figure a year earlier. A figure quoted as the latest published names its
    period: 'stood at 41,583 [ref] (mid-2023, the latest published)', and one of another
    period than the chapter's year names it: 'fell from 10 [ref] to 9 [ref] (2013-14; a change
    for the better)'."""
    now = number_text(figure.value, figure.unit, figure.decimals)
    if figure.latest_published:
        asides = [f"{figure.latest_published}, the latest published"]
    else:
        asides = [figure.period] if figure.period else []
    if not is_number(figure.previous):
        return f"stood at {now} {figure.ref}{parenthesis(asides)}"
    before = number_text(figure.previous, figure.unit, figure.decimals)
    if before == now:
        return f"stayed at {now} {figure.previous_ref} {figure.ref}{parenthesis(asides)}"
    rose = as_float(figure.value) > as_float(figure.previous)
    verb = "rose" if rose else "fell"
    if figure.polarity in (HIGH_IS_GOOD, LOW_IS_GOOD):
        better = rose == (figure.polarity == HIGH_IS_GOOD)
        asides.append(f"a change for the {'better' if better else 'worse'}")
    return f"{verb} from {before} {figure.previous_ref} to {now} {figure.ref}{parenthesis(asides)}"


def parenthesis(asides: Sequence[str]) -> str:
    """' (a; b)': the asides on a figure in one parenthesis, or '' without any."""
    return f" ({'; '.join(asides)})" if asides else ""


def position(value: Cell, benchmark: Cell, label: str | None, decimals: int) -> str:
    """How a value stands against a benchmark: the Fingertips label where one was computed,
    otherwise by the published numbers (above, below or the same as)."""
    if label is not None and label in _POSITION:
        return _POSITION[label]
    shown = round_half_away_from_zero(as_float(value), decimals)
    bench = round_half_away_from_zero(as_float(benchmark), decimals)
    return "the same as" if shown == bench else ("above" if shown > bench else "below")


def comparator_clauses(figure: Figure) -> list[str]:
    """'below England's 573.3', 'above the East of England region's 445.7', 'below the
    statistical neighbours' average of 593.1': each comparator that is published."""
    unit, decimals = figure.unit, figure.decimals
    clauses = []
    if is_number(figure.england):
        where = position(figure.value, figure.england, figure.vs_england, decimals)
        clauses.append(f"{where} England's {number_text(figure.england, unit, decimals)}")
    if is_number(figure.region) and figure.region_name:
        where = position(figure.value, figure.region, figure.vs_region, decimals)
        region = number_text(figure.region, unit, decimals)
        clauses.append(f"{where} the {figure.region_name} region's {region}")
    if is_number(figure.neighbours):
        where = position(figure.value, figure.neighbours, None, decimals)
        average = number_text(figure.neighbours, unit, decimals)
        clauses.append(f"{where} the statistical neighbours' average of {average}")
    if clauses and figure.comparator_year:
        clauses[-1] += f" ({figure.comparator_year}, the latest published)"
    return clauses


def rank_sentence(figure: Figure) -> str:
    """'It ranks 80th highest of 152 local authorities in England.' (LAIT; against an earlier
    year's: 'It would rank 80th highest among 152 local authorities' 2024-25 figures.'), or ''."""
    if not (is_number(figure.rank) and is_number(figure.rank_of)):
        return ""
    order = "" if figure.polarity in (HIGH_IS_GOOD, LOW_IS_GOOD) else " highest"
    best = " (1st is best)" if not order else ""
    rank, of = int(as_float(figure.rank)), int(as_float(figure.rank_of))
    if figure.comparator_year:
        return (
            f" It would rank {ordinal(rank)}{order} among {of} local authorities' "
            f"{figure.comparator_year} figures{best}."
        )
    return f" It ranks {ordinal(rank)}{order} of {of} local authorities in England{best}."


def joined(clauses: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(clauses) < 2:
        return "".join(clauses)
    return f"{', '.join(clauses[:-1])} and {clauses[-1]}"


def figure_sentence(figure: Figure) -> str:
    """The report's sentence on one figure, e.g. "Referrals rose from 457.2 [ref] to 529.5
    [ref], below England's 573.3 and ... ." A withheld or missing figure is not quoted."""
    if not is_number(figure.value):
        why = (
            "is withheld to protect confidentiality"
            if figure.value == SUPPRESSED
            else "is not available"
        )
        return f"{subject(figure.title)}: the figure {why} {figure.ref}."
    comparators = joined(comparator_clauses(figure))
    tail = f", {comparators}" if comparators else ""
    return f"{subject(figure.title)} {change_clause(figure)}{tail}.{rank_sentence(figure)}"


@dataclass(frozen=True)
class Part:
    """One part of a figure broken down (training by agency): its name, published value and
    the reference of its curated row."""

    name: str
    value: Cell
    ref: str


def breakdown_sentence(
    title: str, unit: str, decimals: int, parts: Sequence[Part], period: str | None = None
) -> str:
    """'Staff trained in safeguarding: Southend Hospital 90.0% [ref]; ...; GPs withheld [ref].'
    in the order given; a withheld part is named but never quoted. A `period` other than the
    chapter's year is named: 'The board's expenditure by heading (GBP) in 2013-14: ...'."""
    items = [f"{name_and_value(part, unit, decimals)} {part.ref}" for part in parts]
    during = f" in {period}" if period else ""
    return f"{subject(title)}{during}: {'; '.join(items)}."


def name_and_value(part: Part, unit: str, decimals: int) -> str:
    """'Southend Hospital 90.0%', 'GPs withheld' or 'GPs not available'."""
    if is_number(part.value):
        return f"{part.name} {number_text(part.value, unit, decimals)}"
    return f"{part.name} {'withheld' if part.value == SUPPRESSED else 'not available'}"
