"""Prefect flows for lscb_metrics: orchestration only; the work lives in src/lscb_metrics."""
