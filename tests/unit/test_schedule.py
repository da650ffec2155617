"""The production schedule: the quarter just ended, mid-morning UK time, one run at a time."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flows.quarterly import default_quarter, scheduled_deployment


def test_deployment_runs_quarterly_on_london_time_one_at_a_time():
    deployment = scheduled_deployment()
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 6 15 1,4,7,10 *"
    assert schedule.schedule.timezone == "Europe/London"
    assert deployment.concurrency_limit == 1


def test_a_scheduled_run_reports_on_the_quarter_just_ended():
    # The run on 15 October 2014 is for July-September 2014.
    assert default_quarter(date(2014, 10, 15)).label == "2014-15 Q2"
    assert default_quarter(date(2015, 1, 15)).label == "2014-15 Q3"
