"""Loading case lists into DuckDB: read, typed, validated and pseudonymised, ready to derive.

Everything happens in the DuckDB connection given, an in-memory database: identifiers and full
dates of birth exist only there, only while their list is loaded, never in a file. Each list
type is loaded in two passes over its files, each one parallel read (read_csv over every file
of one layout; a workbook as a pyarrow table):

1. what must be looked up is gathered in one GROUP BY GROUPING SETS: each file's
   authority-and-period combinations, each distinct child identifier, each distinct text of
   each code or flag column. Authorities, periods, codes and flags are judged once per distinct
   text, in Python; identifiers not seen before are pseudonymised once each, by HMAC-SHA256 in
   SQL, into `children` (identifier -> 64-bit pseudonym number);
2. `cases_<list>` is filled: every row typed, joined to its unit, its child's pseudonym number
   (never the identifier) and its looked-up codes. The row rules are then counted per unit.

Rows are not numbered in these passes: DuckDB reads files in parallel and its joins do not keep
order. A CSV with an error is therefore read once more, alone and in order, through the same
two passes, to locate every failure by row; a file without errors never needs its rows
numbered. `case_units` ends with every unit (one authority's list in one file), its period and
whether it may be used; `children` is dropped, leaving nothing that names a child.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from lscb_metrics.cases.pseudonymise import hmac_pads, pseudonym_hex_sql, pseudonym_text
from lscb_metrics.cases.read import (
    ROW_COLUMN,
    CaseFile,
    case_file,
    csv_error,
    is_encoding_error,
    read_csv_sql,
    xlsx_rows,
)
from lscb_metrics.cases.spec import CaseListSpec
from lscb_metrics.cases.validate import (
    BAD_SUFFIX,
    COVER_COLUMNS,
    AreaLookup,
    Combination,
    Layout,
    Unit,
    cases_columns_sql,
    cases_select_sql,
    code_lookup,
    distinct_texts_sql,
    file_layout,
    flag_lookup,
    grouping_set,
    list_units,
    overlap_failures,
    period_types_sql,
    texts_sql,
)
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.intake import rules
from lscb_metrics.intake.failures import (
    MAX_LISTED_PER_RULE,
    CaseFailure,
    case_failure,
    located_failure,
)
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.intake.read import UnreadableFile
from lscb_metrics.periods import Quarter, value_on

log = logging.getLogger(__name__)

#: Local target for completing a single assessment, in working days, where none is given.
DEFAULT_LOCAL_TARGET_DAYS = 40
#: Each authority's local target for completing an assessment, by ONS code: its changes, (first
#: quarter, working days) pairs, oldest first (`Board.target_changes`).
LocalTargets = Mapping[str, Sequence[tuple[Quarter, int]]]
#: The statutory maximum (Working Together 2013): a local target cannot be longer.
STATUTORY_MAXIMUM_DAYS = 45
#: The rule a column type's __bad flag breaks.
_BAD_RULES = {
    "date": rules.CASE_NOT_A_DATE,
    "date_of_birth": rules.CASE_NOT_A_DATE,
    "integer": rules.CASE_NOT_IN_RANGE,
    "code": rules.CASE_NOT_ALLOWED_CODE,
    "flag": rules.CASE_NOT_YES_NO,
}
_PERIOD_DATES = "period_start::DATE AS period_start, period_end::DATE AS period_end"
#: The columns of case_units and their types.
_UNIT_COLUMNS = (
    ("unit", "INTEGER"),
    ("list_type", "VARCHAR"),
    ("source", "VARCHAR"),
    ("submission_id", "VARCHAR"),
    ("source_sha256", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("period_start", "DATE"),
    ("period_end", "DATE"),
    ("rows", "BIGINT"),
    ("usable", "BOOLEAN"),
)


@dataclass(frozen=True)
class ListFile:
    """A case list file accepted for loading: its number, header, layout and SHA-256 (being
    computed beside the loading, which reads the file too)."""

    number: int
    file: CaseFile
    layout: Layout
    digest: Future[str]

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes, as lowercase hex."""
        return self.digest.result()


