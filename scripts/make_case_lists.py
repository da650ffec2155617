"""Write the SYNTHETIC demo case lists for Southend-on-Sea, 2012-13 Q1 to 2014-15 Q2.

Every row this script writes under data/raw/cases/ is made up: no child, family or worker is
real, identifiers are 'SOU-' and a number, and dates of birth are drawn at random. The lists are
not random either. They are built, deterministically, so that deriving them
(lscb_metrics.cases) gives EXACTLY the quarterly figures of the shipped aggregate demo returns
(data/raw/returns, SBC-CSC referrals, assessments and cp_plans) for every measure both give:

- referrals: each quarter's referrals on its working days, by source and outcome as the return
  says; re-referrals are children whose previous referral was 2 weeks to 11 months before (all
  others are new children), so that none is near the 12-month boundary; a year of 2011-12
  referrals is history for the first quarters;
- section 47 enquiries: each quarter's number, 1 to 3 days after one of its referrals;
- assessments: each quarter's completed assessments, authorised on its working days, having
  taken 10-40, 41-45 or 46-70 working days (England and Wales bank holidays, the convention of
  cases/workdays.py) in the numbers the return gives for within 40 (the local target) and within
  45 working days; a few are still open at the end;
- child protection plans: the plans open at 31 March 2012 (85, as the demo returns assume), and
  each quarter's starts and ends, chosen so that the plans open at each quarter end are the
  return's number in each category of abuse, that exactly the return's number of them started two
  years or more before, and that the return's number of starts are second or subsequent plans
  (children whose earlier plan, in the list, had ended).

The script reads the targets from the aggregate files, builds the lists, derives them with
lscb_metrics.cases and refuses to write anything unless every figure agrees. Output is
deterministic (a fixed seed), so the files' SHA-256 are stable.

Usage: .venv/bin/python scripts/make_case_lists.py [--force] [--out DIR]
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import random
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from lscb_metrics.boards import load_boards
from lscb_metrics.cases import derive_case_facts
from lscb_metrics.cases.derive import CATEGORIES, MEASURES, SOURCES
from lscb_metrics.cases.workdays import bank_holidays, is_working_day, working_days_between
from lscb_metrics.periods import FIRST_YEAR, Quarter, add_months
from lscb_metrics.returns import load_return_specs, validate_file

ROOT = Path(__file__).resolve().parents[1]
RETURNS = ROOT / "data" / "raw" / "returns"
SCHEMAS = ROOT / "schemas"
DEFAULT_OUT = ROOT / "data" / "raw" / "cases"

LA_CODE = "E06000033"  # Southend-on-Sea (DfE LA number 882)
SOUTHEND = (LA_CODE, "Southend-on-Sea", "E12000006")
LA_LOOKUP = {LA_CODE: SOUTHEND, "882": SOUTHEND}
QUARTERS = tuple(Quarter(2012 + i // 4, i % 4 + 1) for i in range(10))
PERIOD = (QUARTERS[0].start, QUARTERS[-1].end)
SEED = 20141001
PLANS_AT_31_MARCH_2012 = 85  # the demo returns' stock before 2012-13 Q1
LOCAL_TARGET_DAYS = 40
#: Only for the check that the lists reproduce the returns: a key for this script alone.
CHECK_KEY = b"make_case_lists.py: demo lists only, never a real key"
LIST_FILES = {
    "referrals": "southend_referrals.csv",
    "section_47_enquiries": "southend_section_47_enquiries.csv",
    "assessments": "southend_assessments.csv",
    "cp_plans": "southend_cp_plans.csv",
}
_CALENDAR = np.busdaycalendar(holidays=bank_holidays(2009, 2015))

Targets = dict[str, tuple[int, ...]]  # measure -> its value in each of the ten quarters
Row = dict[str, object]


def aggregate_targets() -> Targets:
    """Each measure the case lists give, per quarter, as the shipped aggregate returns say."""
    specs, boards = load_return_specs(SCHEMAS), load_boards(SCHEMAS)
    values: dict[str, list[int]] = {}
    for quarter in QUARTERS:
        for return_type in ("referrals", "assessments", "cp_plans"):
            path = RETURNS / quarter.cli_name / f"SBC-CSC_{return_type}.xlsx"
            result = validate_file(path, specs, boards, LA_LOOKUP, return_type)
            if not result.valid:
                raise SystemExit(f"{path} is not a valid return: {result.errors[0].message}")
            for name, value in result.data.iloc[0].items():
                values.setdefault(str(name), []).append(int(value))
    measures = {m for list_measures in MEASURES.values() for m in list_measures}
    return {name: tuple(series) for name, series in values.items() if name in measures}


@dataclass
class Children:
    """Made-up children: 'SOU-' identifiers in order, each with a date of birth."""

    rng: random.Random
    births: dict[str, date] = field(default_factory=dict)

    def new(self, seen_on: date) -> str:
        """A child never seen before, aged 0 to 17 on `seen_on`."""
        child = f"SOU-{len(self.births) + 1:06d}"
        self.births[child] = seen_on - timedelta(days=self.rng.randrange(18 * 365))
        return child


def working_days_of(quarter: Quarter) -> list[date]:
    """The working days of a quarter, in order."""
    days = (
        quarter.start + timedelta(days=n) for n in range((quarter.end - quarter.start).days + 1)
    )
    return [day for day in days if is_working_day(day)]


def spread(days: Sequence[date], count: int) -> list[date]:
    """`count` dates spread evenly over `days`, in order."""
    return [days[i * len(days) // count] for i in range(count)] if count else []


def referral_rows(targets: Targets, children: Children, rng: random.Random) -> list[Row]:
    """The referrals list: 2011-12 history, then each quarter's referrals as the targets say."""
    last_referral: dict[str, date] = {}
    rows: list[Row] = []
    for history in (Quarter(2011, n) for n in range(1, 5)):
        for day in spread(working_days_of(history), 420):
            child = children.new(day)
            last_referral[child] = day
            rows.append(_referral(child, day, rng.choice(SOURCES), "assessment"))
    for index, quarter in enumerate(QUARTERS):
        days = spread(working_days_of(quarter), targets["referrals"][index])
        again = set(rng.sample(range(len(days)), targets["rereferrals_within_12_months"][index]))
        sources = _shuffled(rng, _counts(targets, index, "referrals_source_", SOURCES))
        assessed = set(rng.sample(range(len(days)), targets["referrals_to_assessment"][index]))
        for n, day in enumerate(days):
            child = _rereferred(last_referral, day) if n in again else children.new(day)
            last_referral[child] = day
            outcome = (
                "assessment" if n in assessed else rng.choice(("no_further_action", "early_help"))
            )
            rows.append(_referral(child, day, sources[n], outcome))
    return rows


