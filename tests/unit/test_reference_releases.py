"""How a newer release's years are named to the user and in its data log section."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lscb_metrics.measures import PublishedTable
from lscb_metrics.reference import dfe_cin, ons
from lscb_metrics.reference.releases import Release, log_section, year_names

ONS = PublishedTable("ONS", "ons/ons_*.csv", "Children aged 0 to 17 years", ons.LOADER)
C1 = PublishedTable("C1", "dfe_cin/c1_*.csv", "Referrals and Re-referrals", dfe_cin.LOADER)
KEPT = {"Publisher / original source": "ONS", "Licence": "OGL", "Read by": "`load_population`"}


def release_of(table: PublishedTable, years: tuple[int, ...]) -> Release:
    """A release of `table` with `years`, the last of them new."""
    return Release(table, Path("new.csv"), Path("old.csv"), years, years[-1:], "0" * 64, 10)


def test_a_new_ons_year_is_named_as_its_mid_year() -> None:
    # `reference add` of mid-2025 estimates said 'new years: 2025', which reads as 2024-25.
    assert year_names(ONS, (2025,)) == "mid-2025"
    assert year_names(C1, (2026,)) == "2026"


def test_the_data_log_says_what_a_release_s_years_are() -> None:
    # The ONS section lost, on its first release, that `time_period` 2013 is mid-2013 while the
    # log's conventions say DfE's 2014 is 2013-14.
    ons_section = log_section(release_of(ONS, (2012, 2025)), "ons/new.csv", KEPT, "x", date.today())
    assert "estimates for mid-2012 to mid-2025 (`time_period` 2012 is the estimate at 30 June" in (
        " ".join(ons_section.split())
    )
    c1_section = log_section(
        release_of(C1, (2013, 2026)), "dfe_cin/new.csv", KEPT, "x", date.today()
    )
    assert "reporting years ending 31 March 2013 to 2026" in " ".join(c1_section.split())
