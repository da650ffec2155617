"""Revisions: a resubmission that moves a figure further than its series usually moves.

A later file for the same area, agency, return and quarter replaces the earlier one (that is how
a partner corrects a slip). Most corrections are small; one that moves a figure further than the
series itself moved from quarter to quarter over the past year changes the story the figures
tell (91.2% of staff trained becoming 0.84%), so it is accepted but flagged "revised" (REV-001)
in the run summary and the scorecard's notes, for someone to confirm.

The usual range follows ONS's revisions analysis, which judges the size of a revision against
the size of the period-on-period movements of the same series ("Revisions policies for
official statistics", ONS, and the revisions triangles it publishes beside each release): a
revision larger than the largest quarter-on-quarter change of the previous LOOKBACK_QUARTERS
quarters is outside the usual range. With fewer than MIN_HISTORY earlier quarters there are no
movements to judge by, and the rule of RNG-001 (lscb_metrics.history) applies instead: the new
figure is more than FACTOR times, or less than 1/FACTOR of, the one it replaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import pandas as pd

from lscb_metrics.history import FACTOR, LOOKBACK_QUARTERS, MIN_HISTORY
from lscb_metrics.intake.failures import failure
from lscb_metrics.intake.rules import REVISED
from lscb_metrics.periods import Quarter, month_end_before, quarter_of
from lscb_metrics.reference.areas import area_label
from lscb_metrics.submissions import Submission

REVISION_COLUMNS = (
    "submission_id",
    "superseded_id",
    "area_code",
    "measure",
    "breakdown",
    "period_end",
    "previous_value",
    "value",
    "usual_change",
    "code",
    "message",
)
_SERIES = ["area_code", "measure", "breakdown"]


@dataclass(frozen=True)
class Revision:
    """A figure a resubmission changed by more than its series usually moves."""

    submission_id: str
    superseded_id: str
    area_code: str
    measure: str
    breakdown: str
    period_end: date
    previous_value: float
    value: float
    usual_change: float | None  # None: too little history, judged by FACTOR


def usual_change(earlier: pd.Series) -> float | None:
    """The largest absolute quarter-on-quarter change of a series' values (in period order, the
    previous LOOKBACK_QUARTERS quarters), in the series' own units; None with fewer than
    MIN_HISTORY values."""
    values = earlier.dropna().astype(float)
    if len(values) < MIN_HISTORY:
        return None
    return float(values.diff().abs().max())


def outside_usual_range(previous: float, value: float, usual: float | None) -> bool:
    """Whether replacing `previous` by `value` is a bigger move than the series usually makes:
    more than `usual` (its largest recent quarterly change), or, without a usual change, more
    than FACTOR times either way."""
    if pd.isna(previous) or pd.isna(value) or previous == value:
        return False
    if usual is not None:
        return abs(value - previous) > usual
    low, high = sorted((previous, value))
    return high > FACTOR * low


def replaced_versions(submissions: Iterable[Submission]) -> dict[str, Submission]:
    """For each accepted or superseded submission that followed an earlier accepted version of
    the same key, that earlier version, by the later one's submission id."""
    by_key: dict[tuple[object, ...], list[Submission]] = {}
    for submission in submissions:
        if submission.status in ("accepted", "superseded", "not_in_run"):
            by_key.setdefault(submission.key, []).append(submission)
    replaced = {}
    for versions in by_key.values():
        ordered = sorted(versions, key=lambda s: (s.received_at, s.file_path))
        for earlier, later in pairwise(ordered):
            replaced[later.submission_id] = earlier
    return replaced


