"""A board's profile over the years, in a copy of the project with the two demo boards, each
quarter run and committed to a real warehouse (stage level: ingest, compute, quality, commit):
a partnership formed by a merger takes an area over from a quarter, and a board whose profile
is removed, or whose folder is renamed, is named for what it is."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from lscb_metrics import pipeline
from lscb_metrics.boards import load_boards
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.periods import parse_quarter
from lscb_metrics.publish.dictionary import BOARDS_SIDE_BY_SIDE
from lscb_metrics.publish.scorecard import read_scorecard_data
from lscb_metrics.report import board_summary_lines, run_summary_text
from tests.stages import PROJECT, project_copy, received_returns

RETURNS = PROJECT / "data" / "raw" / "returns"
QUARTERS = ("2014-15-Q1", "2014-15-Q2")
SOUTHEND, THURROCK = "E06000033", "E06000034"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project with both demo boards' returns for 2014-15 Q1 and Q2."""
    root = project_copy(tmp_path / "project")
    for quarter in QUARTERS:
        shutil.copytree(RETURNS / quarter, root / "data/raw/returns/southend" / quarter)
        shutil.copytree(
            RETURNS / "thurrock" / quarter, root / "data/raw/returns/thurrock" / quarter
        )
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    for name in ("LSCB_WAREHOUSE", "LSCB_RETURNS", "LSCB_CASES"):
        monkeypatch.delenv(name, raising=False)
    return root


def planned(project: Path, demo_reference, period: str) -> pipeline.RunPlan:
    """The run of `period` for every board as the project's profiles now stand, not committed."""
    run_settings = settings()
    reference = replace(demo_reference, boards=load_boards(project / "schemas"))
    return pipeline.compute_run(
        run_settings,
        parse_quarter(period),
        received_returns(run_settings, reference),
        reference,
        datetime.now(UTC),
    )


def committed(project: Path, demo_reference, period: str) -> pipeline.RunSummary:
    """The run of `period` for every board, committed once its checkpoint passes."""
    plan = planned(project, demo_reference, period)
    with pipeline.staged_commit(settings(), plan) as staged:
        quality, _ = pipeline.check_run(plan, project / "docs")
        assert quality.success, quality.failed
        return pipeline.commit_run(settings(), plan, quality, staged)


def profile(project: Path, slug: str) -> Path:
    return project / "schemas" / "boards" / slug / "board.yaml"