def section_47_rows(targets: Targets, referrals: Sequence[Row], rng: random.Random) -> list[Row]:
    """The section 47 list: each quarter's enquiries, 1-3 days after one of its referrals."""
    rows = []
    started: set[tuple[object, date]] = set()
    for index, quarter in enumerate(QUARTERS):
        latest = quarter.end - timedelta(days=4)
        eligible = [
            r
            for r in referrals
            if quarter.start <= r["referral_date"] <= latest
            and r["referral_outcome"] == "assessment"
        ]
        chosen = rng.sample(eligible, targets["section_47_enquiries"][index])
        for referral in sorted(chosen, key=_by_date):
            day = referral["referral_date"] + timedelta(days=rng.randint(1, 3))
            while (referral["child_id"], day) in started:
                day += timedelta(days=1)  # one enquiry a day for a child
            started.add((referral["child_id"], day))
            rows.append({"child_id": referral["child_id"], "s47_start_date": day})
    return rows


def assessment_rows(targets: Targets, referrals: Sequence[Row], rng: random.Random) -> list[Row]:
    """The assessments list: each quarter's completed assessments with durations in the bands
    the targets give, started on a working day after one of the child's referrals; and a few
    still open at the end of the period."""
    unassessed = sorted(
        (r for r in referrals if r["referral_outcome"] == "assessment"), key=_by_date
    )
    taken: set[tuple[str, date]] = set()
    rows: list[Row] = []
    for index, quarter in enumerate(QUARTERS):
        completed = targets["assessments_completed"][index]
        local = targets["assessments_within_local_target"][index]
        statutory = targets["assessments_within_45_days"][index]
        durations = _shuffled(
            rng,
            [rng.randint(10, 40) for _ in range(local)]
            + [rng.randint(41, 45) for _ in range(statutory - local)]
            + [rng.randint(46, 70) for _ in range(completed - statutory)],
        )
        for authorised, days in zip(
            spread(working_days_of(quarter), completed), durations, strict=True
        ):
            start = _working_days_before(authorised, days)
            child = _take_referred(unassessed, start, taken)
            rows.append(_assessment(child, start, authorised))
    for start in spread(working_days_of(QUARTERS[-1])[-15:], 12):
        rows.append(_assessment(_take_referred(unassessed, start, taken), start, None))
    return rows


