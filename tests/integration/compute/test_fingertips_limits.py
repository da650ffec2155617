"""Hospital admissions for injuries (Fingertips 90284): the intervals and England comparisons of
every area and year are Fingertips' own, not recomputed from its counts rounded to 5."""

from __future__ import annotations

import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.compute.values import PUBLISHED_CI_METHOD
from lscb_metrics.config import settings

FILE = "fingertips/region_hospital_admissions_*.csv"
LIMITS = {
    "Lower CI 95.0 limit": "lower_ci95",
    "Upper CI 95.0 limit": "upper_ci95",
    "Lower CI 99.8 limit": "lower_ci998",
    "Upper CI 99.8 limit": "upper_ci998",
}


@pytest.fixture(scope="module")
def injuries(demo_reference) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and comparisons of the injury admission rate for every area and year."""
    run_settings = settings()
    catalogue = load_catalogue(run_settings.schemas_dir / "indicators.yaml")
    indicator = next(i for i in catalogue if i.id == "injury_admission_rate")
    return pipeline.published_relations(demo_reference, (indicator,))


@pytest.fixture(scope="module")
def fingertips() -> pd.DataFrame:
    """Fingertips' own rows: persons, no category, with all four limits."""
    path = next((settings().reference_dir).glob(FILE))
    frame = pd.read_csv(path, dtype={"Category Type": str})
    rows = frame[(frame["Sex"] == "Persons") & frame["Category Type"].isna()]
    rows = rows.dropna(subset=list(LIMITS)).rename(columns=LIMITS)
    rows["time_period"] = rows["Time period"].str.replace("/", "-")
    return rows.rename(columns={"Area Code": "area_code"})


def test_every_interval_fingertips_gives_is_the_one_published(injuries, fingertips) -> None:
    values, _ = injuries
    both = fingertips.merge(values, on=["area_code", "time_period"], suffixes=("_ft", ""))
    assert len(both) == len(fingertips) > 1_900
    for column in LIMITS.values():
        pd.testing.assert_series_equal(
            both[column], both[f"{column}_ft"], check_names=False, rtol=1e-12
        )
    assert set(both["ci_method"]) == {PUBLISHED_CI_METHOD}
    # Hartlepool 2012/13: Fingertips 120.84308 to 157.26136 from its unrounded count; the
    # count it publishes, 230 (rounded to 5), would give 121.4 to 157.9.
    hartlepool = both[(both["area_code"] == "E06000001") & (both["time_period"] == "2012-13")]
    assert hartlepool["lower_ci95"].round(5).tolist() == [120.84308]


def test_england_comparisons_agree_with_fingertips_where_it_compares(injuries, fingertips) -> None:
    """Fingertips compares at 95%; this project adds a 99.8% level (Best/Worst are Better and
    Worse beyond it), so the two agree once that level is folded into 95%'s."""
    _, compared = injuries
    folded = compared["vs_england"].replace({"Best": "Better", "Worst": "Worse"})
    both = fingertips.merge(compared.assign(vs_england=folded), on=["area_code", "time_period"])
    theirs = both["Compared to England value or percentiles"]
    judged = theirs.isin(["Better", "Similar", "Worse"])
    assert judged.sum() > 1_900
    assert (both.loc[judged, "vs_england"] == theirs[judged]).all(), both.loc[
        judged & (both["vs_england"] != theirs), ["area_code", "time_period", "vs_england"]
    ].head()
    england = compared[compared["area_code"] == "E92000001"]
    assert set(england["vs_england"]) == {"Not compared"}
