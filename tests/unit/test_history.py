"""RNG-001: a figure far outside the area's usual range is questioned, never blocked."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lscb_metrics.history import unusual_value_failures, unusual_values
from lscb_metrics.intake.rules import RULES

ENDS = [date(2013, 9, 30), date(2013, 12, 31), date(2014, 3, 31), date(2014, 6, 30)]


def facts(values, ends, measure="referrals"):
    return pd.DataFrame(
        {
            "area_code": "E06000033",
            "measure": measure,
            "breakdown": "Total",
            "period_end": ends,
            "value": [float(v) for v in values],
        }
    )


HISTORY = facts([450, 470, 430, 460], ENDS)
LOCATIONS = {"referrals": "Data!A2"}
TITLES = {"referrals": "Referrals received"}


def judged(value, history=HISTORY):
    unusual = unusual_values(facts([value], [date(2014, 9, 30)]), history)
    return unusual_value_failures(unusual, LOCATIONS, TITLES)


def test_a_tenfold_slip_is_a_located_warning():
    [warning] = judged(4550)
    assert (warning.code, warning.severity, warning.location) == ("RNG-001", "warning", "Data!A2")
    assert RULES["RNG-001"].severity == "warning"
    # Median of 450, 470, 430, 460 is 455.
    assert "4,550 in 'Referrals received' is more than 2 times the usual figure (455" in (
        warning.message
    )


def test_a_collapse_to_under_half_is_questioned():
    [warning] = judged(200)
    assert "less than 1/2 of the usual figure" in warning.message


@pytest.mark.parametrize("value", [455, 900, 240])
def test_figures_within_a_factor_of_two_pass(value):
    assert judged(value) == []


def test_small_counts_are_not_judged():
    # Child deaths of 1, 2, 0, 1 a quarter: a 5 is chance, not a slip.
    assert judged(50, facts([1, 2, 0, 1], ENDS)) == []


def test_too_little_history_is_not_judged():
    assert judged(4550, HISTORY.iloc[:1]) == []


def test_each_fact_is_judged_against_its_own_series_and_quarters():
    # One pass over many facts: a slip in one series and quarter is found, in the facts' order,
    # and the same figure in another measure (with no history) or a later quarter whose own
    # previous four quarters include the slip is judged on its own series alone.
    referrals = facts([450, 470, 430, 460, 4550], [*ENDS, date(2014, 9, 30)])
    plans = facts([100, 4550], [date(2014, 6, 30), date(2014, 9, 30)], measure="cp_plans_at_end")
    everything = pd.concat([referrals, plans], ignore_index=True)
    unusual = unusual_values(everything, everything)
    assert unusual[["measure", "value", "typical", "quarters"]].to_dict("records") == [
        {"measure": "referrals", "value": 4550.0, "typical": 455.0, "quarters": 4}
    ]


def test_no_facts_no_warnings():
    assert unusual_values(HISTORY.iloc[:0], HISTORY).empty