def partner_figures(project: Path, area: str) -> dict[str, float]:
    """The area's partner-return child protection plan rate by quarter end (committed)."""
    with duckdb.connect(str(settings().warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT period_end, value FROM curated.indicator_values WHERE area_code = ? "
            "AND indicator_id = 'cp_plan_rate' AND source_type = 'partner_return'",
            [area],
        ).fetchall()
    return {str(end): value for end, value in rows}


def test_a_merger_leaves_the_replaced_boards_history_and_takes_their_area_on(
    project: Path, demo_reference, capsys
) -> None:
    committed(project, demo_reference, "2014-15-Q1")
    before = partner_figures(project, THURROCK)
    assert list(before) == ["2014-06-30"]
    # From Q2 Southend's board becomes a partnership covering Thurrock too: each council, school
    # and hospital reports for its own area, Essex Police and the child death panel for both;
    # Thurrock's board covers its area up to Q1.
    southend = profile(project, "southend")
    lines = [
        line.replace("returns:", "areas: [E06000033], returns:")
        if line.startswith("  - {code: ") and "ESSEX-POLICE" not in line and "SET-CDOP" not in line
        else line
        for line in southend.read_text().splitlines()
    ]
    lines += [
        line.replace("returns:", "areas: [E06000034], from: 2014-15-Q2, returns:")
        for line in profile(project, "thurrock").read_text().splitlines()
        if line.startswith("  - {code: TC-") or "code: BTUH" in line
    ]
    southend.write_text(
        "\n".join(lines).replace(
            "areas: [E06000033]   #", "areas: [E06000033, {code: E06000034, from: 2014-15-Q2}] #"
        )
        + "\n"
    )
    # The partnership has one local target, Southend's 40 days, which Thurrock's council adopts.
    assessments = project / "data/raw/returns/thurrock/2014-15-Q2/TC-CSC_assessments.csv"
    assessments.write_text(assessments.read_text().replace(",503,45", ",503,40"))
    thurrock = profile(project, "thurrock")
    thurrock.write_text(
        thurrock.read_text().replace(
            "areas: [E06000034]", "areas: [{code: E06000034, until: 2014-15-Q1}]"
        )
    )

    summary = committed(project, demo_reference, "2014-15-Q2")

    outcomes = {o.board.slug: o for o in summary.boards}
    # Thurrock's Q2 returns (its council's, its hospital's) are the partnership's now ...
    partnership = outcomes["southend"]
    assert (partnership.outcome, partnership.missing, partnership.publishes) == (
        "complete",
        [],
        True,
    )
    # ... Thurrock's board expects nothing more, keeps its edition, and is not incomplete.
    closed = outcomes["thurrock"]
    assert (closed.outcome, closed.missing, closed.publishes) == ("no returns", [], False)
    # Named as the business manager knows it, and by code as the profile gives it.
    assert (
        "Covers no area in 2014-15 Q2 (its areas: Thurrock (E06000034) until 2014-15 Q1)"
        in run_summary_text(summary)
    )
    # Nor has it a data chapter for the year, which says so naming the area the same way.
    assert main(["report", "--year", "2014-15", "--board", "thurrock"]) == 2
    assert (
        "covered no area at the end of 2014-15; its areas: Thurrock (E06000034) until 2014-15 Q1"
        in capsys.readouterr().err
    )
    # The area's series runs on: Q1 as Thurrock's board left it, Q2 from the partnership.
    after = partner_figures(project, THURROCK)
    assert {k: v for k, v in after.items() if k in before} == before
    assert "2014-09-30" in after
    with duckdb.connect(str(settings().warehouse), read_only=True) as connection:
        owners = connection.execute(
            "SELECT board, covered_from, covered_until FROM reference.boards "
            "WHERE area_code = ? ORDER BY board",
            [THURROCK],
        ).fetchall()
        # Every board's latest figures, as the README and the data dictionary compare them:
        # Thurrock's Q2 figure once, under the partnership that covers it then.
        latest = connection.execute(BOARDS_SIDE_BY_SIDE.sql).fetchall()
    assert [(board, str(first), str(last)) for board, first, last in owners] == [
        ("southend", "2014-07-01", "None"),
        ("thurrock", "None", "2014-06-30"),
    ]
    assert [(row[0], row[1], row[3]) for row in latest] == [
        ("southend", SOUTHEND, "2014-15 Q2"),
        ("southend", THURROCK, "2014-15 Q2"),
    ]


def test_a_partnership_taking_an_area_over_says_of_its_first_returns_what_its_edition_says(
    project: Path, demo_reference
) -> None:
    committed(project, demo_reference, "2014-15-Q1")
    # From Q2 a new partnership, with the same agencies, takes Thurrock over from its board.
    thurrock = profile(project, "thurrock")
    partnership = profile(project, "thurrock-scp")
    partnership.parent.mkdir()
    partnership.write_text(
        thurrock.read_text()
        .replace("name: Thurrock Local", "name: Thurrock")
        .replace("areas: [E06000034]", "areas: [{code: E06000034, from: 2014-15-Q2}]")
    )
    thurrock.write_text(
        thurrock.read_text().replace(
            "areas: [E06000034]", "areas: [{code: E06000034, until: 2014-15-Q1}]"
        )
    )

    summary = committed(project, demo_reference, "2014-15-Q2")

    [outcome] = [o for o in summary.boards if o.board.slug == "thurrock-scp"]
    edition = read_scorecard_data(
        settings().warehouse, outcome.board, parse_quarter("2014-15-Q2").end, area_code=THURROCK
    )
    # The area's returns start with Q1, its old board's: the partnership's own, with Q2, were
    # what the run summary went by, while its scorecard and workbook went by the area's.
    assert edition.first_figures is not None
    assert edition.first_figures.startswith("Partner returns start with 2014-15 Q1:")
    assert f"  {edition.first_figures}" in board_summary_lines(summary, outcome)


def test_a_removed_board_holds_no_other_back_and_a_renamed_folder_stops_the_run(
    project: Path, demo_reference
) -> None:
    committed(project, demo_reference, "2014-15-Q2")
    folder = profile(project, "southend").parent

    # The folder renamed: the run cannot tell it from a new board, and says what to do.
    folder.rename(folder.with_name("southend-scp"))
    with pytest.raises(ConfigurationError, match="name it southend again"):
        planned(project, demo_reference, "2014-15-Q2")

    # The board removed: Thurrock's quarter stays complete though Essex Police and the child
    # death panel, Thurrock's agencies too, sent Southend's returns, now no board's.
    shutil.rmtree(folder.with_name("southend-scp"))
    summary = committed(project, demo_reference, "2014-15-Q2")

    [thurrock] = summary.boards
    assert (thurrock.board.slug, thurrock.outcome, thurrock.rejected) == (
        "thurrock",
        "complete",
        [],
    )
    rejected = [s for s in summary.submissions if s.status == "rejected"]
    assert rejected
    assert all(any(f.code == "BRD-001" for f in s.failures) for s in rejected)
    text = run_summary_text(summary)
    assert "Board southend has no profile any more" in text
    assert "its 2014-15 Q2 edition in data/curated/southend/ is left as it was" in text
    assert "its returns, for Southend-on-Sea (E06000033), are rejected as no board's" in text
    # Its figures leave the curated tables; its runs stay on record.
    assert partner_figures(project, SOUTHEND) == {}
    with duckdb.connect(str(settings().warehouse), read_only=True) as connection:
        runs = connection.execute("SELECT board FROM audit.board_runs ORDER BY ALL").fetchall()
        mapped = connection.execute("SELECT DISTINCT board FROM reference.boards").fetchall()
        # Which areas it had returns for, and when, as the README finds it.
        covered = connection.execute(
            "SELECT r.board, s.area_code, min(s.period_end), max(s.period_end) "
            "FROM (SELECT board, unnest(submissions_used) AS submission_id "
            "FROM audit.board_runs) AS r "
            "JOIN audit.submissions AS s USING (submission_id) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert [board for (board,) in runs] == ["southend", "thurrock", "thurrock"]
    # The profiles returns are judged by: Southend's board covers no area any more ...
    assert mapped == [("thurrock",)]
    # ... while its runs say which it had returns for, and for which quarters.
    assert [(b, a, str(first), str(last)) for b, a, first, last in covered] == [
        ("southend", SOUTHEND, "2014-06-30", "2014-09-30"),
        ("thurrock", THURROCK, "2014-06-30", "2014-09-30"),
    ]
