"""Validating case lists: which list a file is, how its cells are typed, and the rules its rows
must satisfy, as SQL that DuckDB runs over millions of rows.

A file is judged in three steps, each reporting every problem it finds:

1. Its header (here, in Python): columns that identify people are dropped unread (CAS-005),
   the list is recognised from the columns it names (the file name is never read), and missing,
   repeated or unknown columns are reported.
2. Its cells (`typed_rows_sql`): every kept cell is trimmed and typed with TRY_CAST, so a cell
   that is not a date becomes NULL with a `__bad` flag beside it rather than an error; a date of
   birth is cut to the first of its month in the same expression, so the day is never stored.
   Codes, yes/no flags and authority codes have few distinct values, so each distinct text is
   looked up once (`code_lookup`, `flag_lookup`, `list_units`) and joined back.
3. Its rows (`row_failures_sql`): one predicate per rule over the typed, pseudonymised rows,
   each failing row returned with its file, row number, column and child pseudonym.

An authority's rows in one file are its list for the period they give (a "unit"). Any error in
a unit rejects it whole, as an error rejects a partner return: its quarters get no facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lscb_metrics.cases import rules
from lscb_metrics.cases.pseudonymise import looks_identifying
from lscb_metrics.cases.read import ROW_COLUMN, CaseFile
from lscb_metrics.cases.rules import CaseFailure, case_failure
from lscb_metrics.cases.spec import CaseColumn, CaseListSpec
from lscb_metrics.periods import PeriodError, Quarter, quarter_from_dates, quarter_of
from lscb_metrics.returns.spec import label_key

#: ONS code or DfE number (as text) -> (ONS area code, area name, ONS region code).
AreaLookup = Mapping[str, tuple[str, str, str | None]]

#: Dates outside these years are taken for typing slips and reported as not dates.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2099, 12, 31)
BAD_SUFFIX = "__bad"
PREVIOUS_PREFIX = "previous_"
_DATE_FORMATS_SQL = "COALESCE(TRY_CAST({t} AS DATE), TRY_STRPTIME({t}, '%d/%m/%Y')::DATE)"
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_TEXT_TYPES = ("child_id", "area", "code", "flag")
_DATE_TYPES = ("date", "date_of_birth")


@dataclass(frozen=True)
class Layout:
    """Which list a file is and where its kept columns are: column name -> header position."""

    spec: CaseListSpec
    positions: Mapping[str, int]


@dataclass(frozen=True)
class Combination:
    """Rows of one file giving the same authority and period, as counted by SQL."""

    file_number: int
    la_code: str | None
    period_start: date | None
    period_start_bad: bool
    period_end: date | None
    period_end_bad: bool
    rows: int
    first_row: int


@dataclass
class Unit:
    """One authority's list in one file: its rows, period and whether it may be used."""

    number: int
    file_number: int
    area: tuple[str, str, str | None] | None
    period: tuple[date, date] | None = None
    rows: int = 0
    errors: int = 0
    quarters: tuple[Quarter, ...] = field(default_factory=tuple)

    @property
    def usable(self) -> bool:
        """Whether the unit passed: a known authority, a period of whole quarters, no errors."""
        return self.area is not None and bool(self.quarters) and not self.errors


def file_layout(
    file: CaseFile, specs: Mapping[str, CaseListSpec]
) -> tuple[Layout | None, list[CaseFailure]]:
    """The list a file is and its kept columns, or None when its header rules it out; with the
    header's failures (identifying columns dropped, missing, repeated or unknown columns)."""
    dropped = {p for p, header in enumerate(file.headers) if looks_identifying(header)}
    failures = [
        case_failure(
            rules.IDENTIFYING_COLUMN, file.name, file.cell(file.header_row, p), label=header
        )
        for p, header in enumerate(file.headers)
        if p in dropped
    ]
    kept = {p: label_key(h) for p, h in enumerate(file.headers) if p not in dropped}
    spec = _recognised_list(kept.values(), specs)
    if spec is None:
        example = ", ".join(c.title for c in next(iter(specs.values())).required_columns)
        failure = case_failure(
            rules.NOT_A_CASE_LIST,
            file.name,
            file.row(file.header_row),
            choices=", ".join(specs),
            example=example,
        )
        return None, [*failures, failure]
    positions: dict[str, int] = {}
    for p, key in kept.items():
        name = spec.header_index.get(key)
        where = file.cell(file.header_row, p)
        if name is None:
            label = file.headers[p] or "(a column with no header)"
            failures.append(
                case_failure(
                    rules.UNEXPECTED_COLUMN, file.name, where, label=label, list_title=spec.title
                )
            )
        elif name in positions:
            title = spec.column(name).title
            failures.append(
                case_failure(
                    rules.DUPLICATE_COLUMN,
                    file.name,
                    where,
                    name,
                    label=file.headers[p],
                    title=title,
                )
            )
        else:
            positions[name] = p
    failures += [
        case_failure(
            rules.MISSING_COLUMN, file.name, file.row(file.header_row), c.name, title=c.title
        )
        for c in spec.required_columns
        if c.name not in positions
    ]
    if any(f.severity == "error" for f in failures):
        return None, failures
    return Layout(spec, positions), failures


