"""A workbook refused whole for its Data sheet still says, on its Cover sheet, whose return it is
and for which quarter (`ingest`): it counts against that board and quarter alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import openpyxl

from lscb_metrics.boards import load_boards
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import rejected_against
from lscb_metrics.reference import la_lookup, load_areas
from lscb_metrics.store import StagedFile
from lscb_metrics.submissions import ingest, return_context

BOARDS = load_boards()


def test_a_workbook_refused_for_its_data_counts_against_its_cover_alone(tmp_path) -> None:
    """A formula saved without its result refuses the whole file (RET-001), yet its Cover sheet
    still says it is Southend's December return: not Thurrock's, nor another quarter's."""
    path = tmp_path / "SBC-CSC_private_fostering.xlsx"
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Southend LSCB partner return"])
    cover.append([])
    for label, value in [
        ("Return type", "private_fostering"),
        ("Agency code", "SBC-CSC"),
        ("Local authority code", "E06000033"),
        ("Period start", datetime(2014, 10, 1)),
        ("Period end", datetime(2014, 12, 31)),
    ]:
        cover.append([label, value])
    data = book.create_sheet("Data")
    data.append(["Private fostering arrangements known at period end"])
    data.append(["=5+5"])  # openpyxl saves the formula with no result, as a script would
    book.save(path)
    run_settings = settings()
    context = return_context(
        run_settings.schemas_dir, la_lookup(load_areas(run_settings.reference_dir))
    )
    staged = StagedFile(path, path, "0" * 64, path.stat().st_size)

    submission = ingest(staged, tmp_path, context, datetime.now(UTC))

    assert (submission.status, [f.code for f in submission.failures]) == ("rejected", ["RET-001"])
    assert (submission.cover["area_code"], submission.cover["period_end"]) == (
        "E06000033",
        date(2014, 12, 31),
    )
    q3 = parse_quarter("2014-15-Q3")
    thurrock = BOARDS.by_slug["thurrock"]
    assert rejected_against(submission, BOARDS.by_slug["southend"], BOARDS, q3)
    assert not rejected_against(submission, thurrock, BOARDS, q3)
    assert not rejected_against(submission, thurrock, BOARDS, parse_quarter("2014-15-Q2"))
