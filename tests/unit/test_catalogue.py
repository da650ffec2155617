from pathlib import Path

import pytest

from lscb_metrics.catalogue import CatalogueError, load_catalogue

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


def test_every_catalogue_measure_is_a_return_column_or_published(project_root):
    import yaml

    columns = {
        column["name"]
        for path in (project_root / "schemas/returns").glob("*.yaml")
        for column in yaml.safe_load(path.read_text())["columns"]
    }
    for indicator in load_catalogue(project_root / "schemas/indicators.yaml"):
        unknown = set(indicator.measures) - columns - {"population_0_17"}
        assert not unknown, f"{indicator.id} reads unknown measures {unknown}"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(body)
    return path


def test_a_count_with_a_denominator_is_refused(tmp_path):
    path = write(
        tmp_path,
        """
indicators:
  - {id: x, title: X, numerator: a, denominator: b, multiplier: 1, unit: count, decimals: 0,
     polarity: no_judgement, measure_type: flow}
""",
    )
    with pytest.raises(CatalogueError, match="indicator x: counts have multiplier 1"):
        load_catalogue(path)


def test_an_unknown_polarity_is_refused(tmp_path):
    path = write(
        tmp_path,
        """
indicators:
  - {id: x, title: X, numerator: a, multiplier: 1, unit: count, decimals: 0,
     polarity: good, measure_type: flow}
""",
    )
    with pytest.raises(CatalogueError, match="polarity 'good'"):
        load_catalogue(path)


def test_a_new_indicator_needs_only_yaml(tmp_path):
    path = write(
        tmp_path,
        """
defaults: {comparators: [england]}
indicators:
  - {id: s47_per_referral, title: S47 per referral, numerator: section_47_enquiries,
     denominator: referrals, multiplier: 100, unit: "%", decimals: 1,
     polarity: no_judgement, measure_type: flow}
""",
    )
    (indicator,) = load_catalogue(path)
    assert indicator.measures == ("section_47_enquiries", "referrals")
    assert indicator.window_months == 12
    assert indicator.comparators == ("england",)