def raw_columns_sql(spec: CaseListSpec) -> str:
    """Column definitions of the table a list's typed rows are loaded into."""
    definitions = ["f USMALLINT", f"{ROW_COLUMN} INTEGER"]
    for column in spec.columns:
        definitions.append(f'"{column.name}" {_sql_type(column)}')
        if column.type not in _TEXT_TYPES:
            definitions.append(f'"{column.name}{BAD_SUFFIX}" BOOLEAN')
    return ", ".join(definitions)


def typed_rows_sql(layout: Layout, source: str, file_number: str, row_number: str) -> str:
    """SELECT of a file's rows typed as `raw_columns_sql` declares, from `source` (its columns
    named c0, c1, ... by header position), with `file_number` and `row_number` as SQL."""
    spec = layout.spec
    texts = [
        f"NULLIF(trim(c{layout.positions[c.name]}), '')"
        if c.name in layout.positions
        else "NULL::VARCHAR"
        for c in spec.columns
    ]
    first = ", ".join(f'{text} AS "t{i}"' for i, text in enumerate(texts))
    parsed = ", ".join(_parsed_sql(c, f'"t{i}"', f'"p{i}"') for i, c in enumerate(spec.columns))
    typed = ", ".join(_typed_sql(c, f'"t{i}"', f'"p{i}"') for i, c in enumerate(spec.columns))
    return (
        f"SELECT f, {ROW_COLUMN}, {typed} FROM ("
        f"SELECT f, {ROW_COLUMN}, *, {parsed} FROM ("
        f"SELECT {file_number} AS f, {row_number} AS {ROW_COLUMN}, {first} FROM {source}))"
    )


def code_lookup(column: CaseColumn, texts: Iterable[str]) -> dict[str, str | None]:
    """Each distinct text of a code column -> the code it spells (case, spaces and punctuation
    ignored; aliases such as DfE's '6' for police accepted), or None when it is none."""
    return {text: column.code_index.get(label_key(text)) for text in texts}


def flag_lookup(texts: Iterable[str]) -> dict[str, bool | None]:
    """Each distinct text of a yes/no column -> True, False, or None when it is neither."""
    return {text: _flag(text) for text in texts}


def list_units(
    combinations: Sequence[Combination],
    files: Mapping[int, CaseFile],
    la_lookup: AreaLookup,
    first_unit: int,
) -> tuple[dict[Combination, int], list[Unit], list[CaseFailure]]:
    """Units from the authority-and-period combinations of one list type's rows: the unit each
    combination belongs to, the units, and the failures of their authority and period. The
    period of a unit is the one its first row gives; a row giving another fails CAS-017."""
    units: dict[tuple[int, str], Unit] = {}
    firsts: dict[tuple[int, str], Combination] = {}
    membership: dict[Combination, int] = {}
    failures: list[CaseFailure] = []
    for combo in sorted(combinations, key=lambda c: (c.file_number, c.first_row)):
        area = la_lookup.get(combo.la_code.upper()) if combo.la_code else None
        key = (combo.file_number, area[0] if area else f"?{combo.la_code}")
        unit = units.setdefault(key, Unit(first_unit + len(units), combo.file_number, area))
        first = firsts.setdefault(key, combo)
        unit.rows += combo.rows
        membership[combo] = unit.number
        found = _cover_failures(combo, files[combo.file_number], area, first)
        unit.errors += sum(f.severity == "error" for f in found)
        failures += found
        if combo is first and not found:
            unit.period = (combo.period_start, combo.period_end)
            unit.quarters = quarters_between(*unit.period)
    return membership, list(units.values()), failures


def quarters_between(start: date, end: date) -> tuple[Quarter, ...]:
    """The financial quarters from the one starting on `start` to the one ending on `end`;
    PeriodError unless those are quarter boundaries with `start` before `end`."""
    first, last = quarter_of(start), quarter_of(end)
    quarter_from_dates(start, first.end)
    quarter_from_dates(last.start, end)
    count = (last.year_start - first.year_start) * 4 + last.number - first.number + 1
    if count < 1:
        raise PeriodError(f"{start.isoformat()} is after {end.isoformat()}")
    return tuple(last.previous(count - 1 - n) for n in range(count))


