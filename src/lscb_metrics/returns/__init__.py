"""Partner returns: declarations, reading, validation and conversion to facts."""

from lscb_metrics.returns.facts import return_facts
from lscb_metrics.returns.read import (
    CoverConflict,
    Locations,
    RawReturn,
    Repeat,
    read_return,
)
from lscb_metrics.returns.report import (
    ReportSummary,
    report_summary,
    report_text,
    write_validation_report,
)
from lscb_metrics.returns.spec import (
    Agency,
    ColumnSpec,
    CoverField,
    ReturnSpec,
    load_cover_fields,
    load_return_specs,
)
from lscb_metrics.returns.validate import (
    AreaLookup,
    Cover,
    ValidationResult,
    return_schema,
    validate_file,
    validate_return,
)

__all__ = [
    "Agency",
    "AreaLookup",
    "ColumnSpec",
    "Cover",
    "CoverConflict",
    "CoverField",
    "Locations",
    "RawReturn",
    "Repeat",
    "ReportSummary",
    "ReturnSpec",
    "ValidationResult",
    "load_cover_fields",
    "load_return_specs",
    "read_return",
    "report_summary",
    "report_text",
    "return_facts",
    "return_schema",
    "validate_file",
    "validate_return",
    "write_validation_report",
]
