"""lscb_metrics: partner returns to published safeguarding-children performance figures."""

__version__ = "0.3.0"
