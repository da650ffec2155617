"""An edition names its area as people say it: DfE's and ONS's 'Bristol, City of' read as
"Bristol, City of's statistical neighbours" in the scorecard, workbook and data chapter."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from lscb_metrics.publish.figures import board_area
from lscb_metrics.reference.areas import area_names, spoken_name


@pytest.mark.parametrize(
    ("official", "spoken"),
    [
        ("Bristol, City of", "Bristol"),
        ("Herefordshire, County of", "Herefordshire"),
        ("Kingston upon Hull, City of", "Kingston upon Hull"),
        ("Southend-on-Sea", "Southend-on-Sea"),
        # Only a trailing ', City of' is ONS's inversion; a name that ends 'of' otherwise stays.
        ("City of London", "City of London"),
    ],
)
def test_an_authority_is_named_as_people_say_it(official: str, spoken: str) -> None:
    assert spoken_name(official) == spoken


def test_an_editions_area_is_named_as_people_say_it() -> None:
    connection = duckdb.connect(":memory:")
    connection.execute("CREATE SCHEMA reference")
    connection.execute(
        "CREATE TABLE reference.areas AS SELECT 'E06000023' AS area_code, "
        "'Bristol, City of' AS area_name, 'E12000009' AS region_code, 'South West' AS region_name"
    )
    area = board_area(connection, "E06000023")
    assert (area.code, area.name, area.region_name) == ("E06000023", "Bristol", "South West")


def test_the_run_summary_names_areas_as_the_editions_do() -> None:
    # The console said "Bristol, City of (E06000023)" where the scorecard said "Bristol".
    areas = pd.DataFrame(
        {
            "area_code": ["E06000023", "E06000033"],
            "area_name": ["Bristol, City of", "Southend-on-Sea"],
        }
    )
    assert area_names(areas) == {"E06000023": "Bristol", "E06000033": "Southend-on-Sea"}
