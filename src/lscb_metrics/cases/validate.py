"""Validating case lists: which list a file is, how its cells are typed, and the units its rows
form, as Python for the header and SQL for the millions of rows.

A file is judged in three steps, each reporting every problem it finds:

1. Its header (`file_layout`, in Python): columns that identify people are dropped unread
   (CAS-005), the list is recognised from the columns it names (the file name is never read),
   and missing, repeated or unknown columns are reported.
2. Its cells (`texts_sql`, `cases_select_sql`): every kept cell is typed with TRY_CAST, so a
   cell that is not a date becomes NULL with a `__bad` flag beside it rather than an error; a
   date of birth is cut to the first of its month in the same expression, so the day is never
   stored. Codes, yes/no flags, authorities and periods have few distinct values, so each
   distinct text is judged once (`code_lookup`, `flag_lookup`, `list_units`) and joined back.
3. Its rows: one SQL predicate per rule over the typed, pseudonymised rows (cases/stage.py),
   each failing row reported with its file, row number, column and child pseudonym.

An authority's rows in one file are its list for the period they give (a "unit"). Any error in
a unit rejects it whole, as an error rejects a partner return: its quarters get no facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lscb_metrics.cases.pseudonymise import looks_identifying
from lscb_metrics.cases.read import ROW_COLUMN, CaseFile
from lscb_metrics.cases.spec import CaseColumn, CaseListSpec
from lscb_metrics.intake import rules
from lscb_metrics.intake.declarations import label_key
from lscb_metrics.intake.failures import CaseFailure, case_failure
from lscb_metrics.periods import PeriodError, Quarter, quarter_from_dates, quarter_of

#: ONS code or DfE number (as text) -> (ONS area code, area name, ONS region code).
AreaLookup = Mapping[str, tuple[str, str, str | None]]

#: Dates outside these years are taken for typing slips and reported as not dates.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2099, 12, 31)
BAD_SUFFIX = "__bad"
_DATE_FORMATS_SQL = "COALESCE(TRY_CAST({t} AS DATE), TRY_STRPTIME({t}, '%d/%m/%Y')::DATE)"
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
#: The columns every list repeats on each row, which say which unit a row belongs to.
COVER_COLUMNS = ("la_code", "period_start", "period_end")
_LOOKED_UP = ("code", "flag")
# A cell that holds more than spaces (empty cells are NULL already).
_FILLED = "trim({t}) <> ''"
_SQL_TYPES = {"date": "DATE", "date_of_birth": "DATE", "integer": "INTEGER", "flag": "BOOLEAN"}
# The period columns, as `period_types_sql` types them (dates, like any date column).
_PERIOD_COLUMNS = (
    CaseColumn("period_start", "Period start", "date"),
    CaseColumn("period_end", "Period end", "date"),
)


@dataclass(frozen=True)
class Layout:
    """Which list a file is and where its kept columns are: column name -> header position."""

    spec: CaseListSpec
    positions: Mapping[str, int]


@dataclass(frozen=True)
class Combination:
    """Rows of one file giving the same authority and period (as text, '' when blank, and
    typed), counted by SQL; `first_row` is None where rows are not numbered."""

    file_number: int
    la_code: str
    period_start_text: str
    period_end_text: str
    rows: int
    first_row: int | None
    period_start: date | None
    period_start_bad: bool
    period_end: date | None
    period_end_bad: bool


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
        case_failure(rules.CASE_IDENTIFYING_COLUMN, file.name, file.column_at(p))
        for p in sorted(dropped)
    ]
    kept = {p: label_key(h) for p, h in enumerate(file.headers) if p not in dropped}
    spec = _recognised_list(kept.values(), specs)
    if spec is None:
        example = ", ".join(c.title for c in next(iter(specs.values())).required_columns)
        failure = case_failure(
            rules.CASE_NOT_A_CASE_LIST,
            file.name,
            file.row(file.header_row),
            choices=", ".join(specs),
            example=example,
        )
        return None, [*failures, failure]
    positions: dict[str, int] = {}
    for p, key in kept.items():
        name = spec.header_index.get(key)
        where = file.column_at(p)
        if name is None:
            failures.append(
                case_failure(rules.CASE_UNEXPECTED_COLUMN, file.name, where, list_title=spec.title)
            )
        elif name in positions:
            title = spec.column(name).title
            failures.append(
                case_failure(
                    rules.CASE_DUPLICATE_COLUMN,
                    file.name,
                    where,
                    name,
                    title=title,
                )
            )
        else:
            positions[name] = p
    failures += [
        case_failure(
            rules.CASE_MISSING_COLUMN, file.name, file.row(file.header_row), c.name, title=c.title
        )
        for c in spec.required_columns
        if c.name not in positions
    ]
    if any(f.severity == "error" for f in failures):
        return None, failures
    return Layout(spec, positions), failures


def texts_sql(layout: Layout, source: str) -> str:
    """SELECT of a source's cells as text, one column per declared column (NULL where the file
    lacks it or the cell is empty), with `f` (file number) and `r` (row number, or NULL where
    not known). `source` has f, r and the header positions' cells as c0, c1, ... Cells are not
    trimmed here (trimming every cell of millions of rows costs): typing ignores surrounding
    spaces, lookups are by distinct text, and a cell of spaces is blank where it is judged. The
    authority and period are '' rather than NULL when empty, so that they can be joined."""
    columns = []
    for column in layout.spec.columns:
        position = layout.positions.get(column.name)
        text = "NULL::VARCHAR" if position is None else f"c{position}"
        if column.name in COVER_COLUMNS:
            text = f"coalesce({text}, '')"
        columns.append(f'{text} AS "{column.name}"')
    return f"SELECT f, {ROW_COLUMN}, {', '.join(columns)} FROM {source}"


def distinct_texts_sql(spec: CaseListSpec, texts: str) -> str:
    """One pass over a source's texts giving what must be looked up once per distinct value:
    each authority-and-period combination per file (with its rows and first row), each child
    identifier, and each text of each code or flag column. `set` says which a row is."""
    looked_up = [c.name for c in spec.columns if c.type in ("code", "flag")]
    sets = [
        f"(f, {', '.join(COVER_COLUMNS)})",
        "(child_id)",
        *(f'("{name}")' for name in looked_up),
    ]
    grouping = ", ".join(["f", "child_id", *(f'"{name}"' for name in looked_up)])
    selected = ", ".join(["f", *COVER_COLUMNS, "child_id", *(f'"{name}"' for name in looked_up)])
    return (
        f"SELECT GROUPING({grouping}) AS set, {selected}, count(*) AS rows, "
        f"min({ROW_COLUMN}) AS first_row FROM ({texts}) GROUP BY GROUPING SETS ({', '.join(sets)})"
    )


def grouping_set(spec: CaseListSpec, name: str) -> int:
    """The `set` value `distinct_texts_sql` gives the rows of one grouping set: 'f' for the
    combinations, 'child_id', or a code or flag column's name."""
    looked_up = [c.name for c in spec.columns if c.type in ("code", "flag")]
    order = ["f", "child_id", *looked_up]
    # GROUPING() sets a bit, most significant first, for every column NOT grouped by.
    return sum(1 << (len(order) - 1 - i) for i, column in enumerate(order) if column != name)


