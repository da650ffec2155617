"""DfE statistical neighbour models: each LA's 10 most similar LAs, closest first.

Both published files list LAs by DfE number with columns SN1..SN10, each followed by its
closeness band (SNP). They also list, under the heading "Old SNs" in 2025, LAs that no longer
exist (Bournemouth, Poole, Dorset county, Northamptonshire, Cumbria), which are kept: their
neighbours serve comparisons for years before the reorganisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from lscb_metrics.periods import quarter_of
from lscb_metrics.reference._files import csv_text, reference_file, require_columns
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import load_areas, ons_codes_in_force

NEIGHBOUR_COUNT = 10
NEIGHBOUR_COLUMNS: tuple[str, ...] = (
    "la_number",  # DfE number of the LA: how comparisons follow it through ONS code changes
    "neighbour_number",  # DfE number of the neighbour
    "area_code",  # ONS code of the LA when the model was published
    "neighbour_code",  # ONS code of the neighbour when the model was published
    "neighbour_rank",  # int, 1 (closest) to 10
    "closeness",  # DfE band: 'Extremely close', 'Very close', 'Close', 'Somewhat close', ...
    "model",  # '2021' | '2025'
)


@dataclass(frozen=True)
class NeighbourModel:
    """A published neighbour model file and when it was published."""

    pattern: str  # glob under the reference folder
    header_row: int  # 0-based row holding the column names
    published: date  # decides which ONS code a DfE number stands for (codes change)


MODELS: dict[str, NeighbourModel] = {
    "2021": NeighbourModel(
        "statistical_neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv",
        header_row=0,
        published=date(2021, 4, 1),
    ),
    "2025": NeighbourModel(
        "statistical_neighbours/sn_may_2025.xlsx", header_row=2, published=date(2025, 5, 1)
    ),
}
AVAILABLE_MODELS: tuple[str, ...] = tuple(MODELS)
DEFAULT_MODEL = "2025"


def _model_table(path: Path, header_row: int) -> pd.DataFrame:
    """The published model file as text cells ('' for blank), header taken from `header_row`."""
    if path.suffix.lower() == ".csv":
        return csv_text(path)
    try:
        table = pd.read_excel(path, header=header_row, dtype=str, engine="calamine")
    except Exception as error:  # calamine raises its own types for damaged workbooks
        raise ValueError(f"cannot read {path}: {error}") from error
    return table.fillna("")


def _dfe_numbers(cells: pd.Series) -> pd.Series:
    """DfE LA numbers as 3-digit text (spreadsheets may hold them as '882.0')."""
    return cells.astype("str").str.strip().str.replace(r"\.0$", "", regex=True)


def neighbour_pairs(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Long table of DfE numbers: la, neighbour, neighbour_rank (1-10) and closeness."""
    ranks = range(1, NEIGHBOUR_COUNT + 1)
    require_columns(table, ["LA num", *(f"SN{r}" for r in ranks)], path)
    la = _dfe_numbers(table["LA num"])
    listed = table[la != ""]
    la = la[la != ""]
    not_numbers = sorted(set(la[~la.str.fullmatch(r"\d{3}")]))
    if not_numbers:
        raise ValueError(f"{path}: 'LA num' holds values that are not LA numbers: {not_numbers}")
    if la.duplicated().any():
        raise ValueError(f"{path}: LA(s) listed twice: {sorted(set(la[la.duplicated()]))}")
    columns = list(table.columns)
    pairs = []
    for rank in ranks:
        # each SNn column is followed by its closeness column, all headed 'SNP'
        closeness_column = columns[columns.index(f"SN{rank}") + 1]
        pairs.append(
            pd.DataFrame(
                {
                    "la": la,
                    "neighbour": _dfe_numbers(listed[f"SN{rank}"]),
                    "neighbour_rank": rank,
                    "closeness": listed[closeness_column].astype("str").str.strip(),
                }
            )
        )
    long = pd.concat(pairs, ignore_index=True)
    missing = long[~long["neighbour"].str.fullmatch(r"\d{3}")]
    if not missing.empty:
        raise ValueError(f"{path}: LA(s) {sorted(set(missing['la']))} lack some of 10 neighbours")
    return long.assign(closeness=long["closeness"].str.capitalize())


def load_statistical_neighbours(
    reference_dir: Path | str, model: str = DEFAULT_MODEL
) -> pd.DataFrame:
    """Each LA's 10 statistical neighbours in the DfE `model` ('2021' or '2025'), by ONS code."""
    if model not in MODELS:
        raise ValueError(
            f"unknown statistical neighbour model {model!r}; available: "
            f"{', '.join(AVAILABLE_MODELS)}"
        )
    spec = MODELS[model]
    path = reference_file(reference_dir, spec.pattern)
    pairs = neighbour_pairs(_model_table(path, spec.header_row), path)
    areas = load_areas(reference_dir)
    year = pd.Series(quarter_of(spec.published).year_start + 1, index=pairs.index)
    area_code = ons_codes_in_force(areas, pairs["la"], year)
    neighbour_code = ons_codes_in_force(areas, pairs["neighbour"], year)
    unknown = set(pairs.loc[area_code.isna(), "la"]) | set(
        pairs.loc[neighbour_code.isna(), "neighbour"]
    )
    if unknown:
        raise ValueError(f"{path}: LA number(s) not in the DfE area files: {sorted(unknown)}")
    out = pairs.assign(
        la_number=pairs["la"],
        neighbour_number=pairs["neighbour"],
        area_code=area_code,
        neighbour_code=neighbour_code,
        model=model,
    )
    out = out.sort_values(["area_code", "neighbour_rank"], kind="stable")
    return text_as_objects(out[list(NEIGHBOUR_COLUMNS)].reset_index(drop=True))
