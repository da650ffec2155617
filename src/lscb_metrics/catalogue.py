"""The indicator catalogue (schemas/indicators.yaml): what each published figure is and how.

The YAML file is the single source of truth: computation, comparisons, the data dictionary and
publication rounding all read it through `load_catalogue`, which checks it against the measures
registry (schemas/measures.yaml) and names the file and line of any mistake.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lscb_metrics.errors import CatalogueError
from lscb_metrics.marked_yaml import at, load_marked
from lscb_metrics.measures import MEASURE_TYPES, MEASURES_FILE, Registry, load_registry

if TYPE_CHECKING:
    import pandas as pd

POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
MULTIPLIERS = (1, 100, 1000, 10000, 100000)
COMPARATORS = ("england", "region", "statistical_neighbours")
#: What an indicator's values are broken down by: nothing (its Total rows), or one breakdown row
#: each per sending agency, board member, board meeting or budget heading.
BREAKDOWNS = ("total", "agency", "member", "meeting", "heading")
#: What an indicator's counts are about, which decides its disclosure control: counts of
#: children (1 to 5 suppressed, DfE) and counts of staff, organisations or money (not suppressed).
SUBJECTS = ("children", "staff", "organisations", "money")
#: The period an annual report's data chapter quotes an indicator for: its report year (the 12
#: months to the quarter it ends at) or, for records kept by financial year (the CDOP's year,
#: the board's finance), the latest financial year ending on or before that quarter's end.
REPORT_YEAR, FINANCIAL_YEAR = "report_year", "financial_year"
REPORT_PERIODS = (REPORT_YEAR, FINANCIAL_YEAR)
CHILDREN = "children"
POPULATION_MEASURE = "population_0_17"
TOTAL_BREAKDOWN = "Total"
#: What a title says in place of a local target where no one area's is meant (the catalogue
#: itself, `explain` without an area, the analysts' files of every board): each board sets its
#: own, and may set one for each of its areas.
UNNAMED_TARGET = "the board's own number of"


def filled_title(title: str, local_targets: Mapping[str, object] | None = None) -> str:
    """`title` naming the local targets it quotes (`{assessment_working_days}`): an area's
    values, or a partnership's as `exports.quoted_targets` words them ("within the local target
    of 40 working days"); without them, in words that hold for every board ("... of the board's
    own number of working days")."""
    if local_targets is None:
        return title.format_map(defaultdict(lambda: UNNAMED_TARGET))
    return title.format_map(local_targets)


