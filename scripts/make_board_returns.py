"""Write SYNTHETIC partner returns for a demo board: every agency of its profile, every quarter
from FIRST to LAST, for each of its areas, figures scaled to the area's ONS child population
(mid-year of the last quarter's financial year, or the latest published) by
`lscb_metrics.board_setup.plausible_returns`. No figure comes from any agency.

Usage: .venv/bin/python scripts/make_board_returns.py thurrock 2012-13-Q1 2014-15-Q2 [--force]
Writes data/raw/returns/<board>/<quarter>/<agency>_<return>.csv (<agency>_<return>_<area>.csv for
each area of a partnership covering several).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from lscb_metrics.board_setup import plausible_returns, quarters_up_to
from lscb_metrics.boards import load_boards
from lscb_metrics.config import settings
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.periods import Quarter, estimate_mid_year, parse_quarter, population_mid_year
from lscb_metrics.reference import load_population


def main(argv: Sequence[str] | None = None) -> int:
    """Write the board's synthetic returns; 1 if files exist and --force is not given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("board")
    parser.add_argument("first")
    parser.add_argument("last")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    run_settings = settings()
    board = load_boards(run_settings.schemas_dir).selected(args.board)[0]
    first, last = parse_quarter(args.first), parse_quarter(args.last)
    count = (last.year_start - first.year_start) * 4 + last.number - first.number + 1
    registry = load_registry(run_settings.schemas_dir / MEASURES_FILE)
    population = load_population(run_settings.reference_dir, registry)
    children = {area: child_population(population, area, last) for area in board.areas}
    out = run_settings.returns_dir / board.slug
    quarters = quarters_up_to(last, count)
    files = plausible_returns(board, quarters, run_settings.schemas_dir, children)
    if out.exists() and not args.force:
        print(f"{out} exists; use --force to replace it", file=sys.stderr)
        return 1
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"{len(files)} synthetic returns for {board.name} written to {out}")
    return 0


def child_population(population: pd.DataFrame, area: str, last: Quarter) -> int:
    """ONS's estimate of the children of `area` at the mid-year of `last`'s financial year, or
    the latest published: a quarter whose mid-year is not yet out scales as its rates do."""
    estimates = population[population["area_code"].eq(area)].dropna(subset=["population_0_17"])
    mid_year = estimate_mid_year(population_mid_year(last.end), int(estimates["mid_year"].max()))
    [children] = estimates.loc[estimates["mid_year"].eq(mid_year), "population_0_17"]
    return int(children)


if __name__ == "__main__":
    sys.exit(main())
