"""A board's own records as facts: its annual figures (board_records.csv: finance, the board's
training, partners' section 11 self-audits, the looked-after children's survey, and figures its
report quotes as at a date, such as the ONS population estimate it used) and its attendance
register (board_attendance.csv), both in data/raw/local/<board>/.

These are not partner returns: they are kept by the board's business manager, once a year (the
budget, the survey) or once a meeting (the register), and money is not a whole number, so they
have no quarterly return. Each row is checked against the LOC-* rules (intake/rules.py); the
facts are the board's own (`partner_return`) rows of its area, so the catalogue computes them like
any other. Pure functions: the files are read by `pipeline.load_board_records`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lscb_metrics.config import BOARD_RECORDS
from lscb_metrics.facts import conform_facts, empty_facts
from lscb_metrics.intake import rules
from lscb_metrics.intake.declarations import nearest_label
from lscb_metrics.intake.rules import (
    Rule,
    cell_named,
    code_like,
    date_like,
    escaped,
    figure_named,
    hidden_escapes,
    nearest,
    number_like,
    visible,
)
from lscb_metrics.measures import Registry
from lscb_metrics.periods import quarter_of

TOTAL = "Total"
SOURCE_TYPE = "partner_return"
_YEAR = re.compile(r"(\d{4})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Attendance statuses and what each counts: (expected at the meeting, attended).
ATTENDANCE_STATUSES: dict[str, tuple[int, int]] = {
    "attended": (1, 1),
    "substitute_attended": (1, 1),  # apologies, with a substitute in the member's place
    "apologies": (1, 0),
    "absent": (1, 0),  # neither attended nor sent apologies
    "vacant": (0, 0),  # the seat had no member: not expected
}


@dataclass(frozen=True)
class LocalFailure:
    """One row of a local record file breaking a LOC-* rule."""

    rule: Rule
    fields: dict[str, Any]

    @property
    def message(self) -> str:
        """'LOC-003 line 4: ...', as the business manager reads it."""
        # a business manager's text is echoed with its hidden characters escaped, so that it
        # cannot act on the terminal or forge a line of the list of failures
        fields = {k: escaped(v) if isinstance(v, str) else v for k, v in self.fields.items()}
        return f"{self.rule.code} {self.rule.template.format(**fields)}"


def recorded_measures(registry: Registry, file: str) -> list[str]:
    """The measures a board enters in the local file `file` (not those derived from others)."""
    return [
        m.name
        for m in registry.measures.values()
        if m.local is not None and m.local.file == file and m.local.total_of is None
    ]


def financial_year_dates(label: str) -> tuple[date, date] | None:
    """First and last day of the financial year written '2013-14'; None if not one."""
    found = _YEAR.fullmatch(label)
    if not found or (int(found[1]) + 1) % 100 != int(found[2]):
        return None
    start = int(found[1])
    return date(start, 4, 1), date(start + 1, 3, 31)


def as_at_date(text: str, year_end: date) -> date | None:
    """The ISO date `text` ('2012-06-30') if it is on or before `year_end`; None otherwise."""
    try:
        day = date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        return None
    return day if day is not None and day <= year_end else None


def blank_cells(row: pd.Series, line: int, columns: tuple[str, ...]) -> list[LocalFailure]:
    """LOC-001 for each of the row's `columns` left blank (the row at `line` of its file)."""
    return [
        LocalFailure(rules.LOCAL_BLANK_VALUE, {"line": line, "column": column})
        for column in columns
        if not str(row[column]).strip()
    ]


def hidden_characters(row: pd.Series, line: int) -> list[LocalFailure]:
    """LOC-011 for each of the row's cells holding a character that is not plainly visible
    (a control character, a line break, a direction mark): every one may reach a terminal, a
    workbook or a document."""
    return [
        LocalFailure(
            rules.LOCAL_HIDDEN_CHARACTER,
            {"line": line, "column": column, "cell": record_named(text), "hidden": hidden},
        )
        for column, text in row.items()
        if (hidden := hidden_escapes(str(text)))
    ]