def overlap_failures(
    units: Sequence[Unit], files: Mapping[int, CaseFile], spec: CaseListSpec
) -> list[CaseFailure]:
    """CAS-020 for every pair of an authority's units that cover a quarter in common; each
    such unit is marked as having an error."""
    failures = []
    by_area: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.area is not None and unit.quarters:
            by_area.setdefault(unit.area[0], []).append(unit)
    for area, area_units in by_area.items():
        for i, unit in enumerate(area_units):
            for other in area_units[:i] + area_units[i + 1 :]:
                common = sorted(set(unit.quarters) & set(other.quarters))
                if common:
                    unit.errors += 1
                    failures.append(
                        case_failure(
                            rules.PERIOD_OVERLAP,
                            files[unit.file_number].name,
                            list_title=spec.title,
                            area=area,
                            quarter=common[0].label
                            if len(common) == 1
                            else f"{common[0].label} to {common[-1].label}",
                            other_file=files[other.file_number].name,
                        )
                    )
    return failures


def _recognised_list(keys: Iterable[str], specs: Mapping[str, CaseListSpec]) -> CaseListSpec | None:
    """The one list whose own (non-cover) columns the header names most, if there is one."""
    present = set(keys)
    scores = {
        list_type: len({spec.header_index[k] for k in present if k in spec.header_index} - _COVER)
        for list_type, spec in specs.items()
    }
    best = max(scores.values(), default=0)
    winners = [t for t, score in scores.items() if score == best]
    return specs[winners[0]] if best and len(winners) == 1 else None


_COVER = frozenset({"la_code", "period_start", "period_end"})


def _cover_failures(
    combo: Combination, file: CaseFile, area: tuple[str, str, str | None] | None, first: Combination
) -> list[CaseFailure]:
    """The failures of one combination's authority and period, located at its first row."""
    where = file.row(combo.first_row)
    note = f" ({combo.rows:,} rows give it; this is the first.)" if combo.rows > 1 else ""
    found: list[tuple[rules.Rule, str, dict[str, str]]] = []
    if combo.la_code is None:
        found.append((rules.BLANK_VALUE, "la_code", {"title": "Local authority code"}))
    elif area is None:
        found.append((rules.UNKNOWN_AREA, "la_code", {"title": "Local authority code"}))
    periods = (
        ("period_start", "Period start", combo.period_start, combo.period_start_bad),
        ("period_end", "Period end", combo.period_end, combo.period_end_bad),
    )
    for name, title, value, bad in periods:
        if bad or value is None:
            found.append((rules.NOT_A_DATE if bad else rules.BLANK_VALUE, name, {"title": title}))
    period = (combo.period_start, combo.period_end)
    if not found and period != (first.period_start, first.period_end):
        fields = {"first_location": file.row(first.first_row)}
        found.append((rules.PERIOD_DIFFERS, "period_start", fields))
    elif not found:
        try:
            quarters_between(*period)
        except PeriodError:
            text = f"{period[0].isoformat()} to {period[1].isoformat()}"
            found.append((rules.NOT_QUARTERS, "period_start", {"period": text}))
    return [
        case_failure(rule, file.name, where, column, note=note, **fields)
        for rule, column, fields in found
    ]


def _sql_type(column: CaseColumn) -> str:
    """The DuckDB type a column's typed values have in the raw table."""
    if column.type in _TEXT_TYPES:
        return "VARCHAR"
    return "INTEGER" if column.type == "integer" else "DATE"


def _parsed_sql(column: CaseColumn, text: str, parsed: str) -> str:
    """The second step of typing: the text parsed, before range checks."""
    if column.type in _DATE_TYPES:
        return f"{_DATE_FORMATS_SQL.format(t=text)} AS {parsed}"
    if column.type == "integer":
        return f"TRY_CAST({text} AS INTEGER) AS {parsed}"
    return f"NULL AS {parsed}"


def _typed_sql(column: CaseColumn, text: str, parsed: str) -> str:
    """The last step of typing: the value (NULL when blank or bad) and, but for text, whether
    the cell held something that is not a value of the column's type."""
    name = f'"{column.name}"'
    if column.type in _TEXT_TYPES:
        return f"{text} AS {name}"
    if column.type == "integer":
        valid = f"{parsed} BETWEEN {column.minimum} AND {column.maximum}"
    else:
        valid = f"{parsed} BETWEEN DATE '{FIRST_DATE}' AND DATE '{LAST_DATE}'"
    value = f"CASE WHEN {valid} THEN {parsed} END"
    if column.type == "date_of_birth":
        # Only the month of birth is ever stored: the day goes here, as the cell is typed.
        value = f"date_trunc('month', {value})::DATE"
    bad = f'"{column.name}{BAD_SUFFIX}"'
    return f"{value} AS {name}, ({text} IS NOT NULL AND NOT coalesce({valid}, false)) AS {bad}"


def _flag(text: str) -> bool | None:
    """A yes/no cell as True or False, or None when it is neither."""
    key = label_key(text)
    return True if key in _YES else False if key in _NO else None
