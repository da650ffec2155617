"""Loading case lists into DuckDB: read, typed, validated and pseudonymised, ready to derive.

Everything happens in the DuckDB connection given, which should be an in-memory database: the
identifiers and full dates of birth exist only there, only while a list is being loaded, and
never in a file. For each list type in turn:

1. its files are read into `raw_<list>` (one parallel read_csv per group of files that share a
   layout; a workbook through pyarrow), every cell typed as cases/validate.py says;
2. its authority-and-period combinations, codes and flags are looked up, once per distinct text;
3. its child identifiers not seen before are pseudonymised, once per distinct identifier, by
   HMAC-SHA256 in SQL (`children`: identifier -> 64-bit pseudonym number);
4. `cases_<list>` is made: the rows with their unit, row number, pseudonym number (never the
   identifier), typed values and each child's previous record (for duplicates, re-referrals and
   subsequent plans); then `raw_<list>` is dropped;
5. its rows are checked, and every unit with an error is marked unusable.

`case_units` holds every unit (one authority's list in one file) with its period and whether it
may be used; `children` is dropped at the end, leaving nothing that names a child.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from lscb_metrics.cases import rules
from lscb_metrics.cases.pseudonymise import PSEUDONYM_PREFIX, hmac_pads, pseudonym_hex_sql
from lscb_metrics.cases.read import (
    ROW_COLUMN,
    CaseFile,
    UnreadableCaseList,
    case_file,
    csv_error,
    is_encoding_error,
    read_csv_sql,
    sha256_of,
    xlsx_rows,
)
from lscb_metrics.cases.rules import CaseFailure, case_failure, located_failure
from lscb_metrics.cases.spec import CaseListSpec
from lscb_metrics.cases.validate import (
    BAD_SUFFIX,
    PREVIOUS_PREFIX,
    AreaLookup,
    Combination,
    Layout,
    Unit,
    code_lookup,
    file_layout,
    flag_lookup,
    list_units,
    overlap_failures,
    raw_columns_sql,
    typed_rows_sql,
)

log = logging.getLogger(__name__)

#: Local target for completing a single assessment, in working days, where none is given.
DEFAULT_LOCAL_TARGET_DAYS = 40
#: The statutory maximum (Working Together 2013): a local target cannot be longer.
STATUTORY_MAXIMUM_DAYS = 45
_CHILD = "child"
_PERIOD = ("period_start", "period_end")
#: The columns that say which unit a row belongs to (with the file it came from).
_COMBINATION = (
    "f",
    "la_code",
    "period_start",
    "period_start__bad",
    "period_end",
    "period_end__bad",
)
#: The rule a column type's __bad flag breaks.
_BAD_RULES = {
    "date": rules.NOT_A_DATE,
    "date_of_birth": rules.NOT_A_DATE,
    "integer": rules.NOT_IN_RANGE,
    "code": rules.NOT_ALLOWED_CODE,
    "flag": rules.NOT_YES_NO,
}
_PREVIOUS_ROW = f"{PREVIOUS_PREFIX}{ROW_COLUMN}"
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
    ("local_target", "INTEGER"),
)


@dataclass(frozen=True)
class ListFile:
    """A case list file accepted for loading: its number, header, layout and SHA-256."""

    number: int
    file: CaseFile
    layout: Layout
    sha256: str


@dataclass(frozen=True)
class StagedLists:
    """What loading left in the connection (`case_units`, `cases_<list>`), and what it found."""

    files: Mapping[int, ListFile]
    units: Sequence[Unit]
    unit_lists: Mapping[int, str]  # unit number -> list type
    failures: Sequence[CaseFailure]


def stage_case_lists(
    connection: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    specs: Mapping[str, CaseListSpec],
    la_lookup: AreaLookup,
    key: bytes,
    local_targets: Mapping[str, int],
) -> StagedLists:
    """Read, type, validate and pseudonymise the case lists at `paths` into `connection`."""
    with ThreadPoolExecutor(max_workers=1) as hashing:
        # Hashing reads each file once more; it runs beside DuckDB, which is reading them too.
        digests = {path: hashing.submit(sha256_of, path) for path in paths}
        failures, layouts = _layouts(paths, specs)
        files = {
            number: ListFile(number, file, layout, digests[file.path].result())
            for number, (file, layout) in enumerate(layouts)
        }
    connection.execute(f"CREATE TABLE children (child_id VARCHAR, {_CHILD} UBIGINT)")
    units: list[Unit] = []
    unit_lists: dict[int, str] = {}
    for list_type, spec in specs.items():
        list_files = {n: f for n, f in files.items() if f.layout.spec.list_type == list_type}
        if not list_files:
            continue
        loaded, found = _load_raw(connection, spec, list_files)
        staged, staged_failures = _stage_list(connection, spec, loaded, la_lookup, key, len(units))
        overlaps = overlap_failures(staged, {n: f.file for n, f in loaded.items()}, spec)
        failures += [*found, *staged_failures, *overlaps]
        units += staged
        unit_lists.update({unit.number: list_type for unit in staged})
        usable = sum(unit.usable for unit in staged)
        log.info(
            "%s: %d file(s), %d list(s), %d usable", list_type, len(loaded), len(staged), usable
        )
    connection.execute("DROP TABLE children")
    _record_units(connection, units, unit_lists, files, local_targets)
    return StagedLists(files, units, unit_lists, failures)


def local_target_days(local_targets: Mapping[str, int], area_code: str) -> int:
    """The authority's local target for completing an assessment, in working days (default 40);
    ValueError for a target outside 1 to 45."""
    days = local_targets.get(area_code, DEFAULT_LOCAL_TARGET_DAYS)
    if not 1 <= days <= STATUTORY_MAXIMUM_DAYS:
        raise ValueError(f"local target for {area_code} is {days} working days; it must be 1 to 45")
    return days


def previous_columns_sql(spec: CaseListSpec, partition: str, child: str, order: str) -> str:
    """Window columns giving each record the dates of the child's previous record in the list
    (previous_<date> for each event date), records ordered by the key date, then `order`."""
    return ", ".join(
        f'lag("{name}") OVER ({_previous_window(spec, partition, child, order)}) '
        f'AS "{PREVIOUS_PREFIX}{name}"'
        for name in spec.event_dates
    )


def _previous_window(spec: CaseListSpec, partition: str, child: str, order: str) -> str:
    """The window in which a child's records follow each other."""
    return f'PARTITION BY {partition}, {child} ORDER BY "{spec.key_date}", {order}'


