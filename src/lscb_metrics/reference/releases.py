"""Taking a newer DfE or ONS release of a shipped table: which table it is, which years it adds,
and the data log section that records it (`lscb-metrics reference add`).

A release replaces the shipped file of its table, so exactly one file matches the table's glob
in the measures registry, and its section in data/raw/DATA_LOG.md is rewritten with the new
file's source, date and SHA-256.
"""

from __future__ import annotations

import importlib
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from lscb_metrics.errors import LscbError, ReleaseRefused
from lscb_metrics.intake.hashing import copied_sha256, file_sha256
from lscb_metrics.measures import PublishedTable, Registry
from lscb_metrics.reference import dfe_cin, ons
from lscb_metrics.reference._files import csv_text
from lscb_metrics.reference.areas import EES_GEOGRAPHY_COLUMNS, ees_time_periods

#: The column holding a table's only category, by loader: only DfE's tidy CSV layout (DfE
#: children in need, ONS estimates as DfE compiles them) has `time_period` years to compare.
CATEGORY_COLUMNS: dict[str, str] = {dfe_cin.LOADER: "category", ons.LOADER: "age_group"}
#: What a table's `time_period` years are, by loader, for its data log section: the ONS
#: estimates are labelled 'Reporting year' like DfE's tables, yet 2013 is mid-2013, not 2012-13.
YEAR_MEANINGS: dict[str, str] = {
    dfe_cin.LOADER: "reporting years ending 31 March {first} to {last}",
    ons.LOADER: "estimates for mid-{first} to mid-{last} (`time_period` {first} is the estimate "
    "at 30 June {first}, despite its `time_identifier` 'Reporting year')",
}
#: How one `time_period` year of a table is named to the user, by loader.
YEAR_NAMES: dict[str, str] = {dfe_cin.LOADER: "{year}", ons.LOADER: "mid-{year}"}
LOG_PREFIX = "data/raw/reference/"
_WIDTH = 99  # the data log's line length
# Fields kept from the replaced file's section: the publisher, licence and reader are the
# table's, not the release's.
_KEPT_FIELDS = ("Publisher / original source", "Licence", "Read by")


@dataclass(frozen=True)
class Release:
    """A newer file for a shipped table, checked and compared with the file it replaces."""

    table: PublishedTable
    path: Path  # the new file, where the user has it
    replaces: Path  # the shipped file
    years: tuple[int, ...]  # time_period years the new file has
    new_years: tuple[int, ...]  # ... that the shipped file has not
    sha256: str
    size: int

    @property
    def target(self) -> Path:
        """Where the new file goes: beside the shipped one, under its own name."""
        return self.replaces.with_name(self.path.name)


def year_names(table: PublishedTable, years: tuple[int, ...]) -> str:
    """`years` of `table` as its publisher means them ('2026' for DfE, 'mid-2025' for ONS)."""
    return ", ".join(YEAR_NAMES[table.loader].format(year=year) for year in years)


def years_meaning(table: PublishedTable, years: tuple[int, ...]) -> str:
    """What the span of `years` of `table` covers, for its data log section."""
    return YEAR_MEANINGS[table.loader].format(first=years[0], last=years[-1])


def release_tables(registry: Registry) -> tuple[PublishedTable, ...]:
    """The registry's tables a newer release can replace (DfE's tidy CSV layout)."""
    return tuple(t for t in registry.tables.values() if t.loader in CATEGORY_COLUMNS)


def table_of(file_name: str, registry: Registry) -> PublishedTable:
    """The one table whose file pattern `file_name` matches; ReleaseRefused naming the tables
    it could be otherwise."""
    tables = release_tables(registry)
    matching = [t for t in tables if fnmatchcase(file_name, PurePosixPath(t.file).name)]
    if len(matching) == 1:
        return matching[0]
    candidates = "; ".join(f"{t.name} ({t.file})" for t in matching or tables)
    if matching:
        raise ReleaseRefused(f"{file_name} matches several tables: {candidates}")
    raise ReleaseRefused(
        f"{file_name} is not named as any table a release can replace; name it as one of: "
        f"{candidates}"
    )


