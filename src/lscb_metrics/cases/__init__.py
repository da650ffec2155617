"""Case-level lists: children's records, pseudonymised as they are read, reduced to facts."""

from lscb_metrics.cases.ingest import (
    CaseResult,
    derive_case_facts,
    failures_frame,
    write_case_warehouse,
    write_failure_report,
)
from lscb_metrics.cases.pseudonymise import load_pseudonymisation_key, pseudonym
from lscb_metrics.cases.spec import CaseListSpec, load_case_specs
from lscb_metrics.cases.stage import DEFAULT_LOCAL_TARGET_DAYS

__all__ = [
    "DEFAULT_LOCAL_TARGET_DAYS",
    "CaseListSpec",
    "CaseResult",
    "derive_case_facts",
    "failures_frame",
    "load_case_specs",
    "load_pseudonymisation_key",
    "pseudonym",
    "write_case_warehouse",
    "write_failure_report",
]