@dataclass
class Plan:
    """A child protection plan being built."""

    child: str
    start: date
    category: str
    subsequent: bool
    end: date | None = None
    long: bool = False  # kept open two years or more, for cp_plans_two_years_or_more

    def open_at(self, day: date) -> bool:
        """Whether the plan is open at the end of `day`."""
        return self.start <= day and (self.end is None or self.end > day)


def plan_rows(targets: Targets, children: Children, rng: random.Random) -> list[Row]:
    """The plans list: history (plans open at 31 March 2012, a few already ended), then each
    quarter's starts and ends as the targets say."""
    plans = _long_plans(targets, children, rng)
    plans += _plans_at_31_march_2012(targets, plans, children, rng)
    for index, quarter in enumerate(QUARTERS):
        plans += _quarter_of_plans(targets, index, quarter, plans, children, rng)
    return [_plan_row(plan) for plan in sorted(plans, key=lambda p: (p.start, p.child))]


def _long_plans(targets: Targets, children: Children, rng: random.Random) -> list[Plan]:
    """Plans kept open long enough that, at each quarter end, exactly the target number are
    two years old or more: one is started two years before a quarter end that needs one more,
    and the oldest ends in a quarter that needs one fewer."""
    plans: list[Plan] = []
    for index, quarter in enumerate(QUARTERS):
        two_years_before = add_months(quarter.end + timedelta(days=1), -24) - timedelta(days=1)
        mature = [p for p in plans if p.start <= two_years_before and p.open_at(quarter.end)]
        wanted = targets["cp_plans_two_years_or_more"][index]
        for plan in sorted(mature, key=lambda p: p.start)[: max(len(mature) - wanted, 0)]:
            plan.end = rng.choice(working_days_of(quarter))
        for _ in range(wanted - len(mature)):
            start = two_years_before - timedelta(days=rng.randrange(1, 80))
            plans.append(Plan(children.new(start), start, "neglect", False, long=True))
    return plans


def _plans_at_31_march_2012(
    targets: Targets, long_plans: Sequence[Plan], children: Children, rng: random.Random
) -> list[Plan]:
    """Short plans open at 31 March 2012 (started in 2011-12, in the mix of categories of the
    first quarter's targets), and twelve earlier plans that had ended, whose children can have
    subsequent plans."""
    day = QUARTERS[0].start - timedelta(days=1)
    open_long = [p for p in long_plans if p.open_at(day)]
    mix = _categories(targets, 0)
    shares = _apportion(PLANS_AT_31_MARCH_2012 - len(open_long), [mix[c] for c in CATEGORIES])
    plans = []
    for category, count in zip(CATEGORIES, shares, strict=True):
        for _ in range(count):
            start = date(2011, 4, 1) + timedelta(days=rng.randrange(360))
            plans.append(Plan(children.new(start), start, category, False))
    for n in range(12):
        start = date(2010, 6, 1) + timedelta(days=20 * n)
        plans.append(
            Plan(
                children.new(start),
                start,
                rng.choice(CATEGORIES),
                False,
                start + timedelta(days=200),
            )
        )
    return plans


