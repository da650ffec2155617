"""Shipped published reference data (data/raw/reference) and its loaders.

Each loader takes the reference folder and returns a DataFrame; facts loaders return the
canonical facts layout (lscb_metrics.facts). Unreadable or unexpected files raise
FileNotFoundError or ValueError naming the file and the problem.
"""

from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import (
    AREA_COLUMNS,
    LA_CREATED,
    LA_SUCCESSORS,
    Succession,
    area_attributes,
    area_label,
    area_names,
    code_in_force,
    current_code,
    la_lookup,
    la_numbers,
    load_areas,
    ons_codes_in_force,
)
from lscb_metrics.reference.dfe_cin import load_cin_facts
from lscb_metrics.reference.dfe_cla import load_cla_facts, load_cla_sfr_facts
from lscb_metrics.reference.fingertips import load_fingertips_facts
from lscb_metrics.reference.lait import lait_period, lait_polarity, load_lait_facts
from lscb_metrics.reference.neighbours import (
    AVAILABLE_MODELS,
    DEFAULT_MODEL,
    load_statistical_neighbours,
)
from lscb_metrics.reference.ons import load_population, population_facts
from lscb_metrics.reference.ons_ages import load_population_ages_facts
from lscb_metrics.reference.symbols import SYMBOLS, parse_published_value, published_values

__all__ = [
    "AREA_COLUMNS",
    "AVAILABLE_MODELS",
    "DEFAULT_MODEL",
    "LA_CREATED",
    "LA_SUCCESSORS",
    "SYMBOLS",
    "Succession",
    "area_attributes",
    "area_label",
    "area_names",
    "code_in_force",
    "current_code",
    "la_lookup",
    "la_numbers",
    "lait_period",
    "lait_polarity",
    "load_areas",
    "load_cin_facts",
    "load_cla_facts",
    "load_cla_sfr_facts",
    "load_fingertips_facts",
    "load_lait_facts",
    "load_population",
    "load_population_ages_facts",
    "load_statistical_neighbours",
    "ons_codes_in_force",
    "parse_published_value",
    "population_facts",
    "published_values",
    "text_as_objects",
]
