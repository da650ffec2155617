"""Board profiles (schemas/boards/<slug>/board.yaml): one declaration per safeguarding board or
partnership, naming the areas it covers, its partner agencies and the returns each sends, its
local targets and how it publishes. Nothing about any one board lives in Python.

A board's own figures that the published data cannot give (the population it used, comparators
its reports quoted) are in data/raw/local/<slug>/, beside the profile's slug.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from lscb_metrics.config import BOARDS_FOLDER, PROFILE_FILE, board_profiles
from lscb_metrics.intake import declarations as grammar
from lscb_metrics.intake.declarations import SCHEMAS_DIR, SpecError
from lscb_metrics.intake.rules import escaped, holds_hidden_character
from lscb_metrics.periods import (
    FIRST_YEAR,
    PeriodError,
    Quarter,
    Value,
    parse_quarter,
    value_on,
)
from lscb_metrics.reference.areas import area_label, code_in_force
from lscb_metrics.returns.spec import LOCAL_TARGETS, Agency, ReturnSpec, load_return_specs

_PROFILE_KEYS = {"name", "areas", "agencies", "local_targets", "publication"}
#: The publication setting giving the board's short name (its name where absent).
SHORT_NAME = "short_name"
#: A local target's (first quarter, value) pairs in each area of a board, by ONS code.
AreaTargets = dict[str, tuple[tuple[Quarter, int], ...]]


@dataclass(frozen=True)
class Board:
    """One board: who it is, the areas it covers, who sends it what, and its local targets."""

    slug: str
    name: str
    areas: tuple[str, ...]  # ONS codes of the local authorities covered
    agencies: dict[str, Agency]
    #: Each local target (LOCAL_TARGETS) in each of the board's areas: its (first quarter,
    #: value) pairs, oldest first, each in force until the next (`AreaTargets`).
    local_targets: dict[str, AreaTargets]
    publication: dict[str, Any]
    profile: Path
    #: Earlier names (`name`, and `publication: short_name` under SHORT_NAME): (first quarter,
    #: name) pairs, as a target's; a board renamed from a quarter keeps its old name before.
    name_history: dict[str, tuple[tuple[Quarter, str], ...]] = field(default_factory=dict)
    #: The first and last quarter the board covers an area (`{code: E06000034, from:
    #: 2019-20-Q2}`), for the areas the profile dates: a partnership formed by a merger, and the
    #: boards it replaced.
    area_quarters: dict[str, tuple[Quarter | None, Quarter | None]] = field(default_factory=dict)

    def local_targets_on(self, area: str, day: date) -> dict[str, int]:
        """The local targets in force in the board's area `area` on `day`: a return, and a
        title, of a quarter before a change keeps the target of its own time, and each
        authority of a partnership its own ("within 45 working days" in Thurrock)."""
        return {name: value_on(self.target_changes(name, area), day) for name in self.local_targets}

    def target_changes(self, name: str, area: str) -> tuple[tuple[Quarter, int], ...]:
        """Local target `name`'s (first quarter, value) pairs in the board's area `area`,
        oldest first."""
        return self.local_targets[name][area]

    def as_of(self, day: date) -> Board:
        """The board as named on `day`: an edition, or a data chapter, of a quarter before a
        change of name carries the name of its own time."""
        names = {key: value_on(changes, day) for key, changes in self.name_history.items()}
        publication = {
            **self.publication,
            **({SHORT_NAME: names[SHORT_NAME]} if SHORT_NAME in names else {}),
        }
        return replace(self, name=names.get("name", self.name), publication=publication)

    def span(self, area: str) -> tuple[Quarter | None, Quarter | None]:
        """The first and last quarter the board covers `area` (`from:`, `until:`), each None
        where the profile gives none."""
        return self.area_quarters.get(area, (None, None))

    def first_day(self, area: str) -> date:
        """The first day the board covers `area` (date.min where the profile gives no `from:`)."""
        first = self.span(area)[0]
        return date.min if first is None else first.start

    def last_day(self, area: str) -> date:
        """The last day the board covers `area` (date.max while it still does)."""
        last = self.span(area)[1]
        return date.max if last is None else last.end

    def covers_on(self, area: str, day: date) -> bool:
        """True when the board covers `area` on `day` (within its `from:` and `until:`)."""
        return area in self.areas and self.first_day(area) <= day <= self.last_day(area)

    def area_described(self, area: str, names: Mapping[str, str] | None = None) -> str:
        """`area` with the quarters the board covers it in, where the profile dates them; named
        as well as coded where `names` (`area_names`) knows it: 'Thurrock (E06000034) until
        2019-20 Q1'."""
        first, last = self.span(area)
        since = f" from {first.label}" if first else ""
        return f"{area_label(area, names or {})}{since}{f' until {last.label}' if last else ''}"

    @property
    def current_areas(self) -> tuple[str, ...]:
        """The areas the board still covers (without an `until:`): its templates offer these."""
        return tuple(a for a in self.areas if self.span(a)[1] is None)

    @property
    def short_name(self) -> str:
        """The board's short name (`publication: short_name`), for where a short form reads
        better ("the Southend LSCB business unit"); its name when the profile gives none."""
        return str(self.publication.get(SHORT_NAME) or self.name)

    @property
    def covers_several(self) -> bool:
        """True for a partnership covering more than one area, whose outputs name each area."""
        return len(self.areas) > 1

    def areas_on(self, day: date) -> tuple[str, ...]:
        """The board's areas whose authority exists on `day`: a board declaring both sides of
        a reorganisation (Cumbria until March 2023, Cumberland and Westmorland and Furness
        after) expects returns, and publishes, for each side in its own quarters only."""
        return tuple(
            area for area in self.areas if code_in_force(area, day) and self.covers_on(area, day)
        )

    def area_folders_on(self, day: date) -> tuple[tuple[str, str], ...]:
        """(area, folder) for the scorecard, workbook and data chapter of each area in being
        and covered on `day` (`areas_on`), the folder relative to the edition's: the edition
        itself where there is one such area (so North Yorkshire's edition stays where it was
        when its ONS code changed), a folder named by its ONS code for each of several."""
        existing = self.areas_on(day)
        return tuple((area, area if len(existing) > 1 else "") for area in existing)

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

    def covering(self, area_code: str | None, day: date | None = None) -> Board | None:
        """The board covering `area_code` on `day` (the one covering it last where no day is
        given), or None."""
        listing = [b for b in self.by_slug.values() if area_code in b.areas]
        if day is not None:
            return next((b for b in listing if b.covers_on(area_code, day)), None)
        return max(listing, key=lambda b: b.last_day(area_code), default=None)

    def all_agencies(self) -> dict[str, Agency]:
        """Every board's agencies by code (where boards share a code, the first board's entry:
        the same name and type in each, `load_boards` checks)."""
        merged: dict[str, Agency] = {}
        for board in self.by_slug.values():
            merged = {**board.agencies, **merged}
        return merged

    def local_target(self, target: str) -> dict[str, tuple[tuple[Quarter, int], ...]]:
        """The changes of local target `target` (LOCAL_TARGETS; `Board.target_changes`) in
        each area a board covers, by ONS code: each board's in the quarters it covers the area,
        so an area a merger handed over keeps the old board's target for the quarters before."""
        areas = {area for board in self.by_slug.values() for area in board.areas}
        return {area: self._area_target_changes(target, area) for area in areas}

    def _area_target_changes(self, target: str, area: str) -> tuple[tuple[Quarter, int], ...]:
        """Local target `target`'s changes in `area`, board after board (`local_target`)."""
        changes: list[tuple[Quarter, int]] = []
        for board in sorted(
            (b for b in self.by_slug.values() if area in b.areas),
            key=lambda b: b.first_day(area),
        ):
            own = board.target_changes(target, area)
            first = board.span(area)[0]
            if first is None:
                changes = list(own)
            else:
                changes = [
                    *(change for change in changes if change[0] < first),
                    (first, value_on(own, first.start)),
                    *(change for change in own if change[0] > first),
                ]
        return tuple(changes)

    def described(self) -> str:
        """'Name (areas)' of every board, for messages."""
        return "; ".join(
            f"{b.name} ({', '.join(b.area_described(area) for area in b.areas)})"
            for b in self.by_slug.values()
        )

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
    owners: dict[str, list[Board]] = {}
    for board in boards:
        for area in board.areas:
            other = next((o for o in owners.get(area, []) if _overlap(o, board, area)), None)
            if other is not None:
                raise SpecError(
                    f"{board.profile}: area {area} is already covered by board {other.slug} "
                    f"({other.area_described(area)}); an area belongs to one board in each "
                    "quarter: give the one its last quarter (until:) and the other its first "
                    "(from:)"
                )
            owners.setdefault(area, []).append(board)
    _check_shared_agencies(boards)
    return Boards({board.slug: board for board in boards})