def record_named(text: str) -> str:
    """A board record's cell as a message names it: quoted (any hidden characters escaped) where
    what shows is written as a number, a date or one of our codes; else "text", since a name or
    a note pasted into the records may be a child's."""
    seen = visible(text)
    return cell_named(text, number_like(seen) or date_like(seen) or code_like(seen))


def board_record_failures(frame: pd.DataFrame, registry: Registry) -> list[LocalFailure]:
    """Every LOC-* failure of board_records.csv rows (text cells, header line 1)."""
    allowed = recorded_measures(registry, BOARD_RECORDS)
    failures: list[LocalFailure] = []
    first_line: dict[tuple[str, ...], int] = {}
    for index, row in frame.iterrows():
        line = int(index) + 2  # type: ignore[call-overload]
        failures += hidden_characters(row, line)
        failures += blank_cells(row, line, ("area_code", "financial_year", "measure", "value"))
        if row["measure"] and row["measure"] not in allowed:
            failures.append(
                LocalFailure(
                    rules.LOCAL_UNKNOWN_MEASURE,
                    {
                        "line": line,
                        "cell": record_named(row["measure"]),
                        "nearest": nearest(nearest_label(row["measure"], allowed)),
                        "file": BOARD_RECORDS,
                        "choices": ", ".join(allowed),
                    },
                )
            )
        span = financial_year_dates(row["financial_year"]) if row["financial_year"] else None
        if row["financial_year"] and span is None:
            failures.append(
                LocalFailure(
                    rules.LOCAL_NOT_A_YEAR,
                    {"line": line, "cell": record_named(row["financial_year"])},
                )
            )
        failures += _as_at_failures(row, line, span, registry)
        if row["value"] and not _NUMBER.fullmatch(row["value"]):
            failures.append(
                LocalFailure(
                    rules.LOCAL_NOT_A_NUMBER, {"line": line, "cell": figure_named(row["value"])}
                )
            )
        key = (
            row["area_code"],
            row["financial_year"],
            row["as_at"],
            row["measure"],
            row["breakdown"] or TOTAL,
        )
        if key in first_line:
            failures.append(
                LocalFailure(
                    rules.LOCAL_DUPLICATE_ROW,
                    {"line": line, "key": _key_text(key), "first": first_line[key]},
                )
            )
        first_line.setdefault(key, line)
    if not failures:
        failures += _parts_exceeding_wholes(frame, registry)
    return failures


def _as_at_failures(
    row: pd.Series, line: int, span: tuple[date, date] | None, registry: Registry
) -> list[LocalFailure]:
    """LOC-009 and LOC-010 for a row's as-at date: a date on or before the end of its financial
    year (a year's records quote no later figure), of a measure taken at a date (a snapshot)."""
    if not row["as_at"] or span is None:
        return []
    if as_at_date(row["as_at"], span[1]) is None:
        fields = {
            "line": line,
            "cell": record_named(row["as_at"]),
            "year_end": span[1],
            "year": row["financial_year"],
        }
        return [LocalFailure(rules.LOCAL_NOT_AS_AT, fields)]
    measure = registry.measures.get(row["measure"])
    if measure is not None and measure.type != "snapshot":
        return [LocalFailure(rules.LOCAL_FLOW_AS_AT, {"line": line, "measure": row["measure"]})]
    return []


def _key_text(key: tuple[str, ...]) -> str:
    """'E06000033 2013-14 board_contributions (Essex Police)' for a row key ('E06000033 2013-14
    as at 2012-06-30 population_0_4 (Total)' for a figure as at a date)."""
    area, year, as_at, measure, breakdown = key
    return f"{area} {_when(year, as_at)} {measure} ({breakdown})"


def _when(year: str, as_at: str) -> str:
    """'2013-14', or '2013-14 as at 2012-06-30' for a figure as at a date."""
    return f"{year} as at {as_at}" if as_at else year


