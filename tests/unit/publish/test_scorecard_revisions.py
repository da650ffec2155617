"""The scorecard's notes on revised figures: the public edition names each revised figure but
never quotes its values, which may be a quarter's count of 1 to 5 children."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from lscb_metrics.editions import INTERNAL, PUBLIC
from lscb_metrics.publish.scorecard import revision_messages
from lscb_metrics.revisions import Revision, revisions_table

AREA = "E06000033"
Q2 = date(2014, 9, 30)
# One neonatal death resubmitted as three: both are counts no public file may show.
REVISED = Revision("S-new", "S-old", AREA, "deaths_neonatal", "Total", Q2, 1.0, 3.0, None)


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    """A warehouse holding one flagged revision in audit.revisions."""
    connection = duckdb.connect(":memory:")
    connection.register("found", revisions_table([REVISED], {AREA: "Southend-on-Sea"}))
    connection.execute("CREATE SCHEMA audit")
    connection.execute("CREATE TABLE audit.revisions AS SELECT * FROM found")
    return connection


def test_the_public_edition_names_the_revised_figure_without_its_values(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    [notice] = revision_messages(connection, [AREA], Q2, PUBLIC, {AREA: "Southend-on-Sea"})
    # Named as the public reads it: the area's name and the quarter's label.
    assert notice.startswith("Southend-on-Sea (E06000033), 2014-15 Q2: deaths_neonatal was ")
    assert "revised to" not in notice and "from 1" not in notice
    words = notice.replace(AREA, "").replace("2014-15 Q2", "")
    assert not any(digit in words for digit in "0123456789")


def test_the_internal_edition_quotes_the_whole_message(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    [message] = revision_messages(connection, [AREA], Q2, INTERNAL)
    assert "deaths_neonatal revised to 3 from 1" in message
