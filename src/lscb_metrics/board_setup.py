"""Setting up a board: `lscb-metrics board init` scaffolds its profile, local folder, partner
templates and README; `plausible_returns` writes SYNTHETIC returns for a board (the second demo
board, and tests that do what a new board would), with figures scaled to its child population.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import yaml

from lscb_metrics.boards import AGENCY_DATES, Board, load_boards
from lscb_metrics.config import (
    BOARDS_FOLDER,
    LOCAL_FILES,
    PROFILE_FILE,
    Settings,
    board_profiles,
    shown_path,
)
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.intake.declarations import SpecError
from lscb_metrics.periods import Quarter, quarter_of
from lscb_metrics.reference import LA_CREATED, LA_SUCCESSORS, la_lookup, la_numbers, load_areas
from lscb_metrics.reference.areas import area_label, area_names, spoken_name
from lscb_metrics.returns.spec import (
    ASSESSMENT_TARGET,
    LOCAL_TARGETS,
    ReturnSpec,
    load_cover_fields,
    load_return_specs,
)


@dataclass(frozen=True)
class DefaultAgency:
    """One of a new board's partners, as `board init` writes it into the profile."""

    suffix: str  # of its code, after the board's (or its council's) name: LEEDS-CSC
    name: str
    type: str
    returns: tuple[str, ...]
    #: A council's own function (children's services, road safety): a partnership of several
    #: councils has one for each, sending for its council's area only.
    per_council: bool = False


#: A new board's partners. Every board has children's services, police, health providers,
#: schools, probation, road safety and the child death overview panel; the business manager
#: edits the profile to match the partnership.
DEFAULT_AGENCIES: tuple[DefaultAgency, ...] = (
    DefaultAgency(
        "CSC",
        "Children's Services",
        "local_authority",
        ("referrals", "cp_plans", "assessments", "private_fostering", "training"),
        per_council=True,
    ),
    DefaultAgency("POLICE", "Police", "police", ("training",)),
    DefaultAgency("HEALTH", "Health providers", "health", ("training",)),
    DefaultAgency("SCHOOLS", "Schools", "education", ("training",)),
    DefaultAgency("PROBATION", "Probation", "probation", ("training",)),
    DefaultAgency("ROAD", "Road Safety", "local_authority", ("road_injuries",), per_council=True),
    DefaultAgency("CDOP", "Child Death Overview Panel", "cdop", ("child_deaths",)),
)


@dataclass(frozen=True)
class Scaffold:
    """What `scaffold_board` wrote, and what the business manager does next."""

    slug: str
    paths: list[Path]
    next_steps: str