def _parts_exceeding_wholes(frame: pd.DataFrame, registry: Registry) -> list[LocalFailure]:
    """LOC-006 for each row whose measure is `part_of` another that is smaller on the same key."""
    values = {
        (r.area_code, r.financial_year, r.as_at, r.measure, r.breakdown or TOTAL): (
            float(r.value),
            i + 2,
        )
        for i, r in enumerate(frame.itertuples(index=False))
    }
    failures = []
    for (area, year, as_at, measure, breakdown), (value, line) in values.items():
        local = registry.measures[measure].local
        whole = local.part_of if local else None
        if whole and (area, year, as_at, whole, breakdown) in values:
            whole_value = values[(area, year, as_at, whole, breakdown)][0]
            if value > whole_value:
                failures.append(
                    LocalFailure(
                        rules.LOCAL_PART_EXCEEDS_WHOLE,
                        {
                            "line": line,
                            "measure": measure,
                            "value": f"{value:g}",
                            "whole": whole,
                            "whole_value": f"{whole_value:g}",
                            "key": f"{area} {_when(year, as_at)} ({breakdown})",
                        },
                    )
                )
    return failures


def board_record_facts(
    frame: pd.DataFrame, registry: Registry, source: str, sha256: str
) -> pd.DataFrame:
    """Facts of valid board_records.csv rows: one per row for its financial year (or as at its
    as-at date, labelled by the quarter ending then), a Total per measure given only by
    breakdown (their sum), and each `total_of` measure beside every row of the measure it totals
    (the denominator of a share)."""
    if frame.empty:
        return empty_facts()
    rows = frame.assign(
        breakdown=frame["breakdown"].where(frame["breakdown"].str.strip() != "", TOTAL),
        value=frame["value"].astype("float64"),
    )[["area_code", "financial_year", "as_at", "measure", "breakdown", "value"]]
    key = ["area_code", "financial_year", "as_at", "measure"]
    has_total = rows[rows["breakdown"] == TOTAL][key].drop_duplicates()
    sums = rows[rows["breakdown"] != TOTAL].groupby(key, as_index=False)["value"].sum()
    sums = sums.merge(has_total, on=key, how="left", indicator=True)
    sums = sums[sums["_merge"] == "left_only"].drop(columns="_merge").assign(breakdown=TOTAL)
    rows = pd.concat([rows, sums], ignore_index=True)
    derived = []
    for measure in registry.measures.values():
        if measure.local is None or measure.local.total_of is None:
            continue
        parts = rows[rows["measure"] == measure.local.total_of]
        where = ["area_code", "financial_year", "as_at"]
        totals = parts[parts["breakdown"] == TOTAL].set_index(where)
        wholes = totals["value"].reindex(pd.MultiIndex.from_frame(parts[where]))
        derived.append(parts.assign(measure=measure.name, value=wholes.to_numpy()))
    rows = pd.concat([rows, *derived], ignore_index=True)
    spans = [
        (date.fromisoformat(as_at),) * 2 if as_at else financial_year_dates(year)
        for year, as_at in zip(rows["financial_year"], rows["as_at"], strict=True)
    ]
    return conform_facts(
        rows.assign(
            period_start=[start for start, _ in spans],
            period_end=[end for _, end in spans],
            # A figure as at a date is labelled, like a partner's quarter, when computed.
            time_period=rows["financial_year"].where(rows["as_at"] == "", None),
            geographic_level="Local authority",
            source_type=SOURCE_TYPE,
            source=source,
            source_sha256=sha256,
        )
    )