def revisions(
    used: Iterable[Submission], submissions: Iterable[Submission], history: pd.DataFrame
) -> list[Revision]:
    """The figures of the `used` submissions that revise an earlier version's by more than the
    usual range; `history` is the facts of every used submission (the series' own quarters)."""
    replaced = replaced_versions(submissions)
    found = []
    for submission in used:
        earlier = replaced.get(submission.submission_id)
        if earlier is None or submission.facts.empty:
            continue
        previous = earlier.facts.set_index([*_SERIES, "period_end"])["value"]
        for fact in submission.facts.itertuples(index=False):
            key = (fact.area_code, fact.measure, fact.breakdown, fact.period_end)
            if key not in previous.index:
                continue
            before = float(previous.loc[key])
            usual = usual_change(_earlier_values(history, fact))
            if outside_usual_range(before, fact.value, usual):
                found.append(
                    Revision(
                        submission.submission_id,
                        earlier.submission_id,
                        fact.area_code,
                        fact.measure,
                        fact.breakdown,
                        fact.period_end,
                        before,
                        float(fact.value),
                        usual,
                    )
                )
    return found


def recent_revisions(
    used: Iterable[Submission],
    submissions: Iterable[Submission],
    history: pd.DataFrame,
    quarter: Quarter,
) -> list[Revision]:
    """The revisions of figures for the four quarters up to `quarter` (the year whose figures the
    run publishes), in area, measure and period order."""
    since = month_end_before(quarter.end, 12)
    found = revisions(used, submissions, history)
    found = [r for r in found if since < r.period_end <= quarter.end]
    return sorted(found, key=lambda r: (r.area_code, r.measure, r.breakdown, r.period_end))


def _earlier_values(history: pd.DataFrame, fact: object) -> pd.Series:
    """The series' values at the LOOKBACK_QUARTERS quarter ends before the fact's, oldest first."""
    ends = [month_end_before(fact.period_end, 3 * back) for back in range(LOOKBACK_QUARTERS, 0, -1)]
    series = history[
        (history["area_code"] == fact.area_code)
        & (history["measure"] == fact.measure)
        & (history["breakdown"] == fact.breakdown)
        & history["period_end"].isin(ends)
    ]
    return series.sort_values("period_end")["value"]


def revision_message(revision: Revision, names: Mapping[str, str]) -> str:
    """REV-001's message for a revision: what changed, from what, and against what range; its
    area named by `names` (`area_names`) and ONS code."""
    if revision.usual_change is None:
        usual = f"more than {FACTOR:g} times either way, with too little history to judge by"
    else:
        usual = (
            f"more than the largest change from quarter to quarter over the previous "
            f"{LOOKBACK_QUARTERS} quarters ({revision.usual_change:,.0f})"
        )
    return failure(
        REVISED,
        f"{area_label(revision.area_code, names)} {revision.period_end.isoformat()}",
        column=revision.measure,
        value=f"{revision.value:,.0f}",
        measure=revision.measure
        if revision.breakdown == "Total"
        else (f"{revision.measure} ({revision.breakdown})"),
        previous=f"{revision.previous_value:,.0f}",
        superseded=revision.superseded_id,
        usual=usual,
    ).message


def revision_notice(
    area_code: str, measure: str, breakdown: str, period_end: date, names: Mapping[str, str]
) -> str:
    """REV-001 as the public edition states it: which figure was revised, never its values;
    the area named by `names` and the quarter by its label, as the public reads them."""
    # The message quotes the quarter's own figures, before and after, which may be a count of 1
    # to 5 children that no public file may show (DfE: counts of 1 to 5 are suppressed).
    named = measure if breakdown == "Total" else f"{measure} ({breakdown})"
    return (
        f"{area_label(area_code, names)}, {quarter_of(period_end).label}: {named} was revised "
        "by more than the series usually moves; it is used as resubmitted."
    )


def revisions_table(found: Iterable[Revision], names: Mapping[str, str]) -> pd.DataFrame:
    """audit.revisions rows: each flagged revision with REV-001's code and message (its area
    named by `names`)."""
    return pd.DataFrame(
        [
            {
                **{name: getattr(r, name) for name in REVISION_COLUMNS[:9]},
                "code": REVISED.code,
                "message": revision_message(r, names),
            }
            for r in found
        ],
        columns=list(REVISION_COLUMNS),
    ).astype(dict.fromkeys(("previous_value", "value", "usual_change"), "float64"))