@dataclass(frozen=True)
class Source:
    """Files of one layout read together: SQL yielding f, r and the cells c0, c1, ..."""

    sql: str
    files: tuple[ListFile, ...]
    encoding: str | None = None  # CSV only: the encoding the files are read with


@dataclass(frozen=True)
class StagedLists:
    """What loading left in the connection (`case_units`, `cases_<list>`), and what it found."""

    files: Mapping[int, ListFile]
    units: Sequence[Unit]
    unit_lists: Mapping[int, str]  # unit number -> list type
    failures: Sequence[CaseFailure]


@dataclass
class _Loaded:
    """One pass of a list type's sources into a cases table: its units and failures."""

    units: list[Unit] = field(default_factory=list)
    failures: list[CaseFailure] = field(default_factory=list)


def stage_case_lists(
    connection: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    specs: Mapping[str, CaseListSpec],
    la_lookup: AreaLookup,
    key: bytes,
    local_targets: LocalTargets,
) -> StagedLists:
    """Read, type, validate and pseudonymise the case lists at `paths` into `connection`."""
    for area_code, changes in local_targets.items():
        for first, _ in changes:  # refuse a wrong setting before any work
            local_target_days(local_targets, area_code, first.start)
    connection.execute("SET preserve_insertion_order = false")
    failures, layouts = _layouts(paths, specs)
    with ThreadPoolExecutor(max_workers=1) as hashing:
        files = {
            number: ListFile(number, file, layout, hashing.submit(file_sha256, file.path))
            for number, (file, layout) in enumerate(layouts)
        }
        return _staged(connection, files, failures, specs, la_lookup, key)


def _staged(
    connection: duckdb.DuckDBPyConnection,
    files: Mapping[int, ListFile],
    failures: list[CaseFailure],
    specs: Mapping[str, CaseListSpec],
    la_lookup: AreaLookup,
    key: bytes,
) -> StagedLists:
    """Every list type of `files` loaded in turn, then `case_units`."""
    connection.execute("CREATE TABLE children (child_id VARCHAR, child UBIGINT)")
    units: list[Unit] = []
    unit_lists: dict[int, str] = {}
    for list_type, spec in specs.items():
        list_files = [item for item in files.values() if item.layout.spec.list_type == list_type]
        if not list_files:
            continue
        sources, unreadable = _gather_texts(connection, spec, _sources(connection, list_files))
        table = f"cases_{list_type}"
        connection.execute(f"CREATE TABLE {table} ({cases_columns_sql(spec)})")
        loaded = _load(connection, spec, sources, la_lookup, key, table, len(units))
        located, located_files = _located_failures(
            connection, spec, sources, loaded.units, la_lookup, key
        )
        readable = {item.number: item.file for source in sources for item in source.files}
        overlaps = overlap_failures(loaded.units, readable, spec)
        unlocated = [f for f in loaded.failures if f.file not in located_files]
        failures += [*unreadable, *unlocated, *located, *overlaps]
        for item in list_files:
            if item.file.file_format == "xlsx":
                connection.unregister(f"xlsx_{item.number}")
        units += loaded.units
        unit_lists.update({unit.number: list_type for unit in loaded.units})
        usable = sum(unit.usable for unit in loaded.units)
        log.info(
            "%s: %d file(s), %d list(s), %d usable",
            list_type,
            len(readable),
            len(loaded.units),
            usable,
        )
    connection.execute("DROP TABLE children")
    _record_units(connection, units, unit_lists, files)
    return StagedLists(files, units, unit_lists, failures)


def local_target_days(local_targets: LocalTargets, area_code: str, day: date) -> int:
    """The authority's local target for completing an assessment on `day`, in working days
    (default 40); ConfigurationError for a target that is not 1 to 45."""
    changes = local_targets.get(area_code)
    days = value_on(changes, day) if changes else DEFAULT_LOCAL_TARGET_DAYS
    if not isinstance(days, int) or not 1 <= days <= STATUTORY_MAXIMUM_DAYS:
        raise ConfigurationError(
            f"the local target for assessments in {area_code} is {days!r}; it must be a whole "
            f"number of working days from 1 to {STATUTORY_MAXIMUM_DAYS}"
        )
    return days