def _quarter_of_plans(
    targets: Targets,
    index: int,
    quarter: Quarter,
    plans: list[Plan],
    children: Children,
    rng: random.Random,
) -> list[Plan]:
    """One quarter: end the right short plans (oldest first, by category) and start new ones,
    so that the quarter's starts, subsequent starts, ends and open plans by category hit the
    targets. Long plans starting or ending in the quarter are already decided."""
    before = quarter.start - timedelta(days=1)
    long_starts = [p for p in plans if p.long and quarter.start <= p.start <= quarter.end]
    long_ends = [p for p in plans if p.long and p.end and quarter.start <= p.end <= quarter.end]
    open_short = [p for p in plans if not p.long and p.open_at(before)]
    stock = {c: sum(p.open_at(before) and p.category == c for p in plans) for c in CATEGORIES}
    for plan in long_starts:
        stock[plan.category] += 1
    for plan in long_ends:
        stock[plan.category] -= 1
    target = _categories(targets, index)
    change = {c: target[c] - stock[c] for c in CATEGORIES}
    starts = targets["cp_plan_starts"][index] - len(long_starts)
    extra = starts - sum(max(d, 0) for d in change.values())
    if extra < 0:
        raise ValueError(f"{quarter.label}: cannot reach the categories with {starts} starts")
    by_category = {
        c: sorted((p for p in open_short if p.category == c), key=lambda p: p.start)
        for c in CATEGORIES
    }
    room = {c: len(by_category[c]) - max(-change[c], 0) for c in CATEGORIES}
    caps = [max(room[c], 0) for c in CATEGORIES]
    more = _apportion(extra, caps, caps)
    days = working_days_of(quarter)
    for category, added in zip(CATEGORIES, more, strict=True):
        for plan in by_category[category][: max(-change[category], 0) + added]:
            plan.end = max(rng.choice(days), plan.start + timedelta(days=1))
    new_counts = [max(change[c], 0) + added for c, added in zip(CATEGORIES, more, strict=True)]
    new_categories = _shuffled(
        rng, [c for c, n in zip(CATEGORIES, new_counts, strict=True) for _ in range(n)]
    )
    subsequent = targets["cp_plan_starts_subsequent"][index]
    starting = []
    for n, (day, category) in enumerate(
        zip(spread(days, len(new_categories)), new_categories, strict=True)
    ):
        child = _earlier_plan_child(plans + starting, day) if n < subsequent else children.new(day)
        starting.append(Plan(child, day, category, n < subsequent))
    return starting


def _earlier_plan_child(plans: Sequence[Plan], day: date) -> str:
    """A child whose plans all ended before `day`, the one whose last plan ended longest ago."""
    last: dict[str, Plan] = {}
    for plan in sorted(plans, key=lambda p: p.start):
        last[plan.child] = plan
    ended = [p for p in last.values() if p.end is not None and p.end < day]
    return min(ended, key=lambda p: (p.end, p.child)).child


def check_lists(folder: Path, targets: Targets) -> list[str]:
    """Every figure where deriving the lists in `folder` differs from the aggregate returns."""
    paths = [folder / name for name in LIST_FILES.values()]
    result = derive_case_facts(
        paths,
        SCHEMAS,
        LA_LOOKUP,
        CHECK_KEY,
        {LA_CODE: ((Quarter(FIRST_YEAR, 1), LOCAL_TARGET_DAYS),)},
    )
    problems = [f.message for f in result.errors]
    derived = {(f.measure, f.time_period): f.value for f in result.facts.itertuples()}
    for measure, series in targets.items():
        for quarter, want in zip(QUARTERS, series, strict=True):
            got = derived.get((measure, quarter.label))
            if got != want:
                problems.append(f"{measure} {quarter.label}: derived {got}, aggregate {want}")
    return problems


