# Two entry points for a fresh machine with Python 3.11 and make: `make demo`, `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PERIOD ?= 2014-15-Q2

# Offline and private: no telemetry, Prefect state kept inside the project.
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export GX_ANALYTICS_ENABLED := false
export PREFECT_HOME := $(CURDIR)/.prefect

.PHONY: install demo test lint format schedule benchmark benchmark-runs benchmark-many-files browsers clean

# The version is declared in the package (pyproject reads it): a new one installs again.
$(BIN)/.installed: pyproject.toml requirements.lock src/lscb_metrics/__init__.py
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@# An editable install leaves the project's own modules uncompiled; compiled once here, they
	@# are not compiled again by every run where PYTHONDONTWRITEBYTECODE is set (as in CI).
	$(BIN)/python -m compileall -q src flows
	@touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/lscb-metrics run --period $(PERIOD)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src flows tests benchmarks
	$(BIN)/ruff format --check src flows tests benchmarks

format: install
	$(BIN)/ruff format src flows tests benchmarks
	$(BIN)/ruff check --fix src flows tests benchmarks

schedule: install
	$(BIN)/lscb-metrics schedule

# The national-scale case-list benchmark (10 years, 150 authorities; a few minutes with generation).
benchmark: install
	$(BIN)/python benchmarks/bench_case_lists.py

# Runs with ten years of history of three boards behind them (about 10 min here): first run, the
# next quarter's, a 1-year control.
benchmark-runs: install
	$(BIN)/python benchmarks/bench_runs.py

# A returns folder of 2,000 small files: a run beside `lscb-metrics validate` on the same files.
benchmark-many-files: install
	$(BIN)/python benchmarks/bench_many_files.py

# Chromium, LibreOffice (Calc, Writer) and poppler for the browser, workbook and report tests
# (Debian; run as root).
browsers:
	apt-get update && apt-get install -y chromium libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils

clean:
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.wal data/warehouse.duckdb.lock data/.staging data/.published-cache data/logs .prefect
	find data/curated -mindepth 1 ! -name .gitkeep -delete