def _layouts(
    paths: Sequence[Path], specs: Mapping[str, CaseListSpec]
) -> tuple[list[CaseFailure], list[tuple[CaseFile, Layout]]]:
    """Every file's header failures, and the files whose header lets them be loaded."""
    failures: list[CaseFailure] = []
    layouts = []
    for path in paths:
        try:
            file = case_file(path)
        except UnreadableFile as error:
            failures.append(
                case_failure(rules.CASE_UNREADABLE, error.file_name, problem=error.problem)
            )
            continue
        layout, found = file_layout(file, specs)
        failures += found
        for failure in found:
            if failure.code == rules.CASE_IDENTIFYING_COLUMN.code:
                log.warning(
                    "%s: dropped the column headed at %s unread", file.name, failure.location
                )
        if layout is not None:
            layouts.append((file, layout))
    return failures, layouts


def _sources(connection: duckdb.DuckDBPyConnection, files: Sequence[ListFile]) -> list[Source]:
    """The files as sources: CSV files of one layout together, each workbook alone."""
    groups: dict[tuple[object, ...], list[ListFile]] = {}
    for item in files:
        file = item.file
        shape = (
            tuple(sorted(item.layout.positions.items())),
            len(file.headers),
            file.delimiter,
            file.encoding,
        )
        groups.setdefault(
            ("xlsx", item.number) if file.file_format == "xlsx" else shape, []
        ).append(item)
    return [
        _xlsx_source(connection, group[0])
        if group[0].file.file_format == "xlsx"
        else _csv_source(group)
        for group in groups.values()
    ]


def _gather_texts(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, sources: Sequence[Source]
) -> tuple[list[Source], list[CaseFailure]]:
    """Pass 1: gather each readable source's distinct texts into the temporary table `texts`.
    The sources read, and a failure for each file that cannot be: a group that fails is read
    file by file, and a CSV that is not UTF-8 as Latin-1."""
    read: list[Source] = []
    failures: list[CaseFailure] = []
    for source in sources:
        attempts = _csv_attempts(source) if source.encoding else [source]
        for attempt in attempts:
            query = distinct_texts_sql(spec, texts_sql(attempt.files[0].layout, attempt.sql))
            verb = "INSERT INTO texts" if read else "CREATE OR REPLACE TEMP TABLE texts AS"
            try:
                connection.execute(f"{verb} {query}")
            except duckdb.Error as error:
                if len(attempt.files) > 1:
                    singles = [_csv_source([item]) for item in attempt.files]
                    more, found = _gather_texts(connection, spec, singles)
                    read, failures = [*read, *more], [*failures, *found]
                    break
                if attempt is attempts[-1] or not is_encoding_error(error):
                    failures.append(_unreadable(attempt.files[0], error))
                    break
                continue
            read.append(attempt)
            break
    return read, failures


def _csv_attempts(source: Source) -> list[Source]:
    """The ways to read a CSV source, in order: as found; then, for one file taken for UTF-8,
    as Latin-1."""
    item = source.files[0]
    if len(source.files) == 1 and item.file.encoding == "utf-8":
        return [source, _csv_source([item], "latin-1")]
    return [source]


def _csv_source(group: Sequence[ListFile], encoding: str | None = None) -> Source:
    """A group of CSV files of one layout as one parallel read_csv."""
    numbers = ", ".join(str(item.number) for item in group)
    read = read_csv_sql([item.file for item in group], encoding)
    number = f"[{numbers}][file_index::BIGINT + 1]"
    sql = f"(SELECT {number} AS f, NULL::INTEGER AS {ROW_COLUMN}, * FROM {read})"
    return Source(sql, tuple(group), encoding or group[0].file.encoding)