def period_types_sql(combinations: str) -> str:
    """SELECT of the combinations with their period typed as dates, and whether each is bad."""
    parsed = ", ".join(_parsed_sql(c) for c in _PERIOD_COLUMNS)
    typed = ", ".join(_typed_sql(c, "x") for c in _PERIOD_COLUMNS)
    texts = "x.period_start AS period_start_text, x.period_end AS period_end_text"
    return (
        f"SELECT x.f, x.la_code, {texts}, x.rows, x.first_row, {typed} "
        f"FROM (SELECT *, {parsed} FROM {combinations}) x"
    )


def cases_columns_sql(spec: CaseListSpec) -> str:
    """Column definitions of a list's typed rows (`cases_<list>`); a code column is an ENUM of
    its codes (one byte a row, where text would take sixteen)."""
    definitions = ["unit INTEGER", "f USMALLINT", f"{ROW_COLUMN} INTEGER", "child UBIGINT"]
    for column in _row_columns(spec):
        definitions.append(f'"{column.name}" {_SQL_TYPES.get(column.type) or _enum_sql(column)}')
        definitions.append(f'"{column.name}{BAD_SUFFIX}" BOOLEAN')
    return ", ".join(definitions)


def cases_select_sql(spec: CaseListSpec, texts: str, by_file: bool) -> str:
    """SELECT of a source's rows typed as `cases_columns_sql` declares: the unit its authority
    and period belong to (`unit_map`: by file alone when `by_file`, every file of the source
    giving one authority and period), the child's pseudonym number (`children`), and each
    value typed (NULL when blank or bad, with a __bad flag) or looked up (`lookup_<column>`)."""
    columns = _row_columns(spec)
    parsed = ", ".join(["*", *(_parsed_sql(c) for c in columns if c.type not in _LOOKED_UP)])
    selected = ["m.unit", "x.f", f"x.{ROW_COLUMN}", "c.child"]
    cover = "" if by_file else "".join(f' AND m."{name}" = x."{name}"' for name in COVER_COLUMNS)
    joins = [
        f"JOIN unit_map m ON m.f = x.f{cover}",
        "LEFT JOIN children c ON c.child_id = x.child_id",
    ]
    for column in columns:
        name = column.name
        if column.type in _LOOKED_UP:
            alias = f'"l_{name}"'
            joins.append(f'LEFT JOIN lookup_{name} {alias} ON {alias}.text = x."{name}"')
            filled = _FILLED.format(t=f'x."{name}"')
            bad = f'x."{name}" IS NOT NULL AND {alias}.value IS NULL AND {filled}'
            selected += [f'{alias}.value AS "{name}"', f'({bad}) AS "{name}{BAD_SUFFIX}"']
        else:
            selected.append(_typed_sql(column, "x"))
    return f"SELECT {', '.join(selected)} FROM (SELECT {parsed} FROM ({texts})) x {' '.join(joins)}"


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
    for combo in sorted(combinations, key=_reading_order):
        area = la_lookup.get(combo.la_code.strip().upper())
        key = (combo.file_number, area[0] if area else f"?{combo.la_code.strip()}")
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
                            rules.CASE_PERIOD_OVERLAP,
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
        list_type: len(
            {spec.header_index[k] for k in present if k in spec.header_index} - set(COVER_COLUMNS)
        )
        for list_type, spec in specs.items()
    }
    best = max(scores.values(), default=0)
    winners = [t for t, score in scores.items() if score == best]
    return specs[winners[0]] if best and len(winners) == 1 else None


