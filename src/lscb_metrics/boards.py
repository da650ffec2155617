"""Board profiles (schemas/boards/<slug>/board.yaml): one declaration per safeguarding board or
partnership, naming the areas it covers, its partner agencies and the returns each sends, its
local targets and how it publishes. Nothing about any one board lives in Python.

A board's own figures that the published data cannot give (the population it used, comparators
its reports quoted) are in data/raw/local/<slug>/, beside the profile's slug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lscb_metrics.config import BOARDS_FOLDER, PROFILE_FILE, board_profiles
from lscb_metrics.intake import declarations as grammar
from lscb_metrics.intake.declarations import SCHEMAS_DIR, SpecError
from lscb_metrics.periods import FIRST_YEAR, PeriodError, Quarter, parse_quarter
from lscb_metrics.reference.areas import code_in_force
from lscb_metrics.returns.spec import LOCAL_TARGETS, Agency, ReturnSpec, load_return_specs

_PROFILE_KEYS = {"name", "areas", "agencies", "local_targets", "publication"}
#: The publication setting giving the board's short name (its name where absent).
SHORT_NAME = "short_name"


@dataclass(frozen=True)
class Board:
    """One board: who it is, the areas it covers, who sends it what, and its local targets."""

    slug: str
    name: str
    areas: tuple[str, ...]  # ONS codes of the local authorities covered
    agencies: dict[str, Agency]
    local_targets: dict[str, int]  # the values in force now (the latest quarter's)
    publication: dict[str, Any]
    profile: Path
    #: Earlier values of a local target: (first quarter, value) pairs, oldest first, each in
    #: force until the next; `local_targets` holds the value from the last one on.
    target_history: dict[str, tuple[tuple[Quarter, int], ...]] = field(default_factory=dict)

    def local_targets_on(self, day: date) -> dict[str, int]:
        """The local targets in force on `day`: a return, and a title, of a quarter before a
        change keeps the target of its own time ("within 40 working days")."""
        return {
            name: value_on(self.target_history.get(name, ()), day, current)
            for name, current in self.local_targets.items()
        }

    @property
    def short_name(self) -> str:
        """The board's short name (`publication: short_name`), for where a short form reads
        better ("the Southend LSCB business unit"); its name when the profile gives none."""
        return str(self.publication.get(SHORT_NAME) or self.name)

    @property
    def covers_several(self) -> bool:
        """True for a partnership covering more than one area, whose outputs name each area."""
        return len(self.areas) > 1

    @property
    def area_folders(self) -> tuple[tuple[str, str], ...]:
        """(area, folder) for each area's scorecard, workbook and data chapter, the folder
        relative to the edition's: the edition itself for a board of one area, a folder named
        by its ONS code for each area of a partnership covering several."""
        return tuple((area, area if self.covers_several else "") for area in self.areas)

    def areas_on(self, day: date) -> tuple[str, ...]:
        """The board's areas whose authority exists on `day`: a board declaring both sides of
        a reorganisation (Cumbria until March 2023, Cumberland and Westmorland and Furness
        after) expects returns, and publishes, for each side in its own quarters only."""
        return tuple(area for area in self.areas if code_in_force(area, day))

    def area_folders_on(self, day: date) -> tuple[tuple[str, str], ...]:
        """`area_folders` of the areas that exist on `day` (`areas_on`)."""
        existing = self.areas_on(day)
        return tuple((area, folder) for area, folder in self.area_folders if area in existing)

    @property
    def template_returns(self) -> tuple[str, ...]:
        """The return types the board's current agencies send, sorted: one partner template
        each."""
        return tuple(
            sorted(
                {r for agency in self.agencies.values() if agency.current for r in agency.returns}
            )
        )


@dataclass(frozen=True)
class Boards:
    """Every board declared in this installation, by slug."""

    by_slug: dict[str, Board]

    def covering(self, area_code: str | None) -> Board | None:
        """The board whose areas include `area_code`, or None."""
        return next((b for b in self.by_slug.values() if area_code in b.areas), None)

    def all_agencies(self) -> dict[str, Agency]:
        """Every board's agencies by code (the first board's where two share a code)."""
        merged: dict[str, Agency] = {}
        for board in self.by_slug.values():
            merged = {**board.agencies, **merged}
        return merged

    def local_target(self, target: str) -> dict[str, int]:
        """The board's value of local target `target` (LOCAL_TARGETS) for each area a board
        covers, by ONS code."""
        return {
            area: board.local_targets[target]
            for board in self.by_slug.values()
            for area in board.areas
        }

    def described(self) -> str:
        """'Name (areas)' of every board, for messages."""
        return "; ".join(f"{b.name} ({', '.join(b.areas)})" for b in self.by_slug.values())

    def selected(self, slug: str | None) -> tuple[Board, ...]:
        """The board named `slug`, or every board when None; SpecError for an unknown slug."""
        if slug is None:
            return tuple(self.by_slug.values())
        if slug not in self.by_slug:
            raise SpecError(
                f"no board {slug!r}; boards here: {', '.join(self.by_slug) or 'none'} "
                f"(profiles in schemas/{BOARDS_FOLDER}/<slug>/{PROFILE_FILE})"
            )
        return (self.by_slug[slug],)


def load_boards(schemas_dir: Path = SCHEMAS_DIR) -> Boards:
    """Every board profile under `schemas_dir/boards`, checked against the return declarations
    and against each other (an area belongs to one board at most)."""
    specs = load_return_specs(schemas_dir)
    paths = board_profiles(schemas_dir)
    if not paths:
        raise SpecError(
            f"{schemas_dir / BOARDS_FOLDER}: no board profiles (<slug>/{PROFILE_FILE}); create one "
            "with `lscb-metrics board init --area CODE --name NAME`"
        )
    boards = [board_profile(path, specs) for path in paths]
    owners: dict[str, str] = {}
    for board in boards:
        for area in board.areas:
            if area in owners:
                raise SpecError(
                    f"{board.profile}: area {area} is already covered by board {owners[area]}; "
                    "an area belongs to one board"
                )
            owners[area] = board.slug
    return Boards({board.slug: board for board in boards})


def board_profile(path: Path, specs: dict[str, ReturnSpec]) -> Board:
    """One board from its profile at `path` (its slug is the folder name)."""
    document = grammar.yaml_mapping(grammar.yaml_document(path), path, "the profile", _PROFILE_KEYS)
    for required in ("name", "areas", "agencies"):
        if required not in document:
            raise SpecError(f"{path}: the profile needs {required!r}")
    areas = tuple(
        grammar.yaml_text(area, path, "area code")
        for area in grammar.yaml_list(document["areas"], path, "areas")
    )
    if not areas:
        raise SpecError(f"{path}: a board covers at least one area")
    agencies = tuple(
        declared_agency(item, path, specs)
        for item in grammar.yaml_list(document["agencies"], path, "agencies")
    )
    grammar.checked_unique((agency.code for agency in agencies), path, "agency code")
    grammar.checked_unambiguous(((a.code, (a.code, a.name)) for a in agencies), path)
    targets = document.get("local_targets") or {}
    unknown = sorted(set(targets) - set(LOCAL_TARGETS))
    if unknown:
        raise SpecError(f"{path}: unknown local target(s) {unknown}; known: {list(LOCAL_TARGETS)}")
    local_targets = {name: default for name, (default, _) in LOCAL_TARGETS.items()}
    history = {name: target_changes(value, path, name) for name, value in targets.items()}
    for name, changes in history.items():
        local_targets[name] = changes[-1][1]
    publication = dict(document.get("publication") or {})
    if SHORT_NAME in publication:
        publication[SHORT_NAME] = grammar.yaml_text(
            publication[SHORT_NAME], path, f"publication {SHORT_NAME}"
        )
    return Board(
        slug=path.parent.name,
        name=grammar.yaml_text(document["name"], path, "name"),
        areas=areas,
        agencies={agency.code: agency for agency in agencies},
        local_targets=local_targets,
        publication=publication,
        profile=path,
        target_history={name: changes for name, changes in history.items() if len(changes) > 1},
    )


def value_on(changes: tuple[tuple[Quarter, int], ...], day: date, current: int) -> int:
    """The value of the last of `changes` in force on `day` (the first's before any of them;
    `current` where there are none)."""
    started = [value for first, value in changes if first.start <= day]
    return started[-1] if started else (changes[0][1] if changes else current)


def target_changes(value: Any, path: Path, name: str) -> tuple[tuple[Quarter, int], ...]:
    """A local target's (first quarter, value) pairs, oldest first: one value (`40`), or a
    mapping of the first quarter each value applies to onto it (`{2013-14-Q1: 40, 2023-24-Q1:
    45}`), the first value standing for every earlier quarter too."""
    mapping = value if isinstance(value, dict) else {Quarter(FIRST_YEAR, 1).cli_name: value}
    changes = []
    for first, days in mapping.items():
        try:
            quarter = parse_quarter(str(first))
        except PeriodError as error:
            raise SpecError(f"{path}: local target {name}: {error}") from None
        whole = grammar.yaml_whole(days, path, f"local target {name}")
        if whole is None or whole <= 0:
            raise SpecError(f"{path}: local target {name} must be a whole number above 0")
        changes.append((quarter, whole))
    if not changes:
        raise SpecError(f"{path}: local target {name} gives no value")
    return tuple(sorted(changes))


#: An agency's optional first and last quarters in a profile (`from: 2015-16-Q1`,
#: `until: 2021-22-Q1`).
AGENCY_DATES = ("from", "until")


def profile_quarter(value: Any, path: Path, where: str) -> Quarter | None:
    """The quarter a profile names ('2021-22-Q1'), None where it names none."""
    if value is None:
        return None
    try:
        return parse_quarter(str(value))
    except PeriodError as error:
        raise SpecError(f"{path}: {where}: {error}") from None


def declared_agency(document: Any, path: Path, specs: dict[str, ReturnSpec]) -> Agency:
    """One agency of a profile, checked against the returns it says it sends."""
    keys = {"code", "name", "type", "returns"}
    item = grammar.yaml_mapping(document, path, "an agency", keys | set(AGENCY_DATES), keys)
    code = grammar.yaml_text(item["code"], path, "agency code")
    first, last = (
        profile_quarter(item.get(key), path, f"agency {code} {key}") for key in AGENCY_DATES
    )
    if first is not None and last is not None and last < first:
        raise SpecError(
            f"{path}: agency {code} until {last.cli_name} is before its from {first.cli_name}"
        )
    returns = tuple(
        grammar.yaml_text(r, path, f"agency {code} returns")
        for r in grammar.yaml_list(item["returns"], path, f"agency {code} returns")
    )
    agency = Agency(
        code=code,
        name=grammar.yaml_text(item["name"], path, f"agency {code} name"),
        type=grammar.yaml_text(item["type"], path, f"agency {code} type"),
        returns=returns,
        first=first,
        last=last,
    )
    for return_type in returns:
        spec = specs.get(return_type)
        if spec is None:
            raise SpecError(f"{path}: agency {code} sends unknown return {return_type!r}")
        if agency.type not in spec.sent_by:
            raise SpecError(
                f"{path}: agency {code} is of type {agency.type!r}, which the {return_type} "
                f"return's sent_by ({', '.join(spec.sent_by)}) does not include"
            )
    return agency