def _xlsx_source(connection: duckdb.DuckDBPyConnection, item: ListFile) -> Source:
    """A workbook's kept columns as a registered pyarrow table, its rows numbered as in the
    sheet."""
    positions = {p: f"c{p}" for p in item.layout.positions.values()}
    name = f"xlsx_{item.number}"
    connection.register(name, xlsx_rows(item.file, positions))
    return Source(f"(SELECT {item.number} AS f, * FROM {name})", (item,))


def _unreadable(item: ListFile, error: Exception) -> CaseFailure:
    """CAS-001 for a file DuckDB cannot read, naming at most the line."""
    problem = csv_error(item.file.name, error).problem
    return case_failure(rules.CASE_UNREADABLE, item.file.name, problem=problem)


def _load(
    connection: duckdb.DuckDBPyConnection,
    spec: CaseListSpec,
    sources: Sequence[Source],
    la_lookup: AreaLookup,
    key: bytes,
    table: str,
    first_unit: int,
    numbered: bool = False,
) -> _Loaded:
    """Pass 2 of a list type's sources, whose texts pass 1 gathered, into `table`: units (with
    their error counts) and the failures of their authority and period; and, when the rows are
    `numbered`, every row rule's failures, located."""
    files = {item.number: item for source in sources for item in source.files}
    if not sources:
        return _Loaded()
    combinations = _combinations(connection, spec)
    case_files = {number: item.file for number, item in files.items()}
    membership, units, failures = list_units(combinations, case_files, la_lookup, first_unit)
    failures += [
        case_failure(rules.CASE_NO_ROWS, item.file.name, item.file.row(item.file.first_data_row))
        for number, item in files.items()
        if number not in {c.file_number for c in combinations}
    ]
    _pseudonymise_children(connection, spec, key)
    # The identifiers are pseudonymised: drop them from `texts` before the second pass.
    connection.execute(f"DELETE FROM texts WHERE set = {grouping_set(spec, 'child_id')}")
    registered = {
        "unit_map": _unit_map(membership),
        "unit_periods": _unit_periods(units),
        **_lookups(connection, spec),
    }
    for name, frame in registered.items():
        connection.register(name, frame)
    try:
        combinations_per_file = Counter(c.file_number for c in combinations)
        # DuckDB cannot count a CSV's rows before reading it, and would otherwise build its join
        # tables from the millions of rows rather than from `children` and the lookups.
        connection.execute("SET disabled_optimizers = 'build_side_probe_side'")
        for source in sources:
            by_file = all(combinations_per_file[item.number] == 1 for item in source.files)
            texts = texts_sql(source.files[0].layout, source.sql)
            connection.execute(f"INSERT INTO {table} {cases_select_sql(spec, texts, by_file)}")
        errors = _errors_by_unit(connection, spec, table)
        if numbered:
            failures += _listed_failures(connection, spec, table, files)
    finally:
        connection.execute("RESET disabled_optimizers")
        for name in registered:
            connection.unregister(name)
        connection.execute("DROP TABLE texts")
    for unit in units:
        unit.errors += errors.get(unit.number, 0)
    return _Loaded(units, failures)


def _combinations(connection: duckdb.DuckDBPyConnection, spec: CaseListSpec) -> list[Combination]:
    """The authority-and-period combinations gathered in `texts`, their period typed."""
    combinations = f"(SELECT * FROM texts WHERE set = {grouping_set(spec, 'f')})"
    return [
        Combination(*row) for row in connection.execute(period_types_sql(combinations)).fetchall()
    ]


def _pseudonymise_children(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, key: bytes
) -> None:
    """Add to `children` each identifier text gathered in `texts` not already there, with its
    pseudonym number: the first 64 bits of HMAC-SHA256(key, the identifier without surrounding
    spaces), once per distinct text. An identifier of spaces is blank and gets none."""
    inner, outer = hmac_pads(key)
    found = f"set = {grouping_set(spec, 'child_id')} AND trim(child_id) <> ''"
    number = f"('0x' || {pseudonym_hex_sql('trim(child_id)')})::UBIGINT"
    connection.execute(
        f"INSERT INTO children SELECT child_id, {number} FROM (SELECT child_id FROM texts "
        f"WHERE {found}) ANTI JOIN children USING (child_id)",
        {"inner_pad": inner, "outer_pad": outer},
    )