def slug_of(text: str) -> str:
    """A folder name from a board or area name: 'Leeds' -> 'leeds'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:
        raise ConfigurationError(f"cannot make a board folder name from {text!r}; give --slug")
    return slug


def councils_of(areas: list[tuple[str, str]], numbers: Mapping[str, str]) -> dict[str, list[str]]:
    """The councils of `areas` ((ONS code, name) pairs), each name with its ONS codes: one per
    DfE number (`numbers`, by ONS code), as an authority whose ONS code alone changed (North
    Yorkshire's E10000023 and E06000065, both 815) is one council with one children's services;
    and one per name, as a council succeeded by one of its name (Dorset county, 835, by the
    Dorset unitary, 838, in 2019) is one children's services to its partners, which one code,
    made from the name, must name."""
    by_number: dict[str, tuple[str, list[str]]] = {}
    for code, area_name in areas:
        by_number.setdefault(numbers.get(code, code), (area_name, []))[1].append(code)
    by_name: dict[str, list[str]] = {}
    for area_name, codes in by_number.values():
        by_name.setdefault(area_name, []).extend(codes)
    return by_name


def council_span(codes: list[str]) -> tuple[Quarter | None, Quarter | None]:
    """The first and last quarter the council of ONS codes `codes` exists: from the first
    quarter of the reorganisation that created it (`LA_CREATED`; None where it existed before),
    until the last before its successors took over (`LA_SUCCESSORS`; None where it exists
    still)."""
    created = [LA_CREATED.get(code) for code in codes]
    replaced = [LA_SUCCESSORS[code].effective if code in LA_SUCCESSORS else None for code in codes]
    first = None if None in created else quarter_of(min(filter(None, created)))
    last = None if None in replaced else quarter_of(max(filter(None, replaced))).previous()
    return first, last


def board_document(
    name: str, areas: list[tuple[str, str]], slug: str, councils: Mapping[str, list[str]]
) -> dict[str, object]:
    """The profile of a new board covering `areas` ((ONS code, name) pairs) with the default
    agencies, their codes prefixed with the board's slug; where the areas are several
    `councils` (`councils_of`), a council's own agency once for each, prefixed and named with
    the council's name, sending for its areas only (BRD-005 refuses a return for another) and
    in the quarters its council exists only (`council_span`: BRD-006 refuses a return from
    Northamptonshire's after its split, and its templates are no longer written); the
    partnership's shared agencies are named after the councils in being."""
    from lscb_metrics.publish.sentences import joined

    def agency(default: DefaultAgency, prefix: str, whose: str) -> dict[str, object]:
        """`default` as the profile lists it, its code prefixed with `prefix` and its name with
        the council or councils it works for."""
        return {
            "code": f"{prefix}-{default.suffix}",
            "name": f"{whose} {default.name}",
            "type": default.type,
            "returns": list(default.returns),
        }

    spans = {council: council_span(codes) for council, codes in councils.items()}
    in_being = [council for council, (_, last) in spans.items() if last is None]
    everyone = joined(in_being or list(councils))
    agencies = []
    for default in DEFAULT_AGENCIES:
        if default.per_council and len(councils) > 1:
            agencies += [
                # a list of its own: one shared would be written as a YAML alias (*id001)
                {
                    **agency(default, slug_of(council).upper(), council),
                    "areas": list(codes),
                    **profile_dates(spans[council]),
                }
                for council, codes in councils.items()
            ]
        else:
            agencies.append(agency(default, slug.upper(), everyone))
    return {
        "name": name,
        "areas": [code for code, _ in areas],
        "local_targets": {target: default for target, (default, _) in LOCAL_TARGETS.items()},
        "publication": {"short_name": name},
        "agencies": agencies,
    }


def profile_dates(span: tuple[Quarter | None, Quarter | None]) -> dict[str, str]:
    """An agency's `from:` and `until:` as a profile gives them, for the ends `span` has."""
    return {
        key: quarter.cli_name for key, quarter in zip(AGENCY_DATES, span, strict=True) if quarter
    }


def scaffold_board(
    settings: Settings, area_texts: list[str], name: str, slug: str | None = None
) -> Scaffold:
    """Write a new board's profile, README, empty local figure files and partner templates."""
    from lscb_metrics.publish import write_templates

    # The name heads the profile as a comment too: a line break would end the comment there and
    # leave the rest of the name to be read as the profile's keys.
    if not name.isprintable() or not name.strip():
        raise ConfigurationError(f"the board's name must be one line of text, not {name!r}")
    known = load_areas(settings.reference_dir)
    lookup = la_lookup(known)
    areas: list[tuple[str, str]] = []
    for text in area_texts:
        found = lookup.get(text.strip())
        if found is None:
            raise ConfigurationError(
                f"{text!r} is not a local authority code in the shipped DfE files; give the ONS "
                "code (e.g. E08000035) or the DfE number (e.g. 383)"
            )
        # A profile naming an area twice is refused by every later command, for every board.
        if (found[0], found[1]) in areas:
            raise ConfigurationError(
                f"{text!r} is {found[1]} ({found[0]}) again; give each area once"
            )
        areas.append((found[0], spoken_name(found[1])))
    # An area already covered is the cause to name, even where that board's folder is the one
    # this board's slug would take. The first board of a project has no others to ask (loading
    # no profiles is an error for every other command).
    boards = load_boards(settings.schemas_dir) if board_profiles(settings.schemas_dir) else None
    for code, area_name in areas:
        owner = boards.covering(code) if boards else None
        if owner is not None:
            raise ConfigurationError(
                f"{area_name} ({code}) is already covered by board {owner.slug}; an area belongs "
                "to one board"
            )
    slug = slug_of(slug or areas[0][1])
    folder = settings.schemas_dir / BOARDS_FOLDER / slug
    if folder.exists():
        raise ConfigurationError(f"{folder} exists already: board {slug!r} is set up")
    folder.mkdir(parents=True)
    profile = folder / PROFILE_FILE
    profile.write_text(
        f"# {name}: board profile (see README.md beside it).\n"
        + yaml.safe_dump(
            board_document(name, areas, slug, councils_of(areas, la_numbers(known))),
            sort_keys=False,
            width=100,
        ),
        encoding="utf-8",
    )
    try:
        board = load_boards(settings.schemas_dir).by_slug[slug]
    except SpecError as error:
        # Left in place, a profile the others refuse would stop every board's runs.
        shutil.rmtree(folder)
        raise ConfigurationError(f"board {slug!r} was not set up: {error}") from error
    local = settings.local_dir / slug
    local.mkdir(parents=True, exist_ok=True)
    paths = [profile]
    for file_name, columns in LOCAL_FILES.items():
        if not (local / file_name).exists():
            (local / file_name).write_text(",".join(columns) + "\n", encoding="utf-8")
            paths.append(local / file_name)
    templates = settings.curated_dir / slug / "templates"
    paths += write_templates(
        board.template_returns, settings.schemas_dir, templates, board, settings.reference_dir
    )
    readme = folder / "README.md"
    # Named from the project folder: the README is kept with the profile, on other machines too.
    shown = shown_path(templates, settings.root)
    readme.write_text(board_readme(board, shown, area_names(known)), encoding="utf-8")
    paths.append(readme)
    return Scaffold(slug, paths, next_steps(board, shown))


def board_readme(board: Board, templates: str, names: Mapping[str, str]) -> str:
    """README.md of a board's profile folder: the areas it covers (named by `names`), who
    sends what, and how to run the board."""
    rows = "\n".join(
        f"| `{agency.code}` | {agency.name}{f' ({agency.span})' if agency.span else ''} | "
        f"{', '.join(agency.returns)} |"
        for agency in board.agencies.values()
    )
    days = LOCAL_TARGETS[ASSESSMENT_TARGET][0]
    by_area = ", ".join(f"{area}: {days}" for area in board.areas)
    per_area = (
        f"; where the authorities' targets differ, each area's, `{{{by_area}}}`"
        if board.covers_several
        else ""
    )
    local_files = ", ".join(f"`{file_name}`" for file_name in LOCAL_FILES)
    return f"""# {board.name}

Board profile for `lscb-metrics`, covering {", ".join(area_label(a, names) for a in board.areas)}.

| agency code | agency | returns it sends each quarter |
|---|---|---|
{rows}

Edit `board.yaml` to match the partnership: agencies and the returns they send, local targets
(`assessment_working_days`{per_area}), publication settings. Figures the board uses that the
published data cannot give go in `data/raw/local/{board.slug}/` ({local_files}), each row with
its source.

{next_steps(board, templates)}
"""


def next_steps(board: Board, templates: str) -> str:
    """What the business manager does after `board init`."""
    return (
        f"Next: send each agency its templates from {templates} (one per return); put the "
        f"returns they send under data/raw/returns/ (any sub-folder); then run "
        f"`lscb-metrics run --board {board.slug}` for the last complete quarter, or add "
        "`--period` (written like 2025-26-Q4) for an earlier one."
    )


# Typical counts per 10,000 children aged 0-17 in a quarter (flows) or at a quarter end
# (snapshots), near England's published rates; the counts after each are shares of it.
_RATES_PER_10000 = {
    "referrals": 140.0,
    "section_47_enquiries": 40.0,
    "children_in_need": 330.0,
    "cp_plans_at_end": 42.0,
    "cp_plan_starts": 13.0,
    "cp_plans_ended": 13.0,
    "assessments_completed": 130.0,
    "cases_allocated": 290.0,
    "private_fostering_arrangements": 1.5,
    "children_killed": 0.05,
    "children_seriously_injured": 0.6,
    "children_slightly_injured": 4.0,
    "live_births": 133.0,
    "deaths_neonatal": 0.35,
    "deaths_post_neonatal": 0.13,
    "deaths_1_to_17": 0.21,
    "reviews_completed": 0.65,
    "staff_requiring_training": 50.0,
    "injury_admissions": 5.0,
}
_SHARES = {
    "referrals_source_police": 0.28,
    "referrals_source_schools": 0.18,
    "referrals_source_health": 0.14,
    "referrals_source_other": 0.31,
    "referrals_to_assessment": 0.9,
    "rereferrals_within_12_months": 0.22,
    "referrals_source_family_public": 0.09,
    "cp_plan_starts_subsequent": 0.2,
    "cp_plans_two_years_or_more": 0.03,
    "assessments_within_45_days": 0.84,
    "staff_trained_in_date": 0.9,
    "reviews_modifiable_factors": 0.3,
    "cin_plans_at_end": 0.48,
    "social_workers": 0.062,  # about 16 cases per social worker
    "admissions_self_poisoning": 0.45,
    "admissions_accidental_poisoning": 0.1,
}


def plausible_returns(
    board: Board,
    quarters: list[Quarter],
    schemas_dir: Path,
    children: Mapping[str, int],
) -> dict[str, bytes]:
    """SYNTHETIC CSV returns from every agency of `board` sending in each quarter, for each of
    its areas in being and covered that quarter (`Board.areas_on`) that the agency sends for,
    figures scaled to that area's child population (`children`, by ONS code) and satisfying
    every declared check; by relative path (<quarter>/<agency>_<return>.csv, with _<area> where
    the quarter has several areas). Deterministic for the same inputs."""
    specs = load_return_specs(schemas_dir)
    cover_names = [field.name for field in load_cover_fields(schemas_dir)]
    files = {}
    for quarter in quarters:
        areas = board.areas_on(quarter.end) or board.areas[:1]
        for agency in board.agencies.values():
            if not agency.sends_in(quarter.end):
                continue
            for area, return_type in product(areas, agency.returns):
                if not agency.sends_for(area):
                    continue
                spec = specs[return_type]
                cover = {
                    "return_type": return_type,
                    "agency_code": agency.code,
                    "la_code": area,
                    "period_start": quarter.start.isoformat(),
                    "period_end": quarter.end.isoformat(),
                }
                # A partnership's areas each send their own return: one file each, the single
                # area's name (and seed) kept as they were, so a board's files stay the same.
                which = f"_{area}" if len(areas) > 1 else ""
                seed = f"{board.slug}/{quarter.label}/{agency.code}/{return_type}{which}"
                targets = board.local_targets_on(area, quarter.end)
                rows = synthetic_rows(spec, children[area], seed, targets)
                name = f"{quarter.label.replace(' ', '-')}/{agency.code}_{return_type}{which}.csv"
                files[name] = csv_return(cover_names, cover, spec, rows)
    return files


def synthetic_rows(
    spec: ReturnSpec, children: int, seed: str, local_targets: dict[str, int]
) -> list[dict[str, object]]:
    """The data rows of one synthetic return: one per row-key code, counts near typical rates
    (varying by `seed` within ±10%) and adjusted until the declared checks hold."""
    keys = [c for c in spec.columns if c.name in spec.row_key]
    codes = keys[0].allowed if keys else ("",)
    rows = []
    for code in codes:
        jitter = (
            0.9 + int(hashlib.sha256(f"{seed}/{code}".encode()).hexdigest()[:4], 16) / 0x10000 / 5
        )
        values: dict[str, int] = {}
        base = 0
        for column in spec.columns:
            if column.type != "count":
                continue
            if column.name in _RATES_PER_10000:
                value = round(children / 10000 * _RATES_PER_10000[column.name] * jitter)
                values[column.name] = value
                # The counts that follow are shares of this one (starts -> subsequent starts).
                base = value
            else:
                share = _SHARES.get(column.name, 0.2)
                if column.name == "assessments_within_local_target":
                    [days] = [c for c in spec.columns if c.local_target]
                    share = local_target_share(local_targets[days.local_target], days.maximum)
                values[column.name] = round(base * share * jitter)
        values = satisfying(spec, values)
        row: dict[str, object] = dict(values)
        for column in spec.columns:
            if column.type == "code" and keys:
                row[column.name] = code
            elif column.type == "integer":
                target = column.local_target
                row[column.name] = local_targets[target] if target else column.maximum
        rows.append(row)
    return rows


def local_target_share(days: int, statutory: int) -> float:
    """Typical share of assessments completed within a local target of `days` working days: the
    share within the `statutory` 45 at 45 (the same assessments), a point less a day shorter."""
    return _SHARES["assessments_within_45_days"] - 0.01 * (statutory - days)


def satisfying(spec: ReturnSpec, values: dict[str, int]) -> dict[str, int]:
    """`values` adjusted until every declared check holds: totals set to their parts' sum,
    parts cut down to what their bound allows."""
    values = dict(values)
    for _ in range(50):
        changed = False
        for check in spec.checks:
            parts, op, bound = rule_sides(check.rule)
            excess = sum(values[p] for p in parts) - values[bound]
            if op == "==" and excess:
                values[bound] += excess
                changed = True
            elif op == "<=" and excess > 0:
                for part in parts:
                    cut = min(values[part], excess)
                    values[part] -= cut
                    excess -= cut
                changed = True
        if not changed:
            return values
    raise ValueError(f"the checks of {spec.return_type} do not settle")


def rule_sides(rule: str) -> tuple[list[str], str, str]:
    """A declared check `a + b <= c` as (['a', 'b'], '<=', 'c')."""
    left, op, right = re.split(r"\s*(==|<=)\s*", rule)
    return [term.strip() for term in left.split("+")], op, right.strip()


def csv_return(
    cover_names: list[str],
    cover: dict[str, str],
    spec: ReturnSpec,
    rows: list[dict[str, object]],
) -> bytes:
    """A return as CSV: the cover fields then the data columns, cover repeated on every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = [c.name for c in spec.columns]
    writer.writerow([*cover_names, *columns])
    for row in rows:
        writer.writerow([*(cover[name] for name in cover_names), *(row[c] for c in columns)])
    return buffer.getvalue().encode("utf-8")


def quarters_up_to(last: Quarter, count: int) -> list[Quarter]:
    """The `count` quarters ending with `last`, oldest first."""
    return [last.previous(n) for n in range(count - 1, -1, -1)]