def _layouts(
    paths: Sequence[Path], specs: Mapping[str, CaseListSpec]
) -> tuple[list[CaseFailure], list[tuple[CaseFile, Layout]]]:
    """Every file's header failures, and the files whose header lets them be loaded."""
    failures: list[CaseFailure] = []
    layouts = []
    for path in paths:
        try:
            file = case_file(path)
        except UnreadableCaseList as error:
            failures.append(case_failure(rules.UNREADABLE, error.file_name, problem=error.problem))
            continue
        layout, found = file_layout(file, specs)
        failures += found
        for failure in found:
            if failure.code == rules.IDENTIFYING_COLUMN.code:
                log.warning("%s: dropped the column %s unread", file.name, failure.location)
        if layout is not None:
            layouts.append((file, layout))
    return failures, layouts


def _load_raw(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, files: Mapping[int, ListFile]
) -> tuple[dict[int, ListFile], list[CaseFailure]]:
    """Load a list type's files into raw_<list>: the files loaded, and those that could not be."""
    table = f"raw_{spec.list_type}"
    connection.execute(f"CREATE TABLE {table} ({raw_columns_sql(spec)})")
    groups: dict[tuple[object, ...], list[ListFile]] = {}
    for item in files.values():
        file = item.file
        shape = (
            tuple(sorted(item.layout.positions.items())),
            len(file.headers),
            file.delimiter,
            file.encoding,
        )
        group = ("xlsx", item.number) if file.file_format == "xlsx" else ("csv", *shape)
        groups.setdefault(group, []).append(item)
    loaded: dict[int, ListFile] = {}
    failures: list[CaseFailure] = []
    for group in groups.values():
        for item, problem in _insert_group(connection, table, group):
            if problem is None:
                loaded[item.number] = item
            else:
                failures.append(case_failure(rules.UNREADABLE, item.file.name, problem=problem))
    return loaded, failures