def _unit_map(membership: Mapping[Combination, int]) -> pd.DataFrame:
    """The combinations as a table: file, authority and period texts -> unit number."""
    rows = [
        (c.file_number, c.la_code, c.period_start_text, c.period_end_text, unit)
        for c, unit in membership.items()
    ]
    return pd.DataFrame(rows, columns=["f", *COVER_COLUMNS, "unit"]).astype(
        {name: "object" for name in COVER_COLUMNS}
    )


def _unit_periods(units: Sequence[Unit]) -> pd.DataFrame:
    """Each unit's period, which the declared checks compare dates with."""
    rows = [(unit.number, *(unit.period or (None, None))) for unit in units]
    return pd.DataFrame(rows, columns=["unit", "period_start", "period_end"]).astype(
        {"period_start": "datetime64[s]", "period_end": "datetime64[s]"}
    )


def _lookups(connection: duckdb.DuckDBPyConnection, spec: CaseListSpec) -> dict[str, pd.DataFrame]:
    """A lookup frame (distinct text -> value) for each code and flag column gathered in
    `texts`, by the name `lookup_<column>` the typed SELECT joins to."""
    frames = {}
    for column in spec.columns:
        if column.type not in ("code", "flag"):
            continue
        name = f'"{column.name}"'
        found_in = f"set = {grouping_set(spec, column.name)} AND {name} IS NOT NULL"
        sql = f"SELECT {name} FROM texts WHERE {found_in}"
        found = [text for (text,) in connection.execute(sql).fetchall()]
        mapping = code_lookup(column, found) if column.type == "code" else flag_lookup(found)
        kind = "object" if column.type == "code" else "boolean"
        frames[f"lookup_{column.name}"] = pd.DataFrame(
            {
                "text": pd.Series(list(mapping), dtype="object"),
                "value": pd.Series(list(mapping.values()), dtype=kind),
            }
        )
    return frames


def _errors_by_unit(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, table: str
) -> dict[int, int]:
    """How many rows of each unit break a row rule (a row breaking two counts once per source
    of rules): one scan per source, its rules' conditions joined by OR."""
    by_source: dict[str, list[str]] = {}
    for rule in _row_rules(spec, table):
        by_source.setdefault(rule.source, []).append(f"({rule.where})")
    errors: Counter[int] = Counter()
    for source, conditions in by_source.items():
        failing = " OR ".join(conditions)
        sql = f"SELECT unit, count(*) FILTER (WHERE {failing}) FROM {source} GROUP BY unit"
        errors.update(dict(connection.execute(sql).fetchall()))
    return dict(errors)


def _located_failures(
    connection: duckdb.DuckDBPyConnection,
    spec: CaseListSpec,
    sources: Sequence[Source],
    units: Sequence[Unit],
    la_lookup: AreaLookup,
    key: bytes,
) -> tuple[list[CaseFailure], set[str]]:
    """Every failure of each file with an error, located by row: the file is read again alone
    (a CSV in order, so that its rows can be numbered) through the same two passes. With the
    names of the files so read."""
    failing = {unit.file_number for unit in units if unit.errors}
    failures: list[CaseFailure] = []
    for source in sources:
        for item in source.files:
            if item.number not in failing:
                continue
            located, _ = _gather_texts(
                connection, spec, [_numbered_source(connection, source, item)]
            )
            connection.execute(f"CREATE OR REPLACE TEMP TABLE located ({cases_columns_sql(spec)})")
            loaded = _load(connection, spec, located, la_lookup, key, "located", -(10**6), True)
            failures += loaded.failures
            connection.execute("DROP TABLE located")
            connection.execute("DROP TABLE IF EXISTS located_rows")
    names = {
        item.file.name for source in sources for item in source.files if item.number in failing
    }
    return failures, names