def _reading_order(combo: Combination) -> tuple[int, int, str, str]:
    """Sort key putting combinations in the order a reader meets them."""
    return combo.file_number, combo.first_row or 0, combo.la_code, combo.period_start_text


def _cover_failures(
    combo: Combination, file: CaseFile, area: tuple[str, str, str | None] | None, first: Combination
) -> list[CaseFailure]:
    """The failures of one combination's authority and period, located at its first row."""
    where = "" if combo.first_row is None else file.row(combo.first_row)
    note = f" ({combo.rows:,} rows give it; this is the first.)" if combo.rows > 1 else ""
    found: list[tuple[rules.Rule, str, dict[str, str]]] = []
    if not combo.la_code.strip():
        found.append((rules.CASE_BLANK_VALUE, "la_code", {"title": "Local authority code"}))
    elif area is None:
        found.append((rules.CASE_UNKNOWN_AREA, "la_code", {"title": "Local authority code"}))
    periods = (
        ("period_start", "Period start", combo.period_start, combo.period_start_bad),
        ("period_end", "Period end", combo.period_end, combo.period_end_bad),
    )
    for name, title, value, bad in periods:
        if bad or value is None:
            found.append(
                (rules.CASE_NOT_A_DATE if bad else rules.CASE_BLANK_VALUE, name, {"title": title})
            )
    period = (combo.period_start, combo.period_end)
    if not found and period != (first.period_start, first.period_end):
        fields = {"first_location": "" if first.first_row is None else file.row(first.first_row)}
        found.append((rules.CASE_PERIOD_DIFFERS, "period_start", fields))
    elif not found:
        try:
            quarters_between(*period)
        except PeriodError:
            text = f"{period[0].isoformat()} to {period[1].isoformat()}"
            found.append((rules.CASE_NOT_QUARTERS, "period_start", {"period": text}))
    return [
        case_failure(rule, file.name, where, column, note=note, **fields)
        for rule, column, fields in found
    ]


def _enum_sql(column: CaseColumn) -> str:
    """A code column's ENUM type."""
    return "ENUM(" + ", ".join(f"'{code}'" for code in column.codes) + ")"


def _row_columns(spec: CaseListSpec) -> list[CaseColumn]:
    """The columns a row keeps typed: all but the child's identifier (kept as its pseudonym
    number) and the authority and period (kept as the unit)."""
    return [c for c in spec.columns if c.type != "child_id" and c.name not in COVER_COLUMNS]


def _parsed_sql(column: CaseColumn) -> str:
    """The text of a date or integer column parsed, before range checks, as "p_<name>"
    (an integer as a double first, so that 12.5 is seen not to be whole)."""
    text = f'"{column.name}"'
    if column.type == "integer":
        return f'TRY_CAST({text} AS DOUBLE) AS "p_{column.name}"'
    return f'{_DATE_FORMATS_SQL.format(t=text)} AS "p_{column.name}"'


def _typed_sql(column: CaseColumn, alias: str) -> str:
    """A date or integer column's value (NULL when blank or not valid) and its __bad flag:
    whether the cell held something that is not a value of the column's type."""
    text, parsed = f'{alias}."{column.name}"', f'{alias}."p_{column.name}"'
    if column.type == "integer":
        valid = (
            f"{parsed} BETWEEN {column.minimum} AND {column.maximum} AND {parsed} = floor({parsed})"
        )
        value = f"CASE WHEN {valid} THEN {parsed}::INTEGER END"
    else:
        valid = f"{parsed} BETWEEN DATE '{FIRST_DATE}' AND DATE '{LAST_DATE}'"
        value = f"CASE WHEN {valid} THEN {parsed} END"
    if column.type == "date_of_birth":
        # Only the month of birth is ever stored: the day is dropped here, as the cell is typed.
        value = f"date_trunc('month', {value})::DATE"
    # AND stops at the first false term, so the text is trimmed only for the rare bad cell.
    bad = f"NOT coalesce({valid}, false) AND {text} IS NOT NULL AND {_FILLED.format(t=text)}"
    return f'{value} AS "{column.name}", ({bad}) AS "{column.name}{BAD_SUFFIX}"'


def _flag(text: str) -> bool | None:
    """A yes/no cell as True or False, or None when it is neither."""
    key = label_key(text)
    return True if key in _YES else False if key in _NO else None