def _check_shared_agencies(boards: list[Board]) -> None:
    """SpecError where two boards list one agency code under different names or types: a code
    shared by boards (a county's police, a joint child death overview panel) stands for one
    agency, and messages and templates name it from any of them."""
    first: dict[str, tuple[Board, Agency]] = {}
    for board in boards:
        for code, agency in board.agencies.items():
            seen = first.setdefault(code, (board, agency))
            other, listed = seen
            if (listed.name, listed.type) != (agency.name, agency.type):
                raise SpecError(
                    f"{board.profile}: agency {code} is {agency.name!r} ({agency.type}) here but "
                    f"{listed.name!r} ({listed.type}) in board {other.slug}'s profile; a code "
                    "shared by boards stands for one agency: give it the same name and type in "
                    "both"
                )


def _overlap(one: Board, other: Board, area: str) -> bool:
    """True when `one` and `other` both cover `area` in some quarter."""
    return max(one.first_day(area), other.first_day(area)) <= min(
        one.last_day(area), other.last_day(area)
    )


def board_profile(path: Path, specs: dict[str, ReturnSpec]) -> Board:
    """One board from its profile at `path` (its slug is the folder name)."""
    document = grammar.yaml_mapping(grammar.yaml_document(path), path, "the profile", _PROFILE_KEYS)
    for required in ("name", "areas", "agencies"):
        if required not in document:
            raise SpecError(f"{path}: the profile needs {required!r}")
    dated_areas = [
        declared_area(item, path) for item in grammar.yaml_list(document["areas"], path, "areas")
    ]
    areas = tuple(code for code, _ in dated_areas)
    if not areas:
        raise SpecError(f"{path}: a board covers at least one area")
    grammar.checked_unique(areas, path, "area code")
    agencies = tuple(
        declared_agency(item, path, specs)
        for item in grammar.yaml_list(document["agencies"], path, "agencies")
    )
    grammar.checked_unique((agency.code for agency in agencies), path, "agency code")
    for agency in agencies:
        if not set(agency.areas) <= set(areas):
            raise SpecError(
                f"{path}: agency {agency.code} sends for area(s) "
                f"{sorted(set(agency.areas) - set(areas))} the board does not cover"
            )
    grammar.checked_unambiguous(((a.code, (a.code, a.name)) for a in agencies), path)
    targets = document.get("local_targets") or {}
    unknown = sorted(set(targets) - set(LOCAL_TARGETS))
    if unknown:
        raise SpecError(f"{path}: unknown local target(s) {unknown}; known: {list(LOCAL_TARGETS)}")
    local_targets = {
        name: area_targets(targets.get(name, default), path, name, areas)
        for name, (default, _) in LOCAL_TARGETS.items()
    }
    publication = dict(document.get("publication") or {})
    # A board renamed from a quarter (`name: {2013-14-Q1: ..., 2019-20-Q2: ...}`) as a target.
    named = {"name": ("name", document["name"])}
    if SHORT_NAME in publication:
        named[SHORT_NAME] = (f"publication {SHORT_NAME}", publication[SHORT_NAME])
    names = {
        key: dated_values(value, path, what, partial(profile_text, path=path, what=what))
        for key, (what, value) in named.items()
    }
    if SHORT_NAME in names:
        publication[SHORT_NAME] = names[SHORT_NAME][-1][1]
    return Board(
        slug=path.parent.name,
        name=names["name"][-1][1],
        areas=areas,
        agencies={agency.code: agency for agency in agencies},
        local_targets=local_targets,
        publication=publication,
        profile=path,
        name_history={key: changes for key, changes in names.items() if len(changes) > 1},
        area_quarters={code: span for code, span in dated_areas if span != (None, None)},
    )