def _numbered_source(
    connection: duckdb.DuckDBPyConnection, source: Source, item: ListFile
) -> Source:
    """One file of a source, its rows numbered: a workbook's are already; a CSV is copied in
    order (the one ordered read in loading) and numbered from its position."""
    if item.file.file_format == "xlsx":
        return Source(f"(SELECT {item.number} AS f, * FROM xlsx_{item.number})", (item,))
    connection.execute("SET preserve_insertion_order = true")
    try:
        read = read_csv_sql([item.file], source.encoding)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE located_rows AS SELECT * FROM {read}")
    finally:
        connection.execute("SET preserve_insertion_order = false")
    first = item.file.first_data_row
    return Source(
        f"(SELECT {item.number} AS f, (rowid + {first})::INTEGER AS {ROW_COLUMN}, * "
        "FROM located_rows)",
        (item,),
    )


def _listed_failures(
    connection: duckdb.DuckDBPyConnection,
    spec: CaseListSpec,
    table: str,
    files: Mapping[int, ListFile],
) -> list[CaseFailure]:
    """The row rules' failures in `table` (whose rows are numbered), at most
    MAX_LISTED_PER_RULE per file, rule and column, then a count of the rest."""
    hits = " UNION ALL ".join(rule.hits_sql for rule in _row_rules(spec, table))
    group = "PARTITION BY f, code, column_name"
    listed = connection.execute(
        f"SELECT code, column_name, f, {ROW_COLUMN}, child, shown, count(*) OVER ({group}) "
        f"FROM ({hits}) QUALIFY row_number() OVER ({group} ORDER BY {ROW_COLUMN}) <= "
        f"{MAX_LISTED_PER_RULE} ORDER BY f, {ROW_COLUMN}, code"
    ).fetchall()
    failures = [
        _row_failure(spec, files[f], code, column, row, child, shown)
        for code, column, f, row, child, shown, _ in listed
    ]
    totals = {(f, code, column): total for code, column, f, _, _, _, total in listed}
    failures += [
        _more_failures(spec, files[f].file, code, column, total)
        for (f, code, column), total in totals.items()
        if total > MAX_LISTED_PER_RULE
    ]
    return failures


@dataclass(frozen=True)
class _RowRule:
    """A row rule as SQL: the rows of `source` where `where` holds fail `code` in `column`;
    `shown` is what their failure shows (a declared check's dates, or the row repeated)."""

    code: str
    column: str | None
    where: str
    source: str
    shown: str = "NULL"

    @property
    def hits_sql(self) -> str:
        """SELECT of the failing rows: code, column, unit, file, row, child, shown."""
        name = "NULL" if self.column is None else f"'{self.column}'"
        return (
            f"SELECT '{self.code}' AS code, {name}::VARCHAR AS column_name, unit, f, "
            f"{ROW_COLUMN}, child, ({self.shown})::VARCHAR AS shown FROM {self.source} "
            f"WHERE {self.where}"
        )