def table_years(path: Path, table: PublishedTable, registry: Registry) -> tuple[int, ...]:
    """The time_period years of a file of `table`, once it has the table's columns and only
    its category; ReleaseRefused saying what is wrong otherwise."""
    category_column = CATEGORY_COLUMNS[table.loader]
    measure_columns = [source.column for _, source in registry.published_in(table.name)]
    try:
        frame = csv_text(path, [*EES_GEOGRAPHY_COLUMNS, category_column, *measure_columns])
        years = ees_time_periods(frame, path)
    except ValueError as error:
        raise ReleaseRefused(f"not a release of table {table.name}: {error}") from error
    others = sorted(set(frame[category_column]) - {table.category})
    if others:
        raise ReleaseRefused(
            f"{path}: not a release of table {table.name}: expected {category_column} "
            f"{table.category!r} only, also found {others}"
        )
    return tuple(sorted(set(years)))


def shipped_file(reference_dir: Path, table: PublishedTable, new: Path) -> Path:
    """The shipped file of `table` that `new` replaces (`new` may already sit beside it);
    ReleaseRefused if `new` is the shipped file itself, or there is not exactly one other."""
    shipped = sorted(reference_dir.glob(table.file))
    matches = [p for p in shipped if p.resolve() != new.resolve()]
    if shipped and not matches:
        raise ReleaseRefused(
            f"{new.name} is the shipped file of table {table.name} already; download the newer "
            f"release (named like {PurePosixPath(table.file).name}) and add that"
        )
    if len(matches) != 1:
        found = ", ".join(p.name for p in matches) or "none"
        raise ReleaseRefused(
            f"table {table.name} needs exactly one shipped file matching {table.file!r} in "
            f"{reference_dir} to replace; found {found}"
        )
    return matches[0]


def plan_release(
    path: Path, reference_dir: Path, registry: Registry, allow_fewer_years: bool = False
) -> Release:
    """The release `path` would be, checked; ReleaseRefused if it matches no table, is the
    shipped file again, or lacks years the shipped file has (unless `allow_fewer_years`)."""
    if not path.is_file():
        raise ReleaseRefused(f"{path}: no such file")
    table = table_of(path.name, registry)
    old = shipped_file(reference_dir, table, path)
    digest = file_sha256(path)
    if digest == file_sha256(old):
        raise ReleaseRefused(f"{path.name} is already shipped, as {old.name} (same SHA-256)")
    years = table_years(path, table, registry)
    old_years = table_years(old, table, registry)
    dropped = sorted(set(old_years) - set(years))
    if dropped and not allow_fewer_years:
        raise ReleaseRefused(
            f"{path.name} lacks year(s) {', '.join(map(str, dropped))} that {old.name} has; "
            "pass --allow-fewer-years to take it anyway"
        )
    new_years = tuple(y for y in years if y not in old_years)
    release = Release(table, path, old, years, new_years, digest, path.stat().st_size)
    read_as_shipped(release, reference_dir, registry)
    return release


def read_as_shipped(release: Release, reference_dir: Path, registry: Registry) -> None:
    """Nothing when the table's own reader reads `release` in place of the file it replaces;
    ReleaseRefused with the reader's objection otherwise."""
    # A file the reader refuses (an unknown symbol, say) would stop every run once the shipped
    # file it replaced is gone, so the reader is tried first, on links beside the other files.
    module, _, function = release.table.loader.partition(":")
    reader = getattr(importlib.import_module(module), function)
    replaced = {release.replaces.resolve(), release.path.resolve()}
    with tempfile.TemporaryDirectory(prefix="lscb-release-") as folder:
        shadow = Path(folder)
        links = [
            (shadow / path.relative_to(reference_dir), path)
            for path in sorted(reference_dir.rglob("*"))
            if path.is_file() and path.resolve() not in replaced
        ]
        tried = shadow / release.target.relative_to(reference_dir)
        for link, path in [*links, (tried, release.path)]:
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path.resolve())
        try:
            reader(shadow, registry)
        except (ValueError, LscbError) as error:
            objection = str(error).replace(str(tried), release.path.name)
            raise ReleaseRefused(
                f"{release.path.name}: table {release.table.name}'s reader refuses it: {objection}"
            ) from error