def _insert_group(
    connection: duckdb.DuckDBPyConnection, table: str, group: Sequence[ListFile]
) -> list[tuple[ListFile, str | None]]:
    """Insert a group of files of one layout; each file with None, or why it could not be read.
    A group that fails is retried file by file, and a CSV that is not UTF-8 as Latin-1."""
    first = group[0]
    if first.file.file_format == "xlsx":
        positions = {p: f"c{p}" for p in first.layout.positions.values()}
        rows = xlsx_rows(first.file, positions)
        connection.register("xlsx_rows", rows)
        try:
            sql = typed_rows_sql(first.layout, "xlsx_rows", str(first.number), ROW_COLUMN)
            connection.execute(f"INSERT INTO {table} {sql}")
        finally:
            connection.unregister("xlsx_rows")
        return [(first, None)]
    numbers = ", ".join(str(item.number) for item in group)
    for encoding in (None, "latin-1"):
        source = read_csv_sql([item.file for item in group], encoding)
        sql = typed_rows_sql(
            first.layout, source, f"[{numbers}][file_index::BIGINT + 1]", "NULL::INTEGER"
        )
        try:
            connection.execute(f"INSERT INTO {table} {sql}")
            return [(item, None) for item in group]
        except duckdb.Error as error:
            failed = error
            if len(group) > 1:
                return [
                    result for item in group for result in _insert_group(connection, table, [item])
                ]
            if not is_encoding_error(error) or first.file.encoding != "utf-8":
                break
    return [(first, csv_error(first.file.name, failed).problem)]


def _stage_list(
    connection: duckdb.DuckDBPyConnection,
    spec: CaseListSpec,
    files: Mapping[int, ListFile],
    la_lookup: AreaLookup,
    key: bytes,
    first_unit: int,
) -> tuple[list[Unit], list[CaseFailure]]:
    """From raw_<list> to cases_<list>: units, lookups, pseudonyms, typed rows, row checks."""
    raw = f"raw_{spec.list_type}"
    bases = dict(connection.execute(f"SELECT f, min(rowid) FROM {raw} GROUP BY f").fetchall())
    case_files = {n: item.file for n, item in files.items()}
    failures = [
        case_failure(rules.NO_ROWS, item.file.name, item.file.row(item.file.first_data_row))
        for n, item in files.items()
        if n not in bases
    ]
    combinations = _combinations(connection, raw, case_files, bases)
    membership, units, unit_failures = list_units(combinations, case_files, la_lookup, first_unit)
    registered = {
        "unit_map": _unit_map(membership),
        "bases": pd.DataFrame(list(bases.items()), columns=["f", "base"]),
        "unit_periods": _unit_periods(units),
        **_lookups(connection, spec, raw),
    }
    for name, frame in registered.items():
        connection.register(name, frame)
    try:
        _pseudonymise_children(connection, raw, key)
        connection.execute(
            _cases_sql(spec, raw, [n for n in registered if n.startswith("lookup_")])
        )
        connection.execute(f"DROP TABLE {raw}")
        row_failures, errors = _row_failures(connection, spec, files)
    finally:
        for name in registered:
            connection.unregister(name)
    for unit in units:
        unit.errors += errors.get(unit.number, 0)
    return units, [*failures, *unit_failures, *row_failures]