def dated_values(
    value: Any, path: Path, where: str, read: Callable[[Any], Value]
) -> tuple[tuple[Quarter, Value], ...]:
    """A dated setting's (first quarter, value) pairs, oldest first: one value (`40`), or a
    mapping of the first quarter each value applies to onto it (`{2013-14-Q1: 40, 2023-24-Q1:
    45}`), the first value standing for every earlier quarter too; `read` checks each value."""
    mapping = value if isinstance(value, dict) else {Quarter(FIRST_YEAR, 1).cli_name: value}
    changes = []
    for first, item in mapping.items():
        try:
            quarter = parse_quarter(str(first))
        except PeriodError as error:
            raise SpecError(f"{path}: {where}: {error}") from None
        changes.append((quarter, read(item)))
    if not changes:
        raise SpecError(f"{path}: {where} gives no value")
    return tuple(sorted(changes, key=lambda change: change[0]))


#: An ONS code (E06000034): a key of a local target naming an area rather than a quarter.
_AREA_CODE = re.compile(r"^[EWSN]\d{8}$")


def area_targets(value: Any, path: Path, name: str, areas: Sequence[str]) -> AreaTargets:
    """Local target `name`'s changes in each of the board's `areas`: one value or dated
    values for the whole board (`40`, `{2013-14-Q1: 40, 2023-24-Q1: 45}`), or a partnership's
    for each area, by ONS code (`{E06000033: 40, E06000034: {2013-14-Q1: 45, 2023-24-Q1:
    40}}`), every area given."""
    where = f"local target {name}"
    read = partial(target_days, path=path, name=name)
    keys = [str(key) for key in value] if isinstance(value, dict) else []
    by_area = [key for key in keys if key in areas or _AREA_CODE.match(key)]
    if not by_area:
        changes = dated_values(value, path, where, read)
        return {area: changes for area in areas}
    if len(by_area) < len(keys):
        others = ", ".join(key for key in keys if key not in by_area)
        raise SpecError(
            f"{path}: {where} mixes areas ({', '.join(by_area)}) with quarters ({others}); give "
            f"each area its value, dated where it changed: {{{areas[0]}: {{2013-14-Q1: 40, "
            "2023-24-Q1: 45}}"
        )
    strangers = [key for key in by_area if key not in areas]
    if strangers:
        raise SpecError(
            f"{path}: {where} names area(s) {', '.join(strangers)}, which the board does not "
            f"cover (its areas: {', '.join(areas)})"
        )
    missing = [area for area in areas if area not in by_area]
    if missing:
        raise SpecError(
            f"{path}: {where} gives no value for area(s) {', '.join(missing)}; a target given "
            "by area gives every area of the board its own"
        )
    return {
        str(area): dated_values(item, path, f"{where} for {area}", read)
        for area, item in value.items()
    }


