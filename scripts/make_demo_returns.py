"""Write the SYNTHETIC demo partner returns for Southend-on-Sea, 2012-13 Q1 to 2014-15 Q2.

Every file this script writes under data/raw/returns/ is made up. No record comes from any
agency's case system and there is no personal data: each return holds aggregate counts for one
agency and one financial quarter. The counts are not random either. They were chosen by hand so
that the pipeline, summing flow measures over whole quarters and reading snapshot measures at a
quarter end, reproduces the figures published in the seed document, the Southend LSCB annual report
October 2013 - September 2014 (referrals per 10,000, the share of referrals from family or the
public, the referral-to-assessment conversion rate, children on a child protection plan,
assessments within 40 working days, training rates per agency, child deaths, road casualties,
private fostering, children with a child in need plan and cases per social worker). Quarters
the report does not pin down follow a plausible path, guided by the
real DfE children-in-need figures for Southend (LA 882 / E06000033). `check_targets` asserts
every published figure before anything is written; data/raw/returns/README.md lists them.

Layout: data/raw/returns/<YYYY-YY-Qn>/<AGENCY>_<return_type>.<xlsx|csv>. The pipeline never reads
the file name, so each file states its return type, agency, area and period itself:
- XLSX (the SBC-CSC referrals, cp_plans, assessments and private_fostering returns): sheet "Cover"
  with a title in A1 and, from row 3, the cover field titles (schemas/cover.yaml) in column A and
  their values in column B, dates as Excel dates; sheet "Data" with the column titles of the
  return's schema in row 1 and the data from row 2.
- CSV (training, casework, child_deaths, road_injuries): UTF-8 without BOM, comma separated; the
  header is the cover field names then the data column names, and the cover values repeat on
  every row.

The output is deterministic, byte for byte (fixed timestamps inside the XLSX zip), so a file's
SHA-256 is stable. data/raw is read-only for the pipeline, so existing files are only replaced
with --force.

Usage: .venv/bin/python scripts/make_demo_returns.py [--force] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, partial
from pathlib import Path

import openpyxl
import yaml

from lscb_metrics.periods import Quarter
from lscb_metrics.xlsx import workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
DEFAULT_OUT = ROOT / "data" / "raw" / "returns"

LA_CODE = "E06000033"  # Southend-on-Sea (DfE LA number 882)
WORKBOOK_TITLE = "Southend LSCB partner return"
XLSX_TIME = datetime(2014, 10, 1, 9, 0, 0)  # fixed save time: reproducible bytes
XLSX_RETURNS = {"referrals", "cp_plans", "assessments", "private_fostering"}


QUARTERS = tuple(Quarter(2012 + i // 4, i % 4 + 1) for i in range(10))
# Index of each quarter in the series below:
#   0 2012-13 Q1  1 Q2  2 Q3  3 Q4 | 4 2013-14 Q1  5 Q2  6 Q3  7 Q4 | 8 2014-15 Q1  9 Q2
Y2012, Y2013 = range(0, 4), range(4, 8)  # 2012-13 and 2013-14, Q1-Q4
LAST_12_MONTHS = range(6, 10)  # 2013-14 Q3 to 2014-15 Q2, the report's year (Oct 2013-Sep 2014)
OCT_2013_TO_MAR_2014 = range(6, 8)
MAR_2013, SEP_2013, MAR_2014, SEP_2014 = 3, 5, 7, 9  # quarter ends the report quotes

Series = tuple[int, ...]

# --- SBC Children's Services: referrals (DfE: 1,722 referrals in 2012-13, 2,020 in 2013-14,
# 1,401 in 2014-15; section 47s 367, 448, 401; children in need at 31 March 1,058, 1,057, 1,024).
REFERRALS: dict[str, Series] = {
    "referrals": (441, 418, 452, 408, 468, 489, 516, 519, 384, 352),
    "rereferrals_within_12_months": (88, 86, 95, 84, 112, 121, 133, 136, 84, 76),
    "referrals_source_police": (128, 131, 127, 118, 139, 152, 149, 146, 108, 104),
    "referrals_source_schools": (86, 58, 94, 84, 96, 61, 108, 105, 79, 49),
    "referrals_source_health": (62, 66, 70, 61, 72, 75, 77, 81, 58, 55),
    "referrals_source_family_public": (36, 41, 38, 35, 44, 47, 43, 46, 37, 33),
    # referrals_source_other is the remainder, so the five sources add up to the referrals.
    "referrals_to_assessment": (371, 352, 389, 345, 392, 428, 480, 484, 357, 328),
    "section_47_enquiries": (86, 95, 97, 89, 102, 109, 118, 119, 104, 96),
    "children_in_need": (1102, 1087, 1073, 1058, 1066, 1049, 1074, 1057, 1043, 1036),
}

# --- Child protection plans: 75 at 31 March 2013, 163 at 31 March 2014, 161 at 30 September
# 2014, the rise coming through 2013-14 (DfE plan starts: 114 in 2012-13, 215 in 2013-14).
CP_PLANS_AT_31_MARCH_2012 = 85
CP_PLANS: dict[str, Series] = {
    "cp_plans_at_end": (82, 78, 71, 75, 92, 118, 141, 163, 168, 161),
    "cp_plans_neglect": (33, 32, 29, 31, 39, 50, 61, 71, 72, 69),
    "cp_plans_physical": (9, 8, 8, 8, 10, 13, 14, 16, 17, 16),
    "cp_plans_emotional": (28, 26, 24, 25, 30, 39, 47, 54, 57, 55),
    "cp_plans_sexual": (5, 5, 4, 5, 5, 6, 7, 8, 8, 8),
    # cp_plans_multiple is the remainder, so the categories add up to the plans at the end.
    "cp_plans_two_years_or_more": (3, 4, 3, 2, 2, 3, 2, 2, 3, 3),
    "cp_plan_starts": (27, 26, 30, 31, 45, 56, 58, 56, 58, 51),
    "cp_plan_starts_subsequent": (3, 4, 4, 4, 6, 8, 9, 7, 9, 8),
    # cp_plans_ended follows from the stock: previous end + starts - this end.
}

# --- Assessments: local target 40 working days; a backlog in the First Contact Service in
# April-July 2013 hit timeliness, which recovered from the autumn of 2013.
ASSESSMENTS: dict[str, Series] = {
    "assessments_completed": (362, 358, 371, 352, 341, 448, 472, 489, 371, 336),
    "assessments_within_local_target": (309, 311, 322, 300, 197, 285, 421, 452, 349, 314),
    "assessments_within_45_days": (331, 329, 340, 322, 236, 331, 440, 466, 358, 323),
    "local_target_days": (40,) * 10,
}

# --- Private fostering arrangements known at the quarter end: historically 4-5; 7 at 30 Sep
# 2013 and 10 at 30 Sep 2014 after a dedicated worker and awareness raising.
PRIVATE_FOSTERING: dict[str, Series] = {
    "private_fostering_arrangements": (4, 5, 4, 5, 5, 7, 8, 8, 9, 10),
}

# --- SBC Children's Services casework: 525 children with a child in need plan and caseloads of
# 15.1 children per social worker ("the lowest since 2007") at 30 September 2014, caseloads
# falling through the year as the report says.
CASEWORK: dict[str, Series] = {
    "cases_allocated": (1090, 1075, 1060, 1052, 1071, 1063, 1049, 1040, 1035, 1027),
    "cin_plans_at_end": (548, 541, 536, 529, 538, 533, 527, 521, 530, 525),
    "social_workers": (62, 62, 63, 64, 64, 65, 66, 67, 67, 68),
}

# --- SET Child Death Overview Panel, Southend residents. 2013-14: 9 deaths, 5 under one year of
# which 1 neonatal (0.4 per 1,000 live births), 3 reviews with modifiable factors.
CHILD_DEATHS: dict[str, Series] = {
    "deaths_neonatal": (1, 0, 2, 1, 0, 1, 0, 0, 1, 0),
    "deaths_post_neonatal": (1, 0, 1, 0, 1, 1, 1, 1, 0, 1),
    "deaths_1_to_17": (1, 1, 0, 2, 1, 2, 0, 1, 1, 1),
    "reviews_completed": (2, 3, 1, 3, 3, 2, 3, 2, 3, 2),
    "reviews_modifiable_factors": (0, 1, 0, 1, 1, 0, 1, 1, 1, 0),
    "live_births": (612, 634, 597, 571, 598, 621, 604, 583, 603, 629),
}

# --- SBC Road Safety (STATS19, children 0-15): killed or seriously injured 8 in 2012-13 and 6
# in 2013-14; slightly injured 50 and 62.
ROAD_INJURIES: dict[str, Series] = {
    "children_killed": (0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    "children_seriously_injured": (2, 2, 1, 2, 1, 2, 2, 1, 2, 1),
    "children_slightly_injured": (12, 16, 11, 11, 14, 18, 16, 14, 15, 17),
}


# --- seed-reference: Southend Hospital's injury admissions (children and young people admitted
# for unintentional or deliberate injuries): 49 in 2012-13 and 78 in 2013-14; in 2013-14, 37
# poisonings by substance misuse or overdose/self-harm at 12 or over and 7 accidental poisonings
# of young children.
INJURY_ADMISSIONS: dict[str, Series] = {
    "injury_admissions": (11, 13, 12, 13, 17, 19, 21, 21, 20, 18),
    "admissions_self_poisoning": (5, 6, 5, 6, 8, 9, 10, 10, 9, 8),
    "admissions_accidental_poisoning": (2, 1, 2, 1, 2, 1, 2, 2, 2, 1),
}

# The SET CDOP's Southend returns before the report's years, 2009-10 Q1 to 2011-12 Q4, for the
# 2-year pooled child death rate of 2009-11 (April 2009 to March 2011): 25 deaths over the
# board's mid-2009 and mid-2010 child populations (data/raw/local/southend/local_population.csv)
# give 34.1 per 100,000; 2012-14's 19 deaths give 25.3, the report's fall of 26%.
EARLY_QUARTERS = tuple(Quarter(2009 + i // 4, i % 4 + 1) for i in range(12))
EARLY_CHILD_DEATHS: dict[str, Series] = {
    "deaths_neonatal": (1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1),
    "deaths_post_neonatal": (1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0),
    "deaths_1_to_17": (1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 0, 1),
    "reviews_completed": (2, 3, 2, 3, 2, 3, 2, 3, 3, 2, 2, 3),
    "reviews_modifiable_factors": (1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1),
    "live_births": (598, 611, 589, 575, 602, 617, 596, 580, 601, 622, 605, 588),
}
# Children aged 0-17 the board used for mid-2009 and mid-2010 (local_population.csv).
EARLY_POPULATION_0_17 = {2009: 36520, 2010: 36700}
DEATHS = ("deaths_neonatal", "deaths_post_neonatal", "deaths_1_to_17")


@dataclass(frozen=True)
class TrainingProfile:
    """One agency's training return: staff needing training, split over levels, and % in date.

    `levels` maps each training level the agency reports to (share of staff, relative rate of
    being in date); `required` is the staff needing training and `pct` the % trained and in date
    at each quarter end. Trained = required x pct, rounded half up, split over the levels.
    """

    levels: dict[str, tuple[float, float]]
    required: Series
    pct: tuple[float, ...]


# Published (seed) rates: 31 March 2014 (index 7) for SUH, ECFRS, SCHOOLS, DENTAL, ESSEX-POLICE,
# SBC-CSC and SBC-IYSS; 30 September 2014 (index 9) for ECRC, SEPT, GP, SEH and SBC-EY.
TRAINING: dict[str, TrainingProfile] = {
    "SBC-CSC": TrainingProfile(
        {"level_2": (0.30, 1.00), "level_3": (0.65, 0.99), "level_4": (0.05, 1.00)},
        (382, 385, 388, 390, 392, 395, 398, 400, 404, 407),
        (91.3, 92.0, 92.6, 93.1, 91.8, 92.5, 93.8, 95.0, 94.6, 95.3),
    ),
    "SBC-IYSS": TrainingProfile(
        {"level_1": (0.20, 1.00), "level_2": (0.55, 1.00), "level_3": (0.25, 0.99)},
        (214, 212, 210, 208, 206, 204, 202, 200, 199, 198),
        (96.8, 97.2, 97.9, 98.3, 98.6, 98.9, 99.2, 99.5, 99.5, 99.0),
    ),
    "SBC-EY": TrainingProfile(
        {"level_1": (0.70, 1.00), "level_2": (0.253, 0.98), "level_4": (0.047, 1.05)},
        (1452, 1458, 1463, 1470, 1474, 1480, 1486, 1490, 1495, 1500),
        (86.2, 86.9, 87.5, 88.1, 88.6, 89.0, 89.5, 89.9, 90.3, 90.7),
    ),
    "SCHOOLS": TrainingProfile(
        {"level_1": (0.853, 1.00), "level_2": (0.126, 0.99), "level_3": (0.021, 1.01)},
        (4380, 4392, 4401, 4410, 4420, 4431, 4446, 4455, 4462, 4470),
        (95.1, 95.6, 96.0, 96.4, 96.9, 97.2, 97.7, 98.2, 97.9, 98.0),
    ),
    "SUH": TrainingProfile(
        {
            "level_1": (0.525, 1.01),
            "level_2": (0.36, 0.99),
            "level_3": (0.113, 0.98),
            "level_4": (0.002, 1.10),
        },
        (3921, 3948, 3960, 3972, 3985, 3990, 3996, 4000, 4012, 4025),
        (84.2, 85.0, 86.1, 86.8, 87.5, 88.3, 89.1, 90.0, 90.4, 91.2),
    ),
    "SEPT": TrainingProfile(
        {"level_1": (0.38, 1.00), "level_2": (0.42, 1.00), "level_3": (0.20, 0.99)},
        (968, 972, 975, 980, 984, 988, 992, 995, 998, 1000),
        (95.2, 95.8, 96.3, 96.9, 97.4, 97.8, 98.2, 98.5, 98.7, 99.0),
    ),
    "GP": TrainingProfile(
        {"level_3": (1.0, 1.0)},
        (120, 120, 120, 120, 120, 119, 120, 120, 120, 120),
        (88.3, 90.0, 91.7, 93.3, 94.2, 95.8, 96.7, 97.5, 99.2, 100.0),
    ),
    "DENTAL": TrainingProfile(
        {"level_1": (0.58, 1.02), "level_2": (0.42, 0.97)},
        (198, 199, 201, 202, 203, 204, 205, 206, 207, 209),
        (38.2, 39.5, 41.0, 42.8, 44.6, 46.1, 48.3, 50.5, 53.9, 57.2),
    ),
    "ESSEX-POLICE": TrainingProfile(
        {"level_1": (0.686, 1.03), "level_2": (0.314, 0.93)},
        (3560, 3548, 3540, 3531, 3522, 3515, 3508, 3500, 3492, 3486),
        (66.4, 67.8, 68.5, 69.9, 70.8, 71.6, 72.4, 73.5, 74.2, 75.3),
    ),
    "ECRC": TrainingProfile(
        {"level_1": (0.24, 1.00), "level_2": (0.48, 1.00), "level_3": (0.28, 0.99)},
        (262, 260, 259, 257, 256, 255, 253, 252, 251, 250),
        (93.0, 93.4, 94.1, 94.6, 95.0, 95.7, 96.2, 96.8, 97.1, 97.6),
    ),
    "ECFRS": TrainingProfile(
        {"level_1": (0.80, 1.01), "level_2": (0.20, 0.96)},
        (812, 808, 806, 804, 803, 801, 800, 800, 796, 794),
        (85.5, 86.0, 86.9, 87.3, 88.0, 88.6, 89.2, 90.0, 90.6, 91.1),
    ),
    "SEH": TrainingProfile(
        {"level_1": (0.73, 1.02), "level_2": (0.27, 0.95)},
        (288, 290, 291, 293, 294, 295, 296, 297, 298, 300),
        (68.0, 69.5, 70.8, 72.1, 73.4, 74.5, 75.9, 77.0, 78.1, 79.0),
    ),
}

# Children aged 0-17, mid-2012 and mid-2013: the denominators of the report's referral rates.
POPULATION_0_17 = {2012: 37595, 2013: 37617}


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (publication rounding)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: int, multiplier: int, places: int = 1) -> Decimal:
    """numerator / denominator x multiplier, rounded half away from zero."""
    return round_half_up(Decimal(numerator) * multiplier / Decimal(denominator), places)


def apportion(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder, ties to the first), each
    part at most its cap."""
    caps = list(caps) if caps is not None else [total] * len(weights)
    parts = [0] * len(weights)
    open_ = [i for i, cap in enumerate(caps) if cap > 0]
    left = total
    while left > 0:
        weight_sum = sum(weights[i] for i in open_)
        shares = {i: left * weights[i] / weight_sum for i in open_}
        floors = {i: min(int(shares[i]), caps[i] - parts[i]) for i in open_}
        for i in open_:
            parts[i] += floors[i]
        left -= sum(floors.values())
        by_remainder = sorted(open_, key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in by_remainder:
            if left and parts[i] < caps[i]:
                parts[i] += 1
                left -= 1
        open_ = [i for i in open_ if parts[i] < caps[i]]
        if left and not open_:
            raise ValueError(f"cannot split {total} within caps {caps}")
    return parts


def series_row(table: dict[str, Series], index: int) -> dict[str, int]:
    """The quarter `index` of a column table as one row."""
    return {name: values[index] for name, values in table.items()}


# --- the data rows of each return for quarter `index` ---------------------------------------


def referrals_rows(index: int) -> list[dict[str, int]]:
    row = series_row(REFERRALS, index)
    named = (
        "referrals_source_police",
        "referrals_source_schools",
        "referrals_source_health",
        "referrals_source_family_public",
    )
    row["referrals_source_other"] = row["referrals"] - sum(row[n] for n in named)
    return [row]


def cp_plans_rows(index: int) -> list[dict[str, int]]:
    row = series_row(CP_PLANS, index)
    single = ("cp_plans_neglect", "cp_plans_physical", "cp_plans_emotional", "cp_plans_sexual")
    row["cp_plans_multiple"] = row["cp_plans_at_end"] - sum(row[n] for n in single)
    previous = CP_PLANS["cp_plans_at_end"][index - 1] if index else CP_PLANS_AT_31_MARCH_2012
    row["cp_plans_ended"] = previous + row["cp_plan_starts"] - row["cp_plans_at_end"]
    return [row]


def table_rows(table: dict[str, Series], index: int) -> list[dict[str, int]]:
    """The one data row of a return that is its column table at quarter `index`."""
    return [series_row(table, index)]


def training_rows(agency: str, index: int) -> list[dict[str, int | str]]:
    """One row per training level the agency reports; trained never exceeds required."""
    profile = TRAINING[agency]
    levels = list(profile.levels)
    shares = [profile.levels[level][0] for level in levels]
    required = apportion(profile.required[index], shares)
    pct = Decimal(str(profile.pct[index]))
    trained_total = int(round_half_up(profile.required[index] * pct / 100, places=0))
    weights = [r * profile.levels[level][1] for r, level in zip(required, levels, strict=True)]
    trained = apportion(trained_total, weights, caps=required)
    return [
        {"training_level": level, "staff_requiring_training": r, "staff_trained_in_date": t}
        for level, r, t in zip(levels, required, trained, strict=True)
    ]


# --- the published figures ------------------------------------------------------------------


def _total(table: dict[str, Series], names: Sequence[str], quarters: range) -> int:
    return sum(table[name][i] for name in names for i in quarters)


def death_rate_change() -> Decimal:
    """% change in the 2-year pooled child death rate per 100,000 from 2009-11 to 2012-14,
    rounded to a whole per cent (the report's precision)."""
    early = _total(EARLY_CHILD_DEATHS, DEATHS, range(0, 8))
    late = _total(CHILD_DEATHS, DEATHS, range(0, 8))
    early_rate = Decimal(early) * 100000 / sum(EARLY_POPULATION_0_17.values())
    late_rate = Decimal(late) * 100000 / (POPULATION_0_17[2012] + POPULATION_0_17[2013])
    return round_half_up((late_rate - early_rate) / early_rate * 100, places=0)


def training_pct(agency: str, index: int) -> Decimal:
    rows = training_rows(agency, index)
    trained = sum(int(r["staff_trained_in_date"]) for r in rows)
    return rate(trained, sum(int(r["staff_requiring_training"]) for r in rows), 100)


def check_targets() -> list[str]:
    """Each published figure the demo must reproduce, recomputed; the list of mismatches."""
    referrals = REFERRALS["referrals"]
    checks: list[tuple[str, object, object]] = [
        ("referrals 2012-13", sum(referrals[i] for i in Y2012), 1719),
        ("referrals 2013-14", sum(referrals[i] for i in Y2013), 1992),
        (
            "referrals per 10,000, 2012-13",
            rate(sum(referrals[i] for i in Y2012), POPULATION_0_17[2012], 10000),
            Decimal("457.2"),
        ),
        (
            "referrals per 10,000, 2013-14",
            rate(sum(referrals[i] for i in Y2013), POPULATION_0_17[2013], 10000),
            Decimal("529.5"),
        ),
        (
            "family or public % Oct 2013-Mar 2014",
            rate(
                _total(REFERRALS, ["referrals_source_family_public"], OCT_2013_TO_MAR_2014),
                _total(REFERRALS, ["referrals"], OCT_2013_TO_MAR_2014),
                100,
            ),
            Decimal("8.6"),
        ),
        (
            "referral to assessment % Oct 2013-Sep 2014",
            rate(
                _total(REFERRALS, ["referrals_to_assessment"], LAST_12_MONTHS),
                _total(REFERRALS, ["referrals"], LAST_12_MONTHS),
                100,
            ),
            Decimal("93.1"),
        ),
        ("CP plans 31 Mar 2013", CP_PLANS["cp_plans_at_end"][MAR_2013], 75),
        ("CP plans 31 Mar 2014", CP_PLANS["cp_plans_at_end"][MAR_2014], 163),
        ("CP plans 30 Sep 2014", CP_PLANS["cp_plans_at_end"][SEP_2014], 161),
        (
            "assessments within 40 days % Oct 2013-Sep 2014",
            rate(
                _total(ASSESSMENTS, ["assessments_within_local_target"], LAST_12_MONTHS),
                _total(ASSESSMENTS, ["assessments_completed"], LAST_12_MONTHS),
                100,
            ),
            Decimal("92.1"),
        ),
        (
            "private fostering 30 Sep 2013",
            PRIVATE_FOSTERING["private_fostering_arrangements"][SEP_2013],
            7,
        ),
        (
            "private fostering 30 Sep 2014",
            PRIVATE_FOSTERING["private_fostering_arrangements"][SEP_2014],
            10,
        ),
        (
            "children with a child in need plan 30 Sep 2014",
            CASEWORK["cin_plans_at_end"][SEP_2014],
            525,
        ),
        (
            "cases per social worker 30 Sep 2014",
            rate(CASEWORK["cases_allocated"][SEP_2014], CASEWORK["social_workers"][SEP_2014], 1),
            Decimal("15.1"),
        ),
        (
            "child deaths 2013-14",
            _total(
                CHILD_DEATHS, ["deaths_neonatal", "deaths_post_neonatal", "deaths_1_to_17"], Y2013
            ),
            9,
        ),
        (
            "infant deaths 2013-14",
            _total(CHILD_DEATHS, ["deaths_neonatal", "deaths_post_neonatal"], Y2013),
            5,
        ),
        (
            "neonatal deaths per 1,000 live births 2013-14",
            rate(
                _total(CHILD_DEATHS, ["deaths_neonatal"], Y2013),
                _total(CHILD_DEATHS, ["live_births"], Y2013),
                1000,
            ),
            Decimal("0.4"),
        ),
        (
            "reviews with modifiable factors 2013-14",
            _total(CHILD_DEATHS, ["reviews_modifiable_factors"], Y2013),
            3,
        ),
        (
            "road KSI 2012-13",
            _total(ROAD_INJURIES, ["children_killed", "children_seriously_injured"], Y2012),
            8,
        ),
        (
            "road KSI 2013-14",
            _total(ROAD_INJURIES, ["children_killed", "children_seriously_injured"], Y2013),
            6,
        ),
        ("road slight 2012-13", _total(ROAD_INJURIES, ["children_slightly_injured"], Y2012), 50),
        ("road slight 2013-14", _total(ROAD_INJURIES, ["children_slightly_injured"], Y2013), 62),
        ("injury admissions 2012-13", _total(INJURY_ADMISSIONS, ["injury_admissions"], Y2012), 49),
        ("injury admissions 2013-14", _total(INJURY_ADMISSIONS, ["injury_admissions"], Y2013), 78),
        (
            "self-harm or substance poisoning admissions 2013-14",
            _total(INJURY_ADMISSIONS, ["admissions_self_poisoning"], Y2013),
            37,
        ),
        (
            "accidental poisoning admissions 2013-14",
            _total(INJURY_ADMISSIONS, ["admissions_accidental_poisoning"], Y2013),
            7,
        ),
        ("change in the 2-year child death rate, 2009-11 to 2012-14 (%)", death_rate_change(), -26),
    ]
    published_training = {
        ("SUH", MAR_2014): "90.0",
        ("ECFRS", MAR_2014): "90.0",
        ("SCHOOLS", MAR_2014): "98.2",
        ("DENTAL", MAR_2014): "50.5",
        ("ESSEX-POLICE", MAR_2014): "73.5",
        ("SBC-CSC", MAR_2014): "95.0",
        ("SBC-IYSS", MAR_2014): "99.5",
        ("ECRC", SEP_2014): "97.6",
        ("SEPT", SEP_2014): "99.0",
        ("GP", SEP_2014): "100.0",
        ("SEH", SEP_2014): "79.0",
        ("SBC-EY", SEP_2014): "90.7",
    }
    for (agency, index), expected in published_training.items():
        checks.append(
            (
                f"training % {agency} {QUARTERS[index].cli_name}",
                training_pct(agency, index),
                Decimal(expected),
            )
        )
    return [f"{name}: got {got}, expected {want}" for name, got, want in checks if got != want]


# --- writing -----------------------------------------------------------------------------------


@cache
def load_yaml(path: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when built with libyaml
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def cover_fields() -> list[dict]:
    return load_yaml(SCHEMAS / "cover.yaml")["fields"]


def return_columns(return_type: str) -> list[dict]:
    return load_yaml(SCHEMAS / "returns" / f"{return_type}.yaml")["columns"]


@dataclass(frozen=True)
class Return:
    """One file to write: which return, from which agency, for which quarter."""

    return_type: str
    agency: str
    index: int
    early: bool = False  # a quarter of EARLY_QUARTERS (child deaths only)

    @property
    def quarter(self) -> Quarter:
        return (EARLY_QUARTERS if self.early else QUARTERS)[self.index]

    @property
    def relative_path(self) -> Path:
        suffix = "xlsx" if self.return_type in XLSX_RETURNS else "csv"
        return Path(self.quarter.cli_name) / f"{self.agency}_{self.return_type}.{suffix}"

    def cover(self) -> dict[str, object]:
        return {
            "return_type": self.return_type,
            "agency_code": self.agency,
            "la_code": LA_CODE,
            "period_start": self.quarter.start,
            "period_end": self.quarter.end,
        }

    def rows(self) -> list[dict]:
        if self.return_type == "training":
            rows = training_rows(self.agency, self.index)
        elif self.early:
            rows = table_rows(EARLY_CHILD_DEATHS, self.index)
        else:
            rows = ROW_FUNCTIONS[self.return_type](self.index)
        expected = [c["name"] for c in return_columns(self.return_type)]
        for row in rows:
            if set(row) != set(expected):
                raise ValueError(f"{self.relative_path}: columns {sorted(row)} != {expected}")
        return [{name: row[name] for name in expected} for row in rows]


ROW_FUNCTIONS = {
    "referrals": referrals_rows,
    "cp_plans": cp_plans_rows,
    "assessments": partial(table_rows, ASSESSMENTS),
    "private_fostering": partial(table_rows, PRIVATE_FOSTERING),
    "casework": partial(table_rows, CASEWORK),
    "child_deaths": partial(table_rows, CHILD_DEATHS),
    "road_injuries": partial(table_rows, ROAD_INJURIES),
    "injury_admissions": partial(table_rows, INJURY_ADMISSIONS),
}
SENDERS = {
    "referrals": "SBC-CSC",
    "cp_plans": "SBC-CSC",
    "assessments": "SBC-CSC",
    "private_fostering": "SBC-CSC",
    "casework": "SBC-CSC",
    "child_deaths": "SET-CDOP",
    "road_injuries": "SBC-ROAD",
    "injury_admissions": "SUH",
}


def all_returns() -> list[Return]:
    """Every return of every quarter, in the Southend board profile's agency order."""
    agencies = load_yaml(SCHEMAS / "boards" / "southend" / "board.yaml")["agencies"]
    trainers = [a["code"] for a in agencies if "training" in a["returns"]]
    if set(trainers) != set(TRAINING):
        raise ValueError(f"the board profile's training agencies {trainers} != {sorted(TRAINING)}")
    returns = [
        Return("child_deaths", SENDERS["child_deaths"], index, early=True)
        for index in range(len(EARLY_QUARTERS))
    ]
    for index in range(len(QUARTERS)):
        for agency in agencies:
            for return_type in agency["returns"]:
                if return_type != "training" and SENDERS.get(return_type) != agency["code"]:
                    raise ValueError(f"no demo data for {agency['code']} {return_type}")
                returns.append(Return(return_type, agency["code"], index))
    return returns


def xlsx_bytes(item: Return) -> bytes:
    """The return as a workbook with a Cover and a Data sheet, byte-for-byte reproducible."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover["A1"] = WORKBOOK_TITLE
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 16
    values = item.cover()
    for row, field in enumerate(cover_fields(), start=3):
        cover.cell(row=row, column=1, value=field["title"])
        cell = cover.cell(row=row, column=2, value=values[field["name"]])
        if isinstance(values[field["name"]], date):
            cell.number_format = "dd/mm/yyyy"
    data = workbook.create_sheet("Data")
    columns = return_columns(item.return_type)
    for col, column in enumerate(columns, start=1):
        data.cell(row=1, column=col, value=column["title"])
        data.column_dimensions[openpyxl.utils.get_column_letter(col)].width = 18
    for row, record in enumerate(item.rows(), start=2):
        for col, column in enumerate(columns, start=1):
            data.cell(row=row, column=col, value=record[column["name"]])
    workbook.properties.creator = "scripts/make_demo_returns.py"
    return workbook_bytes(workbook, XLSX_TIME)


def csv_bytes(item: Return) -> bytes:
    """The return as CSV: cover field names then data column names; cover repeated per row."""
    names = [f["name"] for f in cover_fields()]
    cover = {k: v.isoformat() if isinstance(v, date) else v for k, v in item.cover().items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = item.rows()
    writer.writerow(names + list(rows[0]))
    for row in rows:
        writer.writerow([cover[n] for n in names] + list(row.values()))
    return buffer.getvalue().encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace files that already exist")
    args = parser.parse_args(argv)

    mismatches = check_targets()
    if mismatches:
        print("demo data no longer reproduces the seed figures:", *mismatches, sep="\n  ")
        return 1
    returns = all_returns()
    existing = [r.relative_path for r in returns if (args.out / r.relative_path).exists()]
    if existing and not args.force:
        print(
            f"refusing to overwrite {len(existing)} existing file(s) under {args.out} "
            f"(e.g. {existing[0]}): data/raw is read-only for the pipeline; use --force",
            file=sys.stderr,
        )
        return 2
    for item in returns:
        path = args.out / item.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(xlsx_bytes(item) if path.suffix == ".xlsx" else csv_bytes(item))
    print(f"wrote {len(returns)} synthetic returns for {len(QUARTERS)} quarters to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
