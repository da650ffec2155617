"""What report writers and analysts open: open-data exports, the report workbook, the scorecard
and its charts, partner return templates and the warehouse data dictionary, all written from the
warehouse read-only."""

from lscb_metrics.publish.dictionary import write_data_dictionary
from lscb_metrics.publish.exports import write_exports
from lscb_metrics.publish.scorecard import ScorecardError, write_scorecard
from lscb_metrics.publish.templates import write_template, write_templates
from lscb_metrics.publish.workbook import write_workbook

__all__ = [
    "ScorecardError",
    "write_data_dictionary",
    "write_exports",
    "write_scorecard",
    "write_template",
    "write_templates",
    "write_workbook",
]