@dataclass(frozen=True)
class Indicator:
    """One catalogued indicator: value = sum(numerator) / sum(denominator) * multiplier."""

    id: str
    title: str
    numerator: tuple[str, ...]
    denominator: str | None
    multiplier: int
    unit: str
    decimals: int
    polarity: str
    measure_type: str
    window_months: int
    comparators: tuple[str, ...]
    breakdown: str
    theme: str
    published_value: str | None  # measure holding the publisher's own figure, if it gives one
    subject: str  # one of SUBJECTS: whose counts these are, so whether they are suppressed

    @property
    def is_about_children(self) -> bool:
        """True when the counts are of children, so small ones are withheld from publication."""
        return self.subject == CHILDREN

    change_years: int = 1  # years between a value and the earlier one its change is taken on
    #: The count indicator this one's numerator is a part of (the categories of child
    #: protection plans, neonatal within infant deaths): published counts are suppressed so
    #: that no small count can be worked out from the total and the other parts.
    part_of: str | None = None
    #: One of REPORT_PERIODS: what a data chapter whose year ends at another quarter than
    #: March quotes (`report_year` unless the catalogue says `financial_year`).
    report_period: str = REPORT_YEAR

    @property
    def is_count(self) -> bool:
        """True when the indicator is a plain count (no denominator)."""
        return self.denominator is None

    @property
    def is_ratio(self) -> bool:
        """True for a plain ratio (multiplier 1 with a denominator, e.g. cases per worker)."""
        return self.denominator is not None and self.multiplier == 1

    @property
    def has_interval(self) -> bool:
        """True for rates and percentages, whose counts give a confidence interval; a count has
        none, nor has a ratio of two counts that is not a rate of events (cases per worker)."""
        return not self.is_count and not self.is_ratio

    @property
    def uses_population(self) -> bool:
        """True when the denominator is the ONS child population."""
        return self.denominator == POPULATION_MEASURE

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the indicator reads (numerator parts and denominator)."""
        return self.numerator + ((self.denominator,) if self.denominator else ())

    def breakdown_rows(self, facts: pd.DataFrame) -> pd.DataFrame:
        """The facts of the declared breakdown: 'Total' rows for total, the others for agency."""
        return facts[(facts["breakdown"] == TOTAL_BREAKDOWN) == (self.breakdown == "total")]


def load_catalogue(path: Path, registry: Registry | None = None) -> tuple[Indicator, ...]:
    """Indicators declared in the catalogue YAML at `path`, validated against the measures
    registry (by default measures.yaml beside the catalogue)."""
    if registry is None:
        registry = load_registry(path.parent / MEASURES_FILE)
    document = load_marked(path)
    defaults = document.get("defaults") or {}
    indicators = tuple(
        _indicator(entry, defaults, path, registry) for entry in document["indicators"]
    )
    ids = [indicator.id for indicator in indicators]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: indicator ids used twice: {duplicates}")
    for indicator in indicators:
        _check_part(indicator, indicators, path)
    return indicators


def _check_part(indicator: Indicator, indicators: tuple[Indicator, ...], path: Path) -> None:
    """Raise CatalogueError unless the indicator's `part_of` (if any) names a count over the
    same periods and breakdown, which its counts can be subtracted from."""
    if indicator.part_of is None:
        return
    total = next((i for i in indicators if i.id == indicator.part_of), None)
    if total is None or not total.is_count:
        raise CatalogueError(
            f"{path}: indicator {indicator.id}: part_of {indicator.part_of!r} is not a count "
            "indicator of the catalogue"
        )
    same = ("measure_type", "window_months", "breakdown", "subject")
    differing = [f for f in same if getattr(indicator, f) != getattr(total, f)]
    if differing:
        raise CatalogueError(
            f"{path}: indicator {indicator.id}: part_of {total.id} differs in {differing}; a "
            "part must count the same periods, breakdown and subject as its total"
        )


def _indicator(entry: Any, defaults: Any, path: Path, registry: Registry) -> Indicator:
    """One Indicator from its YAML mapping, with defaults applied and every field checked."""
    merged = {"breakdown": "total", "report_period": REPORT_YEAR, **defaults, **entry}
    ident = merged.get("id", "<no id>")

    def where(field: str) -> str:
        """'file:line: indicator id' of `field`, where it is given or defaulted."""
        source = entry if field in entry or field not in defaults else defaults
        return f"{at(path, source, field)}: indicator {ident}"

    def need(field: str, allowed: tuple[Any, ...] | None = None) -> Any:
        if field not in merged:
            raise CatalogueError(f"{where(field)}: missing field {field!r}")
        value = merged[field]
        if allowed is not None and value not in allowed:
            raise CatalogueError(f"{where(field)}: {field} {value!r} is not one of {allowed}")
        return value

    numerator = need("numerator")
    numerator = (numerator,) if isinstance(numerator, str) else tuple(numerator)
    denominator = merged.get("denominator")
    multiplier = need("multiplier", MULTIPLIERS)
    # A ratio (multiplier 1 with a denominator) is not a count, so its unit says what it is of.
    if (denominator is None and multiplier != 1) or (
        denominator is not None and multiplier == 1 and merged.get("unit") == "count"
    ):
        raise CatalogueError(f"{where('multiplier')}: counts have multiplier 1 and no denominator")
    comparators = tuple(merged.get("comparators", ()))
    unknown = set(comparators) - set(COMPARATORS)
    if unknown:
        raise CatalogueError(
            f"{where('comparators')}: unknown comparators {sorted(unknown)} "
            f"(known: {', '.join(COMPARATORS)})"
        )
    window = int(merged.get("window_months", 12))
    if window % 3:
        raise CatalogueError(f"{where('window_months')}: window_months must be whole quarters")
    measure_type = need("measure_type", MEASURE_TYPES)
    change_years = merged.get("change_years", 1)
    if not isinstance(change_years, int) or isinstance(change_years, bool) or change_years < 1:
        raise CatalogueError(
            f"{where('change_years')}: change_years must be a whole number of years, 1 or more"
        )
    # Every indicator says whose counts it holds (never a default): a missing subject must not
    # let an indicator about children be published unsuppressed, or one about money be withheld.
    if "subject" not in entry:
        raise CatalogueError(
            f"{at(path, entry, 'id')}: indicator {ident}: missing field 'subject' (whose counts "
            f"these are: {', '.join(SUBJECTS)}; children's counts of 1 to 5 are suppressed)"
        )
    subject = need("subject", SUBJECTS)
    fields = {"numerator": numerator, "denominator": (denominator,) if denominator else ()}
    fields["published_value"] = (merged["published_value"],) if "published_value" in merged else ()
    for field, names in fields.items():
        for name in names:
            measure = registry.measures.get(name)
            if measure is None:
                raise CatalogueError(
                    f"{where(field)}: {field} {name!r} is not a measure in {registry.path}"
                )
            # A rate's population is person-years over the window, whatever the window type.
            if measure.type != measure_type and name != POPULATION_MEASURE:
                raise CatalogueError(
                    f"{where(field)}: measure_type is {measure_type} but {field} {name} is "
                    f"{measure.type} ({registry.path}:{measure.line})"
                )
    return Indicator(
        id=ident,
        title=need("title"),
        numerator=numerator,
        denominator=denominator,
        multiplier=multiplier,
        unit=need("unit"),
        decimals=int(need("decimals")),
        polarity=need("polarity", POLARITIES),
        measure_type=measure_type,
        window_months=window,
        comparators=comparators,
        breakdown=need("breakdown", BREAKDOWNS),
        theme=merged.get("theme", "other"),
        published_value=merged.get("published_value"),
        change_years=change_years,
        subject=subject,
        part_of=merged.get("part_of"),
        report_period=need("report_period", REPORT_PERIODS),
    )