def _combinations(
    connection: duckdb.DuckDBPyConnection,
    raw: str,
    files: Mapping[int, CaseFile],
    bases: Mapping[int, int],
) -> list[Combination]:
    """The authority-and-period combinations of a list type's rows, counted by file."""
    rows = connection.execute(
        "SELECT f, la_code, period_start, period_start__bad, period_end, period_end__bad, "
        f"count(*), min(rowid), min({ROW_COLUMN}) FROM {raw} GROUP BY ALL"
    ).fetchall()
    return [
        Combination(
            f,
            la,
            ps,
            bool(ps_bad),
            pe,
            bool(pe_bad),
            count,
            sheet_row or files[f].first_data_row + first - bases[f],
        )
        for f, la, ps, ps_bad, pe, pe_bad, count, first, sheet_row in rows
    ]


def _unit_map(membership: Mapping[Combination, int]) -> pd.DataFrame:
    """The combinations as a table: file, authority and period texts -> unit number."""
    rows = [
        (c.file_number, c.la_code, c.period_start, c.period_start_bad, c.period_end,
         c.period_end_bad, unit)
        for c, unit in membership.items()
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=[*_COMBINATION, "unit"])
    return frame.astype({"la_code": "object", "period_start": "object", "period_end": "object"})


def _lookups(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, raw: str
) -> dict[str, pd.DataFrame]:
    """A lookup frame (distinct text -> value) for each code and flag column, by its name
    `lookup_<column>`."""
    frames = {}
    for column in spec.columns:
        if column.type not in ("code", "flag"):
            continue
        sql = f'SELECT DISTINCT "{column.name}" FROM {raw} WHERE "{column.name}" IS NOT NULL'
        texts = [text for (text,) in connection.execute(sql).fetchall()]
        mapping = code_lookup(column, texts) if column.type == "code" else flag_lookup(texts)
        values = pd.Series(
            list(mapping.values()), dtype="object" if column.type == "code" else "boolean"
        )
        frames[f"lookup_{column.name}"] = pd.DataFrame(
            {"text": pd.Series(list(mapping), dtype="object"), "value": values}
        )
    return frames


def _unit_periods(units: Sequence[Unit]) -> pd.DataFrame:
    """Each unit's period, which the declared checks compare dates with."""
    return pd.DataFrame(
        [(unit.number, *(unit.period or (None, None))) for unit in units],
        columns=["unit", "period_start", "period_end"],
    ).astype({"period_start": "datetime64[s]", "period_end": "datetime64[s]"})


def _pseudonymise_children(connection: duckdb.DuckDBPyConnection, raw: str, key: bytes) -> None:
    """Add to `children` each identifier in raw_<list> not already there, with its pseudonym
    number: the first 64 bits of HMAC-SHA256(key, identifier), computed once per identifier."""
    inner, outer = hmac_pads(key)
    connection.execute(
        f"INSERT INTO children SELECT child_id, ('0x' || {pseudonym_hex_sql('child_id')})::UBIGINT "
        f"FROM (SELECT DISTINCT child_id FROM {raw} WHERE child_id IS NOT NULL) "
        "ANTI JOIN children USING (child_id)",
        {"inner_pad": inner, "outer_pad": outer},
    )


