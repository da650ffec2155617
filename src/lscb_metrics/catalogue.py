"""The indicator catalogue (schemas/indicators.yaml): what each published figure is and how.

The YAML file is the single source of truth: computation, comparisons, the data dictionary and
publication rounding all read it through `load_catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lscb_metrics.errors import LscbError

POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
MEASURE_TYPES = ("flow", "snapshot")
MULTIPLIERS = (1, 100, 1000, 10000, 100000)
COMPARATORS = ("england", "region", "statistical_neighbours")
BREAKDOWNS = ("total", "agency")
POPULATION_MEASURE = "population_0_17"


class CatalogueError(LscbError, ValueError):
    """The indicator catalogue is not well formed; the message names the indicator and field."""


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

    @property
    def is_count(self) -> bool:
        """True when the indicator is a plain count (no denominator)."""
        return self.denominator is None

    @property
    def uses_population(self) -> bool:
        """True when the denominator is the ONS child population."""
        return self.denominator == POPULATION_MEASURE

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the indicator reads (numerator parts and denominator)."""
        return self.numerator + ((self.denominator,) if self.denominator else ())


def load_catalogue(path: Path) -> tuple[Indicator, ...]:
    """Indicators declared in the catalogue YAML at `path`, validated."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read the indicator catalogue {path}: {error}") from error
    defaults = document.get("defaults", {})
    indicators = tuple(_indicator(entry, defaults) for entry in document["indicators"])
    ids = [indicator.id for indicator in indicators]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: indicator ids used twice: {duplicates}")
    return indicators


def _indicator(entry: dict[str, Any], defaults: dict[str, Any]) -> Indicator:
    """One Indicator from its YAML mapping, with defaults applied and every field checked."""
    merged = {**defaults, **entry}
    ident = merged.get("id", "<no id>")

    def need(field: str, allowed: tuple[Any, ...] | None = None) -> Any:
        if field not in merged:
            raise CatalogueError(f"indicator {ident}: missing field {field!r}")
        value = merged[field]
        if allowed is not None and value not in allowed:
            raise CatalogueError(f"indicator {ident}: {field} {value!r} is not one of {allowed}")
        return value

    numerator = need("numerator")
    numerator = (numerator,) if isinstance(numerator, str) else tuple(numerator)
    denominator = merged.get("denominator")
    multiplier = need("multiplier", MULTIPLIERS)
    if (denominator is None) != (multiplier == 1):
        raise CatalogueError(f"indicator {ident}: counts have multiplier 1 and no denominator")
    comparators = tuple(merged.get("comparators", ()))
    unknown = set(comparators) - set(COMPARATORS)
    if unknown:
        raise CatalogueError(f"indicator {ident}: unknown comparators {sorted(unknown)}")
    window = int(merged.get("window_months", 12))
    if window % 3:
        raise CatalogueError(f"indicator {ident}: window_months must be whole quarters")
    return Indicator(
        id=ident,
        title=need("title"),
        numerator=numerator,
        denominator=denominator,
        multiplier=multiplier,
        unit=need("unit"),
        decimals=int(need("decimals")),
        polarity=need("polarity", POLARITIES),
        measure_type=need("measure_type", MEASURE_TYPES),
        window_months=window,
        comparators=comparators,
        breakdown=merged.get("breakdown", "total"),
        theme=merged.get("theme", "other"),
        published_value=merged.get("published_value"),
    )
