from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.catalogue import CatalogueError, Indicator, filled_title, load_catalogue
from lscb_metrics.measures import MEASURES_FILE, Registry, load_registry

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
REGISTRY = load_registry(SCHEMAS / MEASURES_FILE)

CORE_IDS = {
    "referrals",
    "referral_rate",
    "rereferral_pct",
    "cp_plans",
    "cp_plan_rate",
    "cp_plan_starts",
    "cp_plan_start_rate",
    "assessments_within_45_days_pct",
    "assessments_within_local_target_pct",
    "training_pct",
    "child_deaths",
    "child_death_rate",
    "neonatal_death_rate",
    "road_ksi",
    "road_slight",
    "cin_rate",
    "s47_rate",
}


def test_shipped_catalogue_has_the_core_indicator_ids(project_root):
    ids = {i.id for i in load_catalogue(project_root / "schemas/indicators.yaml")}
    assert ids >= CORE_IDS


def test_every_catalogue_measure_comes_from_a_return_a_publication_or_a_board_record(project_root):
    for indicator in load_catalogue(project_root / "schemas/indicators.yaml"):
        for name in indicator.measures:
            measure = REGISTRY.measures[name]
            assert measure.returns or measure.published or measure.local, (
                f"{indicator.id}: {name} has no source"
            )


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(body)
    return path


def test_a_count_with_a_denominator_is_refused(tmp_path):
    path = write(
        tmp_path,
        """
indicators:
  - {id: x, title: X, numerator: referrals, denominator: referrals, multiplier: 1, unit: count,
     decimals: 0, polarity: no_judgement, measure_type: flow, subject: children}
""",
    )
    with pytest.raises(CatalogueError, match="indicator x: counts have multiplier 1"):
        load_catalogue(path, REGISTRY)


def test_an_unknown_polarity_is_refused(tmp_path):
    path = write(
        tmp_path,
        """
indicators:
  - {id: x, title: X, numerator: referrals, multiplier: 1, unit: count, decimals: 0,
     polarity: good, measure_type: flow, subject: children}
""",
    )
    with pytest.raises(CatalogueError, match="polarity 'good'"):
        load_catalogue(path, REGISTRY)


def test_a_new_indicator_needs_only_yaml(tmp_path):
    path = write(
        tmp_path,
        """
defaults: {comparators: [england]}
indicators:
  - {id: s47_per_referral, title: S47 per referral, numerator: section_47_enquiries,
     denominator: referrals, multiplier: 100, unit: "%", decimals: 1,
     polarity: no_judgement, measure_type: flow, subject: children}
""",
    )
    (indicator,) = load_catalogue(path, REGISTRY)
    assert indicator.measures == ("section_47_enquiries", "referrals")
    assert indicator.window_months == 12
    assert indicator.comparators == ("england",)


# --- checked against the measures registry: one line naming the file and line ----------------

REGISTRY_YAML = """\
roundings: {}
tables: {}
measures:
  referrals: {type: flow, returns: [{return: referrals, column: referrals}]}
  children_in_need: {type: snapshot, returns: [{return: referrals, column: children_in_need}]}
"""

RETURN_YAML = """\
return_type: referrals
columns:
  - {name: referrals, type: count, aggregation: flow}
  - {name: children_in_need, type: count, aggregation: AGGREGATION}
"""


def tiny_registry(tmp_path: Path, aggregation: str = "snapshot") -> Registry:
    """A two-measure registry with its one return declaration, written to `tmp_path`."""
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns/referrals.yaml").write_text(
        RETURN_YAML.replace("AGGREGATION", aggregation)
    )
    (tmp_path / MEASURES_FILE).write_text(REGISTRY_YAML)
    return load_registry(tmp_path / MEASURES_FILE)


def one_indicator(tmp_path: Path, **fields: str) -> Path:
    """indicators.yaml holding one flow count of referrals, `fields` replacing its lines."""
    lines = {
        "id": "x",
        "title": "X",
        "numerator": "referrals",
        "multiplier": "1",
        "unit": "count",
        "decimals": "0",
        "polarity": "no_judgement",
        "measure_type": "flow",
        "subject": "children",
        **fields,
    }
    body = "indicators:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in lines.items()) + "\n"
    return write(tmp_path, body)


def refusal(path: Path, registry: Registry) -> str:
    """The message load_catalogue refuses `path` with."""
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path, registry)
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("fields", "line", "says"),
    [
        ({"numerator": "referals"}, 4, "numerator 'referals' is not a measure in"),
        ({"published_value": "referral_pct"}, 11, "published_value 'referral_pct' is not a"),
        ({"breakdown": "agencies"}, 11, "breakdown 'agencies' is not one of"),
        ({"comparators": "[england, wales]"}, 11, "unknown comparators ['wales']"),
        ({"numerator": "children_in_need"}, 4, "measure_type is flow but numerator"),
        ({"report_period": "calendar_year"}, 11, "report_period 'calendar_year' is not one of"),
    ],
    ids=[
        "unknown measure",
        "unknown published value",
        "unknown breakdown",
        "unknown comparator",
        "flow/snapshot mismatch",
        "unknown report period",
    ],
)
def test_a_mistake_is_refused_in_one_line_naming_file_and_line(tmp_path, fields, line, says):
    registry = tiny_registry(tmp_path)
    message = refusal(one_indicator(tmp_path, **fields), registry)
    assert message.startswith(f"{tmp_path / 'indicators.yaml'}:{line}: indicator x: ")
    assert says in message