def _cases_sql(spec: CaseListSpec, raw: str, lookups: Sequence[str]) -> str:
    """CREATE TABLE cases_<list>: each row's unit, file, row number, child pseudonym number,
    typed values (codes looked up) with their __bad flags, and the child's previous record."""
    row = f"coalesce(r.{ROW_COLUMN}, r.rowid - b.base + 2)::INTEGER AS {ROW_COLUMN}"
    selected = ["m.unit", "r.f", row, f"c.{_CHILD}"]
    joins = []
    for column in spec.columns:
        name = column.name
        if column.type in ("child_id", "area") or name in _PERIOD:
            continue  # the child is its pseudonym number; authority and period are the unit's
        if f"lookup_{name}" in lookups:
            alias = f'"l_{name}"'
            joins.append(f'LEFT JOIN lookup_{name} {alias} ON {alias}.text = r."{name}"')
            bad = f'(r."{name}" IS NOT NULL AND {alias}.value IS NULL)'
            selected += [f'{alias}.value AS "{name}"', f'{bad} AS "{name}{BAD_SUFFIX}"']
        else:
            selected += [f'r."{name}"', f'r."{name}{BAD_SUFFIX}"']
    cover = " AND ".join(f"m.{c} IS NOT DISTINCT FROM r.{c}" for c in _COMBINATION)
    inner = (
        f"SELECT {', '.join(selected)}, r.rowid AS __order FROM {raw} r "
        f"JOIN bases b ON b.f = r.f JOIN unit_map m ON {cover} "
        f"LEFT JOIN children c ON c.child_id = r.child_id {' '.join(joins)}"
    )
    window = _previous_window(spec, "unit", _CHILD, "__order")
    previous = (
        f"{previous_columns_sql(spec, 'unit', _CHILD, '__order')}, "
        f"lag({ROW_COLUMN}) OVER ({window}) AS {_PREVIOUS_ROW}"
    )
    table = f"cases_{spec.list_type}"
    return f"CREATE TABLE {table} AS SELECT * EXCLUDE (__order), {previous} FROM ({inner})"


def _row_failures(
    connection: duckdb.DuckDBPyConnection, spec: CaseListSpec, files: Mapping[int, ListFile]
) -> tuple[list[CaseFailure], dict[int, int]]:
    """Every row rule's failures in cases_<list> (at most MAX_LISTED_PER_RULE per file, rule and
    column, then a count of the rest), and the number of errors per unit."""
    hits = " UNION ALL ".join(_rule_hits_sql(spec))
    connection.execute(f"CREATE TEMP TABLE hits AS {hits}")
    errors = dict(connection.execute("SELECT unit, count(*) FROM hits GROUP BY unit").fetchall())
    group = "PARTITION BY f, code, column_name"
    listed = connection.execute(
        f"SELECT code, column_name, f, {ROW_COLUMN}, {_CHILD}, shown, count(*) OVER ({group}) "
        f"FROM hits QUALIFY row_number() OVER ({group} ORDER BY {ROW_COLUMN}) <= "
        f"{rules.MAX_LISTED_PER_RULE} ORDER BY f, {ROW_COLUMN}, code"
    ).fetchall()
    connection.execute("DROP TABLE hits")
    failures = [
        _row_failure(spec, files[f], code, column, row, child, shown)
        for code, column, f, row, child, shown, _ in listed
    ]
    totals = {(f, code, column): total for code, column, f, _, _, _, total in listed}
    for (f, code, column), total in totals.items():
        if total > rules.MAX_LISTED_PER_RULE:
            failures.append(_more_failures(spec, files[f].file, code, column, total))
    return failures, errors


def _rule_hits_sql(spec: CaseListSpec) -> list[str]:
    """One SELECT per row rule of the list: its code, column, unit, file, row, child and what to
    show, for every row that fails it."""
    table = f"cases_{spec.list_type}"
    hits = [_hit(table, rules.BLANK_VALUE, "child_id", f"{_CHILD} IS NULL")]
    for column in spec.columns:
        name = column.name
        if column.type in ("child_id", "area") or name in _PERIOD:
            continue
        bad = _BAD_RULES[column.type]
        hits.append(_hit(table, bad, name, f'"{name}{BAD_SUFFIX}"'))
        if column.required:
            blank = f'"{name}" IS NULL AND NOT "{name}{BAD_SUFFIX}"'
            hits.append(_hit(table, rules.BLANK_VALUE, name, blank))
    for check in spec.checks:
        shown = ", ".join(f"'{spec.column(c).title}: ' || \"{c}\"" for c in check.columns)
        periods = "SELECT unit, period_start::DATE AS period_start, period_end::DATE AS period_end"
        source = f"{table} JOIN ({periods} FROM unit_periods) USING (unit)"
        hits.append(
            _hit(source, check.code, None, f"({check.sql}) IS FALSE", f"concat_ws('; ', {shown})")
        )
    key, previous = f'"{spec.key_date}"', f'"{PREVIOUS_PREFIX}{spec.key_date}"'
    repeat = f"{_CHILD} IS NOT NULL AND {previous} = {key}"
    hits.append(_hit(table, rules.DUPLICATE_RECORD, spec.key_date, repeat, _PREVIOUS_ROW))
    if spec.list_type == "cp_plans":
        overlap = (
            f"{_CHILD} IS NOT NULL AND previous_plan_start_date < plan_start_date "
            "AND coalesce(previous_plan_end_date > plan_start_date, true)"
        )
        hits.append(_hit(table, rules.OVERLAPPING_PLAN, "plan_start_date", overlap, _PREVIOUS_ROW))
    return hits