def _row_rules(spec: CaseListSpec, table: str) -> list[_RowRule]:
    """Every row rule of the list, over the typed rows in `table`."""
    found = [_RowRule(rules.CASE_BLANK_VALUE.code, "child_id", "child IS NULL", table)]
    for column in spec.columns:
        name = column.name
        if column.type == "child_id" or name in COVER_COLUMNS:
            continue
        bad = f'"{name}{BAD_SUFFIX}"'
        found.append(_RowRule(_BAD_RULES[column.type].code, name, bad, table))
        if column.required:
            blank = f'"{name}" IS NULL AND NOT {bad}'
            found.append(_RowRule(rules.CASE_BLANK_VALUE.code, name, blank, table))
    dated = f"{table} JOIN (SELECT unit, {_PERIOD_DATES} FROM unit_periods) USING (unit)"
    for check in spec.checks:
        shown = ", ".join(f"'{spec.column(c).title}: ' || \"{c}\"" for c in check.columns)
        where = f"({check.sql}) IS FALSE"
        found.append(_RowRule(check.code, None, where, dated, f"concat_ws('; ', {shown})"))
    key = f'"{spec.key_date}"'
    repeated = (
        f"{table} JOIN (SELECT unit, child, {key}, min({ROW_COLUMN}) AS first_row FROM {table} "
        f"WHERE child IS NOT NULL AND {key} IS NOT NULL GROUP BY ALL HAVING count(*) > 1) "
        f"USING (unit, child, {key})"
    )
    later = f"{ROW_COLUMN} IS NULL OR {ROW_COLUMN} > first_row"
    found.append(
        _RowRule(rules.CASE_DUPLICATE_RECORD.code, spec.key_date, later, repeated, "first_row")
    )
    if spec.list_type == "cp_plans":
        window = f"PARTITION BY unit, child ORDER BY plan_start_date, {ROW_COLUMN}"
        plans = (
            "(SELECT *, lag(plan_start_date) OVER w AS previous_start, lag(plan_end_date) "
            f"OVER w AS previous_end, lag({ROW_COLUMN}) OVER w AS previous_row FROM {table} "
            f"WHERE child IS NOT NULL WINDOW w AS ({window}))"
        )
        overlap = (
            "previous_start < plan_start_date AND coalesce(previous_end > plan_start_date, true)"
        )
        code = rules.CASE_OVERLAPPING_PLAN.code
        found.append(_RowRule(code, "plan_start_date", overlap, plans, "previous_row"))
    return found


def _row_failure(
    spec: CaseListSpec,
    item: ListFile,
    code: str,
    column: str | None,
    row: int,
    child: int | None,
    shown: str | None,
) -> CaseFailure:
    """One failing row as a CaseFailure, located in the partner's file, naming the child by
    pseudonym only."""
    file = item.file
    position = item.layout.positions.get(column or "")
    where = file.row(row) if position is None else file.cell(row, position)
    name = None if child is None else pseudonym_text(child)
    check = next((c for c in spec.checks if c.code == code), None)
    if check is not None:
        return located_failure(
            code, "error", f"{check.message} ({shown})", file.name, where, None, name
        )
    declared = spec.column(column)
    fields: dict[str, object] = {"title": declared.title, "key_title": declared.title.lower()}
    if shown is not None:
        fields["first_location"] = file.row(int(shown))
    if code == rules.CASE_NOT_IN_RANGE.code:
        fields.update(minimum=declared.minimum, maximum=declared.maximum)
    if code == rules.CASE_NOT_ALLOWED_CODE.code:
        fields["choices"] = ", ".join(declared.codes)
    return case_failure(rules.RULES[code], file.name, where, column, name, **fields)


def _more_failures(
    spec: CaseListSpec, file: CaseFile, code: str, column: str | None, total: int
) -> CaseFailure:
    """CAS-021: how many more rows of a file fail a rule than are listed."""
    check = next((c for c in spec.checks if c.code == code), None)
    summary = check.message if check else rules.RULES[code].summary
    listed = MAX_LISTED_PER_RULE
    count = f"{total - listed:,}"
    return case_failure(
        rules.CASE_MORE_FAILURES,
        file.name,
        "",
        column,
        count=count,
        code=code,
        summary=summary,
        listed=listed,
    )


def _record_units(
    connection: duckdb.DuckDBPyConnection,
    units: Sequence[Unit],
    unit_lists: Mapping[int, str],
    files: Mapping[int, ListFile],
) -> None:
    """Create case_units: every unit with its list type, file, authority, period, rows and
    whether it may be used."""
    rows = []
    for unit in units:
        item = files[unit.file_number]
        area = unit.area[0] if unit.area else None
        start, end = unit.period or (None, None)
        rows.append(
            (unit.number, unit_lists[unit.number], item.file.name, f"S-{item.sha256[:16]}",
             item.sha256, area, start, end, unit.rows, unit.usable)
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=[name for name, _ in _UNIT_COLUMNS])
    connection.register("units_frame", frame.astype(object))
    casts = ", ".join(f"{name}::{kind} AS {name}" for name, kind in _UNIT_COLUMNS)
    connection.execute(f"CREATE TABLE case_units AS SELECT {casts} FROM units_frame")
    connection.unregister("units_frame")
