"""The production schedule: the quarter just ended, mid-morning UK time, one run at a time."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flows.quarterly import scheduled_deployment
from lscb_metrics.periods import last_complete_quarter


def test_deployment_runs_quarterly_on_london_time_one_at_a_time():
    deployment = scheduled_deployment()
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 6 15 1,4,7,10 *"
    assert schedule.schedule.timezone == "Europe/London"
    assert deployment.concurrency_limit == 1


def test_a_scheduled_run_reports_on_the_quarter_just_ended():
    # The run on 15 October 2014 is for July-September 2014.
    assert last_complete_quarter(datetime(2014, 10, 15, 5, tzinfo=UTC)).label == "2014-15 Q2"
    assert last_complete_quarter(datetime(2015, 1, 15, 6, tzinfo=UTC)).label == "2014-15 Q3"


def test_the_quarter_just_ended_is_judged_on_uk_time():
    # 23:30 UTC on 30 June 2014 is 00:30 on 1 July in the UK: April-June has ended.
    assert last_complete_quarter(datetime(2014, 6, 30, 23, 30, tzinfo=UTC)).label == "2014-15 Q1"
    # In winter UK time is UTC: 23:30 on 31 December is still October-December.
    assert last_complete_quarter(datetime(2014, 12, 31, 23, 30, tzinfo=UTC)).label == "2014-15 Q2"