def _hit(
    source: str, rule: rules.Rule | str, column: str | None, where: str, shown: str = "NULL"
) -> str:
    """SELECT of the rows of `source` failing one rule."""
    code = rule if isinstance(rule, str) else rule.code
    name = "NULL" if column is None else f"'{column}'"
    return (
        f"SELECT '{code}' AS code, {name}::VARCHAR AS column_name, unit, f, {ROW_COLUMN}, "
        f"{_CHILD}, ({shown})::VARCHAR AS shown FROM {source} WHERE {where}"
    )


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
    title = spec.column(column).title
    fields: dict[str, object] = {"title": title, "key_title": title.lower()}
    if shown is not None:
        fields["first_location"] = file.row(int(shown))
    if code == rules.NOT_IN_RANGE.code:
        fields.update(minimum=spec.column(column).minimum, maximum=spec.column(column).maximum)
    if code == rules.NOT_ALLOWED_CODE.code:
        fields["choices"] = ", ".join(spec.column(column).codes)
    return case_failure(rules.RULES[code], file.name, where, column, name, **fields)


def _more_failures(
    spec: CaseListSpec, file: CaseFile, code: str, column: str | None, total: int
) -> CaseFailure:
    """CAS-021: how many more rows of a file fail a rule than are listed."""
    check = next((c for c in spec.checks if c.code == code), None)
    summary = check.message if check else rules.RULES[code].summary
    listed = rules.MAX_LISTED_PER_RULE
    return case_failure(
        rules.MORE_FAILURES,
        file.name,
        "",
        column,
        count=f"{total - listed:,}",
        code=code,
        summary=summary,
        listed=listed,
    )


def _record_units(
    connection: duckdb.DuckDBPyConnection,
    units: Sequence[Unit],
    unit_lists: Mapping[int, str],
    files: Mapping[int, ListFile],
    local_targets: Mapping[str, int],
) -> None:
    """Create case_units: every unit with its list type, file, authority, period, rows, local
    target for assessments and whether it may be used."""
    rows = []
    for unit in units:
        item = files[unit.file_number]
        area = unit.area[0] if unit.area else None
        start, end = unit.period or (None, None)
        target = local_target_days(local_targets, area) if area else None
        rows.append(
            (unit.number, unit_lists[unit.number], item.file.name, f"S-{item.sha256[:16]}",
             item.sha256, area, start, end, unit.rows, unit.usable, target)
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=[name for name, _ in _UNIT_COLUMNS])
    connection.register("units_frame", frame.astype(object))
    casts = ", ".join(f"{name}::{kind} AS {name}" for name, kind in _UNIT_COLUMNS)
    connection.execute(f"CREATE TABLE case_units AS SELECT {casts} FROM units_frame")
    connection.unregister("units_frame")


def pseudonym_text(child: int) -> str:
    """A pseudonym number as the pseudonym shown: 'P-' and 16 hex digits."""
    return f"{PSEUDONYM_PREFIX}{child:016x}"
