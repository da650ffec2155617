"""Board outcomes on the shipped boards, Southend (E06000033) and Thurrock (E06000034): which
board a rejected file counts against (`rejected_against`), when a complete edition is kept
(`kept_edition`), and when a withdrawal publishes the current edition again
(`withdrawal_edition`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from lscb_metrics.boards import load_boards
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import (
    BoardOutcome,
    counts_in_run,
    first_return_quarters,
    kept_edition,
    last_used_withdrawn,
    rejected_against,
    run_relations,
    withdrawal_edition,
)
from lscb_metrics.submissions import Submission

BOARDS = load_boards()
SOUTHEND, THURROCK = BOARDS.by_slug["southend"], BOARDS.by_slug["thurrock"]
Q2 = parse_quarter("2014-15-Q2")


def rejected(**cover: object) -> Submission:
    """A rejected file whose cover says `cover`."""
    return Submission("S-1", "f.xlsx", "0" * 64, 1, datetime.now(UTC), cover=dict(cover))


@pytest.mark.parametrize(
    ("cover", "against"),
    [
        # Its area is Southend's: Southend's alone.
        ({"area_code": "E06000033", "agency_code": "TC-CSC"}, {"southend"}),
        # Devon has no board, but the agency is Thurrock's: Thurrock's alone.
        ({"area_code": "E10000008", "agency_code": "TC-CSC"}, {"thurrock"}),
        # Nothing readable names a board: every board's, as none can say it was not theirs.
        ({"area_code": "E10000008", "agency_code": "NOBODY"}, {"southend", "thurrock"}),
        ({}, {"southend", "thurrock"}),
        # Another quarter's file is that quarter's.
        ({"area_code": "E06000033", "period_end": date(2014, 12, 31)}, set()),
        ({"area_code": "E06000033", "period_end": Q2.end}, {"southend"}),
    ],
)
def test_a_rejected_file_counts_against_the_board_it_names(cover, against) -> None:
    boards = {
        b.slug for b in (SOUTHEND, THURROCK) if rejected_against(rejected(**cover), b, BOARDS, Q2)
    }
    assert boards == against


def runs(*rows: tuple[str, str, str, bool]) -> pd.DataFrame:
    """audit.board_runs rows (board, period, outcome, published), oldest first."""
    return pd.DataFrame(
        [
            {"board": b, "period": p, "outcome": o, "published": pub, "started_at": n}
            for n, (b, p, o, pub) in enumerate(rows)
        ]
    )


def outcome(result: str, has_returns: bool = True) -> BoardOutcome:
    return BoardOutcome(SOUTHEND, result, ["SBC-CSC assessments"], [], has_returns)


def test_an_incomplete_edition_does_not_replace_a_complete_one() -> None:
    """One early return for Q3 must not swap the complete Q2 edition for an almost empty one."""
    history = runs(("southend", "2014-15 Q2", "complete", True))
    kept = kept_edition(outcome("incomplete"), history, publish_incomplete=False)
    assert (kept.kept, kept.publishes) == ("2014-15 Q2", False)
    forced = kept_edition(outcome("incomplete"), history, publish_incomplete=True)
    assert (forced.kept, forced.publishes) == (None, True)


@pytest.mark.parametrize(
    "history",
    [
        runs(),  # no edition yet: something is better than nothing
        runs(("southend", "2014-15 Q1", "incomplete", True)),  # the current one is no better
        runs(("thurrock", "2014-15 Q2", "complete", True)),  # another board's
        # A kept run published nothing: the edition is the incomplete one before it.
        runs(
            ("southend", "2014-15 Q1", "incomplete", True),
            ("southend", "2014-15 Q2", "complete", False),
        ),
    ],
)
def test_an_incomplete_edition_is_published_where_it_loses_nothing(history) -> None:
    assert kept_edition(outcome("incomplete"), history, publish_incomplete=False).publishes


def test_a_complete_edition_or_one_without_returns_is_left_as_it_is() -> None:
    history = runs(("southend", "2014-15 Q2", "complete", True))
    assert kept_edition(outcome("complete"), history, False).publishes
    none = kept_edition(outcome("no returns", has_returns=False), history, False)
    assert none.kept is None and not none.publishes


def test_a_withdrawn_submission_the_board_last_used_is_named() -> None:
    """Its figures in the warehouse still hold it until a run commits without it."""
    history = runs(("southend", "2014-15 Q2", "complete", True)).assign(
        submissions_used=[["S-1", "S-2"]]
    )
    assert last_used_withdrawn(SOUTHEND, history, frozenset({"S-2"})) == ("S-2",)
    assert last_used_withdrawn(SOUTHEND, history, frozenset({"S-9"})) == ()
    assert last_used_withdrawn(THURROCK, history, frozenset({"S-2"})) == ()
    assert last_used_withdrawn(SOUTHEND, history, frozenset()) == ()


def test_a_withdrawal_without_returns_publishes_the_current_edition_again() -> None:
    """Withdrawn figures never stay published: with no returns for the run's quarter (Q3), the
    board's current edition (Q2) is written again for Q2, its outcome judged for Q2 (here with
    no Q2 return left, so "no returns")."""
    history = runs(("southend", "2014-15 Q1", "complete", True))
    history = pd.concat([history, runs(("southend", "2014-15 Q2", "complete", True))])
    history["started_at"] = [0, 1]
    none = replace(outcome("no returns", has_returns=False), withdrawn=("S-2",))
    again = withdrawal_edition(none, history, [], [], BOARDS, {})
    assert (again.republishes, again.publishes, again.withdrawn) == (Q2, True, ("S-2",))
    assert again.edition_quarter(parse_quarter("2014-15-Q3")) == Q2
    assert again.outcome == "no returns" and again.missing  # judged for Q2: all missing


@pytest.mark.parametrize(
    ("result", "has_returns", "withdrawn", "history"),
    [
        # The run publishes anyway: its own quarter's edition, without the withdrawn figures.
        ("complete", True, ("S-2",), runs(("southend", "2014-15 Q2", "complete", True))),
        # Nothing withdrawn: the edition stays as it is.
        ("no returns", False, (), runs(("southend", "2014-15 Q2", "complete", True))),
        # No edition was ever published: there is nothing to publish again.
        ("no returns", False, ("S-2",), runs(("southend", "2014-15 Q2", "incomplete", False))),
    ],
)
def test_a_withdrawal_republishes_nothing_otherwise(
    result, has_returns, withdrawn, history
) -> None:
    given = replace(outcome(result, has_returns), withdrawn=withdrawn)
    assert withdrawal_edition(given, history, [], [], BOARDS, {}) == given


def test_a_complete_edition_built_on_a_withdrawn_submission_is_not_kept() -> None:
    """A withdrawn return's figures must leave the published edition: the incomplete edition
    computed without them replaces the complete one that shows them."""
    history = runs(("southend", "2014-15 Q2", "complete", True)).assign(
        submissions_used=[["S-1", "S-2"]]
    )
    replaced = kept_edition(outcome("incomplete"), history, False, frozenset({"S-2"}))
    assert (replaced.kept, replaced.publishes) == (None, True)
    kept = kept_edition(outcome("incomplete"), history, False, frozenset({"S-9"}))
    assert (kept.kept, kept.publishes) == ("2014-15 Q2", False)


def test_a_file_naming_no_quarter_counts_only_in_the_run_that_received_it() -> None:
    """An unreadable file left in the folder must not hold back every board's quarters for as
    long as it stays; a file naming its quarter counts in that quarter whenever it is run."""
    run_started = datetime(2015, 1, 10, 9, 0)
    unreadable = rejected()
    unreadable.received_at = run_started
    assert counts_in_run(unreadable, run_started)
    unreadable.received_at = datetime(2014, 10, 5, 9, 0)  # received by an earlier run
    assert not counts_in_run(unreadable, run_started)
    named = rejected(area_code="E06000033", period_end=Q2.end)
    named.received_at = datetime(2014, 10, 5, 9, 0)
    assert counts_in_run(named, run_started)


def test_an_earlier_quarter_never_replaces_a_later_edition() -> None:
    """Running 2014-15 Q2 again after Q3 was published records its figures but keeps the Q3
    edition, complete or not: the board's website shows its latest quarter."""
    history = runs(("southend", "2014-15 Q3", "incomplete", True))
    again = kept_edition(outcome("complete"), history, True, quarter=Q2)
    assert (again.kept, again.publishes) == ("2014-15 Q3", False)
    same = kept_edition(outcome("complete"), history, True, quarter=parse_quarter("2014-15-Q3"))
    assert (same.kept, same.publishes) == (None, True)


CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"
NORTH_YORKSHIRE_OLD, NORTH_YORKSHIRE = "E10000023", "E06000065"


def test_each_areas_first_quarter_is_its_returns_whoever_sent_them() -> None:
    """As the area's scorecard and workbook take it (`first_return_quarter`): a split's new
    authorities start again, a change of ONS code alone runs on, a quarter after the run's
    does not count, and an area with no returns has none."""
    areas = pd.DataFrame(
        {
            "area_code": [CUMBRIA, CUMBERLAND, WESTMORLAND, NORTH_YORKSHIRE_OLD, NORTH_YORKSHIRE],
            "old_la_code": ["909", "942", "943", "815", "815"],
            "first_reporting_year": [2013, 2023, 2023, 2013, 2023],
        }
    )
    # Returns from 2022-23 Q1 for the county and under North Yorkshire's old code, from 2023-24
    # Q2 for Cumberland (its 2023-24 Q3 return is after the run's quarter).
    facts = pd.DataFrame(
        {
            "area_code": [CUMBRIA, CUMBERLAND, CUMBERLAND, NORTH_YORKSHIRE_OLD, NORTH_YORKSHIRE],
            "period_end": [
                date(2022, 6, 30),
                date(2023, 9, 30),
                date(2023, 12, 31),
                date(2022, 6, 30),
                date(2023, 6, 30),
            ],
        }
    )
    relations = {"reference.areas": areas, "staged.partner_facts": facts}
    names = tuple(relations)
    board = replace(SOUTHEND, areas=(CUMBRIA, CUMBERLAND, WESTMORLAND))
    quarter = parse_quarter("2023-24-Q2")
    north_yorkshire = replace(SOUTHEND, areas=(NORTH_YORKSHIRE_OLD, NORTH_YORKSHIRE))
    with run_relations(relations, names) as connection:
        # Cumbria no longer exists; Westmorland and Furness has sent nothing.
        assert first_return_quarters(connection, board, quarter) == {
            CUMBERLAND: parse_quarter("2023-24-Q2")
        }
        assert first_return_quarters(connection, north_yorkshire, quarter) == {
            NORTH_YORKSHIRE: parse_quarter("2022-23-Q1")
        }