def attendance_failures(frame: pd.DataFrame) -> list[LocalFailure]:
    """Every LOC-* failure of board_attendance.csv rows (text cells, header line 1)."""
    failures: list[LocalFailure] = []
    first_line: dict[tuple[str, ...], int] = {}
    for index, row in frame.iterrows():
        line = int(index) + 2  # type: ignore[call-overload]
        failures += hidden_characters(row, line)
        failures += blank_cells(row, line, ("area_code", "meeting", "member", "status"))
        if row["meeting"] and meeting_date(row["meeting"]) is None:
            failures.append(
                LocalFailure(
                    rules.LOCAL_NOT_A_MONTH, {"line": line, "cell": record_named(row["meeting"])}
                )
            )
        if row["status"] and row["status"] not in ATTENDANCE_STATUSES:
            failures.append(
                LocalFailure(
                    rules.LOCAL_UNKNOWN_STATUS,
                    {
                        "line": line,
                        "cell": record_named(row["status"]),
                        "nearest": nearest(nearest_label(row["status"], ATTENDANCE_STATUSES)),
                        "choices": ", ".join(ATTENDANCE_STATUSES),
                    },
                )
            )
        key = (row["area_code"], row["meeting"], row["member"])
        if key in first_line:
            failures.append(
                LocalFailure(
                    rules.LOCAL_DUPLICATE_ROW,
                    {
                        "line": line,
                        "key": f"{key[2]} at the {key[1]} meeting",
                        "first": first_line[key],
                    },
                )
            )
        first_line.setdefault(key, line)
    return failures


def meeting_date(text: str) -> date | None:
    """The first day of the meeting month written '2013-11'; None if not one."""
    found = _MONTH.fullmatch(text)
    if not found or not 1 <= int(found[2]) <= 12:
        return None
    return date(int(found[1]), int(found[2]), 1)


def attendance_facts(frame: pd.DataFrame, source: str, sha256: str) -> pd.DataFrame:
    """Facts of a valid attendance register, by financial quarter of each meeting: for each
    member the meetings expected and attended (0 in a quarter of the register where the member
    had none, so rolling years add up) and their Total; for each meeting (breakdown '2013-11')
    the members expected and attended."""
    if frame.empty:
        return empty_facts()
    counted = frame.assign(
        quarter=[quarter_of(_month_end(meeting_date(m))) for m in frame["meeting"]],  # type: ignore[arg-type]
        expected=[ATTENDANCE_STATUSES[s][0] for s in frame["status"]],
        attended=[ATTENDANCE_STATUSES[s][1] for s in frame["status"]],
    )
    records = []
    for area, register in counted.groupby("area_code"):
        first, last = min(register["quarter"]), max(register["quarter"])
        quarters = [q for q in _quarters_between(first, last)]
        by_member = register.groupby(["member", "quarter"])[["expected", "attended"]].sum()
        for member in sorted(register["member"].unique()):
            for quarter in quarters:
                expected, attended = (
                    by_member.loc[(member, quarter)]
                    if (member, quarter) in by_member.index
                    else (0, 0)
                )
                records += _pair(area, member, quarter, "board_meetings", expected, attended)
        for quarter in quarters:
            in_quarter = register[register["quarter"] == quarter]
            records += _pair(
                area,
                TOTAL,
                quarter,
                "board_meetings",
                in_quarter["expected"].sum(),
                in_quarter["attended"].sum(),
            )
        for (meeting, quarter), held in register.groupby(["meeting", "quarter"]):
            records += _pair(
                area,
                meeting,
                quarter,
                "board_members",
                held["expected"].sum(),
                held["attended"].sum(),
            )
    facts = pd.DataFrame(records)
    return conform_facts(
        facts.assign(
            geographic_level="Local authority",
            source_type=SOURCE_TYPE,
            source=source,
            source_sha256=sha256,
        )
    )


def _pair(
    area: Any, breakdown: str, quarter: Any, stem: str, expected: Any, attended: Any
) -> list[dict[str, Any]]:
    """The `<stem>_expected` and `<stem>_attended` facts of one breakdown and quarter."""
    return [
        {
            "measure": f"{stem}_{kind}",
            "area_code": area,
            "breakdown": breakdown,
            "period_start": quarter.start,
            "period_end": quarter.end,
            "time_period": quarter.label,
            "value": float(value),
        }
        for kind, value in (("expected", expected), ("attended", attended))
    ]


def _month_end(first: date) -> date:
    """The last day of the month starting `first`."""
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _quarters_between(first: Any, last: Any) -> list[Any]:
    """Every financial quarter from `first` to `last`, both included."""
    quarters = [first]
    while quarters[-1] != last:
        quarters.append(quarter_of(date.fromordinal(quarters[-1].end.toordinal() + 1)))
    return quarters
