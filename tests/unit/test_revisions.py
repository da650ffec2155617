"""REV-001: a resubmission that moves a figure further than its series usually moves is used,
and flagged "revised"; a small correction is not."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from lscb_metrics.periods import Quarter, parse_quarter
from lscb_metrics.revisions import (
    outside_usual_range,
    recent_revisions,
    revision_message,
    revisions_table,
    usual_change,
)
from lscb_metrics.submissions import Submission, choose_submissions

AREA = "E06000033"
#: The area's name, as the shipped reference data gives it (`area_names`).
NAMES = {AREA: "Southend-on-Sea"}
# Staff trained in date at Southend Hospital's level 3, quarter by quarter: it moves by at most 30.
SERIES = {
    date(2013, 9, 30): 880.0,
    date(2013, 12, 31): 900.0,
    date(2014, 3, 31): 870.0,
    date(2014, 6, 30): 895.0,
}
Q2 = date(2014, 9, 30)


def facts(values: dict[date, float], submission_id: str) -> pd.DataFrame:
    """Training facts of one area and level at the given quarter ends."""
    return pd.DataFrame(
        {
            "measure": "staff_trained",
            "area_code": AREA,
            "breakdown": "Level 3",
            "period_start": [end.replace(day=1) for end in values],
            "period_end": list(values),
            "value": list(values.values()),
            "submission_id": submission_id,
        }
    )


def submission(submission_id: str, value: float, hour: int) -> Submission:
    """A training return for 2014-15 Q2 received at `hour` o'clock."""
    sent = Submission(
        submission_id=submission_id,
        file_path=f"{submission_id}.xlsx",
        sha256=submission_id * 4,
        size_bytes=1,
        received_at=datetime(2014, 10, 10, hour),
        status="accepted",
        cover={
            "area_code": AREA,
            "agency_code": "SUH",
            "return_type": "training",
            "period_end": Q2,
        },
    )
    sent.facts = facts({Q2: value}, submission_id)
    return sent


def run_revisions(first: float, second: float, history: dict[date, float] = SERIES) -> list:
    """The revisions a run for 2014-15 Q2 flags when `first` is resubmitted as `second`."""
    sent = [submission("S-1", first, 9), submission("S-2", second, 11)]
    quarter = parse_quarter("2014-15-Q2")
    used = choose_submissions(sent, quarter)
    series = pd.concat([facts(history, "S-0"), *(s.facts for s in used)], ignore_index=True)
    return recent_revisions(used, sent, series, quarter)


def test_usual_change_is_the_largest_quarterly_move() -> None:
    # 880 -> 900 -> 870 -> 895: moves of 20, 30 and 25
    assert usual_change(pd.Series(list(SERIES.values()))) == 30.0
    assert usual_change(pd.Series([880.0])) is None  # one quarter shows no movement


@pytest.mark.parametrize(
    ("previous", "value", "usual", "revised"),
    [
        (912, 8, 30.0, True),  # 91.2% trained becoming 0.8%: far beyond a quarterly move
        (912, 890, 30.0, False),  # a correction of 22, within the usual 30
        (912, 942, 30.0, False),  # exactly the largest move is still usual
        (100, 201, None, True),  # no history: more than twice the figure replaced
        (100, 190, None, False),
        (100, 100, 0.0, False),  # the same figure sent again
    ],
)
def test_a_change_is_judged_against_the_series(
    previous: float, value: float, usual: float | None, revised: bool
) -> None:
    assert outside_usual_range(previous, value, usual) is revised


def test_a_big_resubmission_is_used_and_flagged_revised() -> None:
    [revision] = run_revisions(912, 8)
    assert (revision.submission_id, revision.superseded_id) == ("S-2", "S-1")
    assert (revision.previous_value, revision.value, revision.usual_change) == (912, 8, 30)
    message = revision_message(revision, NAMES)
    # A business manager reads the area's name; the code tells North Yorkshire's two apart.
    assert message.startswith(
        f"Southend-on-Sea ({AREA}) 2014-09-30: staff_trained (Level 3) revised to 8 from 912"
    )
    assert "(submission S-1)" in message and "previous 4 quarters (30)" in message
    table = revisions_table([revision], NAMES)
    assert table.loc[0, "code"] == "REV-001" and table.loc[0, "message"] == message


def test_a_small_correction_is_not_flagged() -> None:
    assert run_revisions(912, 905) == []


def test_without_history_a_doubling_is_flagged() -> None:
    [revision] = run_revisions(40, 100, history={})
    assert revision.usual_change is None
    assert "more than 2 times either way" in revision_message(revision, NAMES)


def test_the_scorecard_notes_name_each_revised_figure_as_inert_text() -> None:
    from lscb_metrics.publish.scorecard import _notes_section

    message = revision_message(run_revisions(912, 8)[0], NAMES)
    notes = _notes_section({}, Quarter(2014, 2), (message + " <script>",))
    assert '<h3 id="revised">Revised figures</h3>' in notes
    assert "<li>revised: Southend-on-Sea (E06000033) 2014-09-30: staff_trained (Level 3)" in notes
    assert "&lt;script&gt;" in notes and "<script>" not in notes
    assert "Revised figures" not in _notes_section({}, Quarter(2014, 2))


def test_the_run_summary_names_ten_rejected_files_and_counts_the_rest() -> None:
    from lscb_metrics.pipeline import RunSummary
    from lscb_metrics.report import LISTED, run_summary_text

    rejected = [submission(f"S-{n:02d}", 1, 9) for n in range(25)]
    for item in rejected:
        item.status = "rejected"
    summary = RunSummary(
        "r", parse_quarter("2014-15-Q2"), "incomplete", "w", rejected, [], None, None
    )
    summary.revisions = run_revisions(912, 8) * 12
    summary.boards = [board_outcome("southend")]
    lines = run_summary_text(summary).splitlines()
    assert sum(line.startswith("  rejected: ") for line in lines) == LISTED == 10
    assert "  ... and 15 more rejected (audit.submissions)" in lines
    assert sum(line.startswith("  revised: ") for line in lines) == LISTED
    assert "  ... and 2 more revised (audit.revisions)" in lines


def board_outcome(slug: str) -> object:
    """A shipped board's outcome without returns, as a run of that board alone has it."""
    from lscb_metrics.boards import load_boards
    from lscb_metrics.pipeline import BoardOutcome

    return BoardOutcome(load_boards().by_slug[slug], "no returns", [], [], False)


def test_a_run_of_one_board_lists_that_boards_revisions_alone() -> None:
    """Revisions are found over every board's submissions (audit.revisions keeps them all), but
    a run of Thurrock alone does not tell its manager about Southend's figures."""
    from lscb_metrics.pipeline import RunSummary
    from lscb_metrics.report import revision_lines

    summary = RunSummary("r", parse_quarter("2014-15-Q2"), "complete", "w", [], [], None, None)
    summary.revisions = run_revisions(912, 8)  # Southend's (E06000033)
    summary.boards = [board_outcome("thurrock")]
    assert revision_lines(summary) == []
    summary.boards = [board_outcome("southend")]
    assert len(revision_lines(summary)) == 1