def target_days(value: Any, path: Path, name: str) -> int:
    """A local target's number of days: a whole number above 0."""
    whole = grammar.yaml_whole(value, path, f"local target {name}")
    if whole is None or whole <= 0:
        raise SpecError(f"{path}: local target {name} must be a whole number above 0")
    return whole


def declared_area(item: Any, path: Path) -> tuple[str, tuple[Quarter | None, Quarter | None]]:
    """One area of a profile, with the first and last quarter the board covers it: a code
    (`E06000033`), or `{code: E06000034, from: 2019-20-Q2}` for an area the board took over or
    `{code: E06000034, until: 2019-20-Q1}` for one a partnership took over from it."""
    if not isinstance(item, dict):
        return grammar.yaml_text(item, path, "area code"), (None, None)
    keys = {"code"}
    area = grammar.yaml_mapping(item, path, "an area", keys | set(AGENCY_DATES), keys)
    code = grammar.yaml_text(area["code"], path, "area code")
    return code, profile_span(area, path, f"area {code}")


#: The optional first and last quarters of an agency or an area in a profile (`from:
#: 2015-16-Q1`, `until: 2021-22-Q1`).
AGENCY_DATES = ("from", "until")


def profile_span(
    item: dict[str, Any], path: Path, what: str
) -> tuple[Quarter | None, Quarter | None]:
    """The first and last quarter (`from:`, `until:`) a profile gives `what` (an area, an
    agency), each None where it gives none; SpecError for a last quarter before the first."""
    first, last = (profile_quarter(item.get(key), path, f"{what} {key}") for key in AGENCY_DATES)
    if first is not None and last is not None and last < first:
        raise SpecError(f"{path}: {what} until {last.cli_name} is before its from {first.cli_name}")
    return first, last


def profile_quarter(value: Any, path: Path, where: str) -> Quarter | None:
    """The quarter a profile names ('2021-22-Q1'), None where it names none."""
    if value is None:
        return None
    try:
        return parse_quarter(str(value))
    except PeriodError as error:
        raise SpecError(f"{path}: {where}: {error}") from None


def profile_text(value: Any, path: Path, what: str) -> str:
    """`value` as non-blank text that every output can show as it is: no control, invisible or
    direction-changing character, which would end a log line, act on a terminal, hide a
    look-alike or stop a workbook from being written."""
    text = grammar.yaml_text(value, path, what)
    if holds_hidden_character(text):
        raise SpecError(
            f"{path}: {what} '{escaped(text)}' holds a character you cannot see (shown here as "
            "\\u... or \\x...), such as a control character, a line break or a right-to-left "
            "mark. Type it again by hand rather than pasting it."
        )
    return text


def declared_agency(document: Any, path: Path, specs: dict[str, ReturnSpec]) -> Agency:
    """One agency of a profile, checked against the returns it says it sends."""
    keys = {"code", "name", "type", "returns"}
    item = grammar.yaml_mapping(
        document, path, "an agency", keys | set(AGENCY_DATES) | {"areas"}, keys
    )
    code = profile_text(item["code"], path, "agency code")
    first, last = profile_span(item, path, f"agency {code}")
    returns = tuple(
        grammar.yaml_text(r, path, f"agency {code} returns")
        for r in grammar.yaml_list(item["returns"], path, f"agency {code} returns")
    )
    agency = Agency(
        code=code,
        name=profile_text(item["name"], path, f"agency {code} name"),
        type=grammar.yaml_text(item["type"], path, f"agency {code} type"),
        returns=returns,
        first=first,
        last=last,
        areas=tuple(
            grammar.yaml_text(area, path, f"agency {code} areas")
            for area in grammar.yaml_list(item.get("areas"), path, f"agency {code} areas")
        ),
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