def csv_text(rows: Sequence[Row], columns: Sequence[str]) -> str:
    """Rows as CSV (UTF-8, comma, \\n line ends) with the cover columns first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    cover = [LA_CODE, PERIOD[0].isoformat(), PERIOD[1].isoformat()]
    writer.writerow(["la_code", "period_start", "period_end", *columns])
    for row in rows:
        writer.writerow([*cover, *(_text(row.get(c)) for c in columns)])
    return buffer.getvalue()


def build_lists() -> dict[str, str]:
    """The four lists' CSV text, by list type."""
    rng = random.Random(SEED)
    targets = aggregate_targets()
    children = Children(rng)
    referrals = referral_rows(targets, children, rng)
    lists = {
        "referrals": (
            referrals,
            ["child_id", "date_of_birth", "referral_date", "referral_source", "referral_outcome"],
        ),
        "section_47_enquiries": (
            section_47_rows(targets, referrals, rng),
            ["child_id", "date_of_birth", "s47_start_date"],
        ),
        "assessments": (
            assessment_rows(targets, referrals, rng),
            ["child_id", "date_of_birth", "assessment_start_date", "assessment_authorised_date"],
        ),
        "cp_plans": (
            plan_rows(targets, children, rng),
            [
                "child_id",
                "date_of_birth",
                "plan_start_date",
                "plan_end_date",
                "abuse_category",
                "subsequent_plan",
            ],
        ),
    }
    for rows, _ in lists.values():
        for row in rows:
            row["date_of_birth"] = children.births[row["child_id"]]
    return {list_type: csv_text(rows, columns) for list_type, (rows, columns) in lists.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace files that already exist")
    args = parser.parse_args(argv)
    texts = build_lists()
    with tempfile.TemporaryDirectory() as scratch:
        for list_type, text in texts.items():
            (Path(scratch) / LIST_FILES[list_type]).write_text(text, encoding="utf-8")
        problems = check_lists(Path(scratch), aggregate_targets())
    if problems:
        print("the case lists do not reproduce the aggregate returns:", *problems[:20], sep="\n  ")
        return 1
    existing = [name for name in LIST_FILES.values() if (args.out / name).exists()]
    if existing and not args.force:
        print(
            f"refusing to overwrite {existing[0]} (and {len(existing) - 1} more) in {args.out}: "
            "data/raw is read-only for the pipeline; use --force",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for list_type, text in texts.items():
        (args.out / LIST_FILES[list_type]).write_text(text, encoding="utf-8")
    print(f"wrote {len(texts)} synthetic case lists to {args.out}; every derived figure agrees")
    return 0


def _referral(child: str, day: date, source: str, outcome: str) -> Row:
    return {
        "child_id": child,
        "referral_date": day,
        "referral_source": source,
        "referral_outcome": outcome,
    }


def _assessment(child: str, start: date, authorised: date | None) -> Row:
    return {
        "child_id": child,
        "assessment_start_date": start,
        "assessment_authorised_date": authorised,
    }


def _plan_row(plan: Plan) -> Row:
    subsequent = "yes" if plan.subsequent else "no"
    return {
        "child_id": plan.child,
        "plan_start_date": plan.start,
        "plan_end_date": plan.end if plan.end and plan.end <= PERIOD[1] else None,
        "abuse_category": plan.category,
        "subsequent_plan": subsequent,
    }


def _rereferred(last_referral: Mapping[str, date], day: date) -> str:
    """The child last referred 14 to 330 days before `day` (well within 12 months), the one
    referred longest ago."""
    earliest, latest = day - timedelta(days=330), day - timedelta(days=14)
    candidates = [
        (last, child) for child, last in last_referral.items() if earliest <= last <= latest
    ]
    return min(candidates)[1]


def _take_referred(referrals: list[Row], start: date, taken: set[tuple[str, date]]) -> str:
    """The child of the latest referral on or before `start` not yet assessed (the referral is
    taken), whose assessment would not repeat one already starting that day."""
    index = bisect.bisect_right([r["referral_date"] for r in referrals], start) - 1
    while (referrals[index]["child_id"], start) in taken:
        index -= 1
    child = referrals.pop(index)["child_id"]
    taken.add((child, start))
    return child


def _working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (cases/workdays.py convention)."""
    start = np.busday_offset(
        np.datetime64(day), -count, roll="backward", busdaycal=_CALENDAR
    ).astype(date)
    if working_days_between(start, day) != count:
        raise AssertionError(f"{start} to {day} is not {count} working days")
    return start


def _counts(targets: Targets, index: int, prefix: str, names: Sequence[str]) -> list[str]:
    """A label per item: each name repeated as many times as its target."""
    return [name for name in names for _ in range(targets[f"{prefix}{name}"][index])]


def _categories(targets: Targets, index: int) -> dict[str, int]:
    """Plans open at the quarter's end by category, as the targets say."""
    return {c: targets[f"cp_plans_{c}"][index] for c in CATEGORIES}


def _apportion(total: int, weights: Sequence[int], caps: Sequence[int] | None = None) -> list[int]:
    """`total` split in proportion to `weights` (D'Hondt: each unit to the part with the most
    weight per unit it would then have), no part above its cap."""
    parts = [0] * len(weights)
    for _ in range(total):
        room = [
            i for i in range(len(weights)) if weights[i] and (caps is None or parts[i] < caps[i])
        ]
        if not room:
            raise ValueError(f"cannot split {total} over {weights} within {caps}")
        best = max(room, key=lambda i: (weights[i] / (parts[i] + 1), -i))
        parts[best] += 1
    return parts


def _shuffled(rng: random.Random, items: list) -> list:
    rng.shuffle(items)
    return items


def _by_date(row: Row) -> date:
    return row["referral_date"]


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


if __name__ == "__main__":
    sys.exit(main())