def _field(name: str, text: str) -> str:
    """One `- **name**: text` line of a data log section, wrapped as the log is."""
    return textwrap.fill(
        f"- **{name}**: {text}",
        width=_WIDTH,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _section_pattern(relative: str) -> re.Pattern[str]:
    """The data log section of `relative` (a path under the reference folder): its heading and
    its field lines, without the blank line after them."""
    return re.compile(
        rf"^### {re.escape(LOG_PREFIX + relative)}\n(?:(?:- |  ).*\n)*", flags=re.MULTILINE
    )


def logged_sha256s(log_text: str) -> dict[str, str]:
    """SHA-256 of every reference file the data log has a section for, by path under the
    reference folder."""
    return dict(
        re.findall(
            rf"^### {re.escape(LOG_PREFIX)}(\S+)\n(?:.*\n)*?- \*\*SHA-256\*\*: `([0-9a-f]{{64}})`",
            log_text,
            flags=re.MULTILINE,
        )
    )


def logged_fields(log_text: str, relative: str) -> dict[str, str]:
    """The fields (name -> text as written, continuation lines included) of the data log section
    of `relative`; ReleaseRefused if the log has none."""
    section = _section_pattern(relative).search(log_text)
    if section is None:
        raise ReleaseRefused(f"DATA_LOG.md has no section '### {LOG_PREFIX}{relative}'")
    fields = re.findall(r"^- \*\*(.+?)\*\*: (.*(?:\n  .*)*)", section.group(), flags=re.MULTILINE)
    return dict(fields)


def log_section(
    release: Release, relative: str, old_fields: dict[str, str], source: str, day: date
) -> str:
    """The data log section for the release now at `relative`, keeping the publisher, licence
    and reader of the replaced file's section (`old_fields`)."""
    missing = [name for name in _KEPT_FIELDS if name not in old_fields]
    if missing:
        raise ReleaseRefused(
            f"the section of {release.replaces.name} in DATA_LOG.md lacks {missing}"
        )
    span = f"`time_period` {release.years[0]} to {release.years[-1]}"
    fields = [
        _field(
            "What",
            f"table {release.table.name} ({release.table.category}), {span}: "
            f"{years_meaning(release.table, release.years)}; the release that replaced "
            f"`{release.replaces.name}`.",
        ),
        f"- **Publisher / original source**: {old_fields['Publisher / original source']}",
        _field("Obtained from", source),
        _field("Date / version", f"added {day.isoformat()}, {span}."),
        f"- **Licence**: {old_fields['Licence']}",
        f"- **SHA-256**: `{release.sha256}`\n  ({release.size:,} bytes)",
        f"- **Read by**: {old_fields['Read by']}",
    ]
    return f"### {LOG_PREFIX}{relative}\n" + "\n".join(fields) + "\n"


def replace_log_section(log_text: str, old_relative: str, section: str) -> str:
    """`log_text` with the section of `old_relative` replaced by `section`."""
    old = _section_pattern(old_relative).search(log_text)
    if old is None:
        raise ReleaseRefused(f"DATA_LOG.md has no section '### {LOG_PREFIX}{old_relative}'")
    return log_text[: old.start()] + section + log_text[old.end() :]


def add_release(
    release: Release, reference_dir: Path, data_log: Path, source: str, day: date
) -> None:
    """Put `release` in place of the shipped file and record it in `data_log`."""
    old_relative = release.replaces.relative_to(reference_dir).as_posix()
    new_relative = release.target.relative_to(reference_dir).as_posix()
    log_text = data_log.read_text(encoding="utf-8")
    section = log_section(release, new_relative, logged_fields(log_text, old_relative), source, day)
    updated_log = replace_log_section(log_text, old_relative, section)
    # Copied under a name no table pattern matches, then renamed: a reader never sees half a
    # file, and the old file goes only once the new one is whole.
    partial = release.target.with_name(f".{release.target.name}.partial")
    with release.path.open("rb") as source_file, partial.open("wb") as target_file:
        digest, _ = copied_sha256(source_file, target_file)
    if digest != release.sha256:  # changed since it was checked: log what was checked or nothing
        partial.unlink()
        raise ReleaseRefused(f"{release.path} changed while it was being added; add it again")
    os.replace(partial, release.target)
    if release.target != release.replaces:
        release.replaces.unlink()
    partial_log = data_log.with_name(f".{data_log.name}.partial")
    partial_log.write_text(updated_log, encoding="utf-8")
    os.replace(partial_log, data_log)
