"""Where things are and how the process is set up: paths, defaults and the offline environment.

Settings come from (in order) command-line options, environment variables, then defaults here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lscb_metrics.errors import ConfigurationError


def project_root() -> Path:
    """The project folder (holding schemas/ and data/): LSCB_PROJECT_ROOT or this checkout."""
    override = os.environ.get("LSCB_PROJECT_ROOT")
    root = Path(override) if override else Path(__file__).resolve().parents[2]
    if not (root / "schemas" / "indicators.yaml").is_file():
        raise ConfigurationError(
            f"{root} is not an lscb_metrics project (no schemas/indicators.yaml); "
            "set LSCB_PROJECT_ROOT to the project folder"
        )
    return root


def shown_path(path: Path, root: Path | None) -> str:
    """`path` as a person at the project folder `root` opens it: relative to `root` where it
    is inside it, else absolute (also where no root is known)."""
    if root is not None and path.is_relative_to(root):
        return str(path.relative_to(root))
    return str(path.absolute())


def set_offline_environment(root: Path) -> None:
    """Telemetry off and Prefect's state inside the project, unless the user chose otherwise."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(root / ".prefect"))


#: Where a board's profile is: schemas/<BOARDS_FOLDER>/<slug>/<PROFILE_FILE>.
BOARDS_FOLDER = "boards"
PROFILE_FILE = "board.yaml"


def use_python_strings() -> None:
    """Have pandas store the text of every frame made from now on as Python strings, not Arrow
    strings, in this whole process."""
    # pandas 3 gives every new frame an index of its column names in Arrow strings, and copies
    # it to Python objects the first time it looks a column up: a quarter of the compute's time
    # on the runs benchmark. Set once, as a process starts and before pandera is imported (the
    # command line, the test session), never part-way: pandera takes the storage of text when
    # it is imported, and a return's schema would then expect the other storage. A worker that
    # is not set (Prefect's or Dask's, validating files) keeps Arrow's throughout, as consistent.
    import pandas as pd

    pd.set_option("mode.string_storage", "python")


def board_profiles(schemas_dir: Path) -> list[Path]:
    """The board profiles declared under `schemas_dir`, in order of slug."""
    return sorted((schemas_dir / BOARDS_FOLDER).glob(f"*/{PROFILE_FILE}"))


def board_slugs(schemas_dir: Path) -> list[str]:
    """The slugs of the boards declared under `schemas_dir`, from their folders alone (loading
    the profiles imports pandas and pandera, seconds a run would spend before Prefect starts)."""
    return [path.parent.name for path in board_profiles(schemas_dir)]


#: The environment variable holding the pseudonymisation key (see cases.pseudonymise): read
#: once, then removed from the environment, and never handed to a child process.
KEY_VARIABLE = "LSCB_PSEUDONYMISATION_KEY"
LOCAL_POPULATION = "local_population.csv"
LOCAL_COMPARATORS = "local_comparators.csv"
BOARD_RECORDS = "board_records.csv"
BOARD_ATTENDANCE = "board_attendance.csv"
#: A board's local figure files (in data/raw/local/<slug>/) and their columns.
LOCAL_FILES: dict[str, tuple[str, ...]] = {
    LOCAL_POPULATION: ("area_code", "mid_year", "population_0_17", "source", "note"),
    LOCAL_COMPARATORS: (
        "indicator_id",
        "area_code",
        "period_end",
        "comparator",
        "value",
        "source",
        "note",
    ),
    BOARD_RECORDS: (
        "area_code",
        "financial_year",
        "as_at",
        "measure",
        "breakdown",
        "value",
        "source",
        "note",
    ),
    BOARD_ATTENDANCE: ("area_code", "meeting", "member", "status"),
}


@dataclass(frozen=True)
class Settings:
    """Paths and choices for one run."""

    root: Path
    warehouse: Path
    returns_dir: Path
    reference_dir: Path
    local_dir: Path
    curated_dir: Path
    store_dir: Path
    quarantine_dir: Path
    sn_model: str
    cases_dir: Path | None = None

    @property
    def schemas_dir(self) -> Path:
        """Folder of the return declarations, catalogue and warehouse descriptions."""
        return self.root / "schemas"

    @property
    def warehouse_declaration(self) -> Path:
        """schemas/warehouse.yaml: the warehouse's layout, relations and column meanings."""
        return self.schemas_dir / "warehouse.yaml"


def settings(
    warehouse: str | None = None,
    returns_dir: str | None = None,
    sn_model: str | None = None,
    cases_dir: str | None = None,
) -> Settings:
    """Settings from options, then LSCB_* environment variables, then the project defaults."""
    root = project_root()
    data = root / "data"
    warehouse_path = Path(
        warehouse or os.environ.get("LSCB_WAREHOUSE") or data / "warehouse.duckdb"
    ).absolute()
    # The archive, quarantine and exports live beside the warehouse they belong to.
    beside = warehouse_path.parent
    return Settings(
        root=root,
        warehouse=warehouse_path,
        returns_dir=Path(
            returns_dir or os.environ.get("LSCB_RETURNS") or data / "raw/returns"
        ).absolute(),
        reference_dir=data / "raw" / "reference",
        local_dir=data / "raw" / "local",
        curated_dir=beside / "curated",
        store_dir=beside / "store",
        quarantine_dir=beside / "quarantine",
        sn_model=sn_model or os.environ.get("LSCB_SN_MODEL") or "2025",
        cases_dir=_optional_path(cases_dir or os.environ.get("LSCB_CASES")),
    )


def _optional_path(text: str | None) -> Path | None:
    """`text` as an absolute path, or None when not given."""
    return Path(text).absolute() if text else None


@contextmanager
def environment_variable(name: str, value: str | None) -> Iterator[None]:
    """The environment variable `name` set to `value` (left alone when None) for the duration,
    for this process and the processes it starts; restored as it was."""
    previous = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