def test_a_flow_snapshot_mismatch_names_the_registry_line(tmp_path):
    registry = tiny_registry(tmp_path)
    message = refusal(one_indicator(tmp_path, numerator="children_in_need"), registry)
    assert f"children_in_need is snapshot ({tmp_path / MEASURES_FILE}:5)" in message


def test_a_return_aggregation_that_disagrees_is_refused_at_its_line(tmp_path):
    with pytest.raises(CatalogueError) as raised:
        tiny_registry(tmp_path, aggregation="flow")
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'returns/referrals.yaml'}:4: column children_in_need")
    assert f"{tmp_path / MEASURES_FILE}:5 declares measure children_in_need snapshot" in message


def test_the_declared_breakdown_decides_the_rows_an_indicator_takes():
    facts = pd.DataFrame({"breakdown": ["Total", "LA", "POL"], "value": [3.0, 1.0, 2.0]})
    fields = {
        "title": "T",
        "numerator": ("a",),
        "denominator": None,
        "multiplier": 1,
        "unit": "count",
        "decimals": 0,
        "polarity": "no_judgement",
        "measure_type": "snapshot",
        "window_months": 12,
        "comparators": (),
        "theme": "t",
        "published_value": None,
        "subject": "children",
    }
    total = Indicator(id="total", breakdown="total", **fields)
    agency = Indicator(id="agency", breakdown="agency", **fields)
    assert total.breakdown_rows(facts)["breakdown"].tolist() == ["Total"]
    assert agency.breakdown_rows(facts)["breakdown"].tolist() == ["LA", "POL"]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({}, "missing field 'subject' (whose counts these are: children, staff,"),
        ({"subject": "pupils"}, "subject 'pupils' is not one of ('children', 'staff',"),
    ],
    ids=["missing", "unknown"],
)
def test_every_indicator_says_whose_counts_it_holds(tmp_path, fields, says):
    registry = tiny_registry(tmp_path)
    path = one_indicator(tmp_path, **fields)
    if not fields:  # the helper writes subject: children; take it out
        path.write_text(path.read_text().replace("    subject: children\n", ""))
    message = refusal(path, registry)
    assert message.startswith(f"{path}:")
    assert says in message


def test_a_subject_in_defaults_does_not_stand_for_the_indicators_own(tmp_path):
    # A default would let a new indicator about money be suppressed, or one about children
    # published exactly, without anyone having said so.
    registry = tiny_registry(tmp_path)
    path = one_indicator(tmp_path)
    path.write_text(
        "defaults: {subject: children}\n" + path.read_text().replace("    subject: children\n", "")
    )
    assert "missing field 'subject'" in refusal(path, registry)


def test_the_shipped_catalogue_publishes_staff_counts_and_protects_childrens(project_root):
    catalogue = {i.id: i for i in load_catalogue(project_root / "schemas" / "indicators.yaml")}
    assert catalogue["training_pct"].subject == "staff"
    assert not catalogue["training_pct"].is_about_children
    assert catalogue["infant_deaths"].is_about_children


TARGET_TITLE = "Assessments within the local target of {assessment_working_days} working days (%)"


@pytest.mark.parametrize(
    ("targets", "title"),
    [
        (
            {"assessment_working_days": 40},
            "Assessments within the local target of 40 working days (%)",
        ),
        (
            {"assessment_working_days": "40 (Southend-on-Sea) or 45 (Thurrock)"},
            "Assessments within the local target of 40 (Southend-on-Sea) or 45 (Thurrock) working "
            "days (%)",
        ),
        # No one area's target (explain without --area, the catalogue of every board): plain
        # words, where the title showed the raw {assessment_working_days}.
        (None, "Assessments within the local target of the board's own number of working days (%)"),
    ],
)
def test_a_title_names_the_local_target_it_quotes(targets, title):
    assert filled_title(TARGET_TITLE, targets) == title
    assert filled_title("Referrals per 10,000 children", targets) == "Referrals per 10,000 children"


def test_an_indicator_follows_the_report_year_unless_kept_by_financial_year(tmp_path):
    registry = tiny_registry(tmp_path)
    [plain] = load_catalogue(one_indicator(tmp_path), registry)
    assert plain.report_period == "report_year"
    [kept] = load_catalogue(one_indicator(tmp_path, report_period="financial_year"), registry)
    assert kept.report_period == "financial_year"


def test_the_shipped_catalogue_keeps_child_deaths_and_the_boards_finance_by_financial_year(
    project_root,
):
    # The seed's report year runs October 2013 to September 2014, but it quotes child deaths
    # ("April 2013 to March 2014"), road casualties and hospital admissions ("2013-14") and its
    # finance ("April 2013 - March 2014") by financial year; children on a plan at September.
    catalogue = {i.id: i for i in load_catalogue(project_root / "schemas" / "indicators.yaml")}
    for kept in ("child_deaths", "road_ksi", "road_slight", "hospital_injury_admissions"):
        assert catalogue[kept].report_period == "financial_year", kept
    assert catalogue["board_expenditure"].report_period == "financial_year"
    for quarterly in ("cp_plans", "assessments_within_local_target_pct", "private_fostering"):
        assert catalogue[quarterly].report_period == "report_year", quarterly
