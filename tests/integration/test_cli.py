"""The lscb-metrics command: exit codes and messages, never a traceback."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import lscb_metrics
from lscb_metrics import prefect_server
from lscb_metrics.cli import main

PROJECT = Path(__file__).resolve().parents[2]
DEMO = PROJECT / "data/raw/returns/2014-15-Q2"


def test_a_valid_return_exits_0(capsys):
    assert main(["validate", str(DEMO / "SBC-CSC_referrals.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "Verdict:     accepted" in out and "Errors:      0" in out


def test_an_invalid_return_exits_1_and_names_the_cell(tmp_path, capsys):
    path = shutil.copy(DEMO / "SBC-CSC_referrals.xlsx", tmp_path / "referrals.xlsx")
    book = openpyxl.load_workbook(path)
    book["Data"]["A2"] = -3  # referrals received cannot be negative
    book.save(path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "VAL-002" in out and "Data!A2" in out
    assert "Verdict:     rejected" in out


def test_a_file_that_is_not_a_return_exits_2(tmp_path, capsys):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a spreadsheet")
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert "cannot be read as a return" in captured.err
    assert "RET-001" in captured.out
    assert "Traceback" not in captured.err + captured.out


def test_an_unreadable_files_terminal_hostile_name_is_shown_escaped(tmp_path, capsys):
    # A partner names the file: an escape sequence would act on the terminal, and a line break
    # would forge a line of the output.
    path = tmp_path / "notes \x1b[2J\nRET-000 all files valid.xlsx"
    path.write_text("this is not a spreadsheet")
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out
    assert captured.err.startswith("notes \\x1b[2J\\nRET-000 all files valid.xlsx cannot be read")
    assert captured.err.count("\n") == 1


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("period", ["2014-16-Q2", "Q2", "2014-15-Q5"])
def test_a_mistyped_period_exits_2_with_the_spelling_to_use(period, capsys):
    assert main(["run", "--period", period]) == 2
    err = capsys.readouterr().err
    assert "write it like 2014-15-Q2" in err or "not a financial year" in err
    assert "Traceback" not in err


def test_a_period_outside_the_data_exits_2(capsys):
    assert main(["run", "--period", "9999-00-Q1"]) == 2
    err = capsys.readouterr().err
    assert "outside the years the data can cover" in err and "Traceback" not in err


def test_an_unknown_board_is_refused_before_prefect_starts(tmp_path, monkeypatch, capsys):
    def no_server(*_: object) -> None:
        raise AssertionError("Prefect's server was started")

    monkeypatch.setattr(prefect_server, "launched_api", no_server)
    warehouse = tmp_path / "w.duckdb"
    run = ["run", "--board", "leeds", "--period", "2014-15-Q2", "--warehouse", str(warehouse)]
    assert main(run) == 2
    assert capsys.readouterr().err == (
        "lscb-metrics: no board 'leeds'; the boards are: southend, thurrock "
        "(set one up with `lscb-metrics board init`)\n"
    )
    assert not warehouse.exists()


def test_the_temporary_server_starts_before_the_run_imports_pandas_or_prefect(tmp_path):
    # The server's start (seconds) is a run's first wait: what the run imports meanwhile is free.
    started = """
import sys
from lscb_metrics import cli, prefect_server

def launched(log):
    print(sorted(name for name in ("pandas", "prefect", "duckdb") if name in sys.modules))
    raise SystemExit(0)

prefect_server.launched_api = launched
cli.main(["run", "--period", "2014-15-Q2", "--warehouse", sys.argv[1]])
"""
    command = [sys.executable, "-c", started, str(tmp_path / "w.duckdb")]
    run = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tmp_path)
    # DuckDB is needed first: a warehouse another run holds stops the run before anything starts.
    assert run.stdout.splitlines() == ["['duckdb']"], run.stdout + run.stderr


def test_a_malformed_board_profile_is_named_before_the_flow_begins(
    prefect_server, tmp_path, monkeypatch, capsys
):
    shutil.copytree(PROJECT / "schemas", tmp_path / "schemas")
    (tmp_path / "data/raw/returns").mkdir(parents=True)
    profile = tmp_path / "schemas/boards/thurrock/board.yaml"
    profile.write_text(profile.read_text().replace("name:", "name: [", 1), encoding="utf-8")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(tmp_path))
    assert main(["run", "--period", "2014-15-Q2", "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"lscb-metrics: {profile}"), error
    assert "unexpected" not in error
    assert not (tmp_path / "w.duckdb").exists()
    # The flow never began: it would have started the run's log.
    assert not list(tmp_path.glob("logs/*.log"))


def test_run_help_names_every_variable_the_settings_read(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    shown = capsys.readouterr().out
    config = (PROJECT / "src/lscb_metrics/config.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'"(LSCB_[A-Z_]+)"', config))
    assert {"LSCB_RETURNS", "LSCB_SN_MODEL", "LSCB_CASES", "LSCB_PROJECT_ROOT"} <= variables
    assert sorted(v for v in variables if v not in shown) == []


def test_board_init_help_says_where_the_slug_comes_from_and_areas_repeat(capsys):
    with pytest.raises(SystemExit):
        main(["board", "init", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "from the first area's name" in shown
    assert "give it once for each area" in shown


def test_the_readme_gives_every_template_command_its_board():
    # Two boards are shipped, so a template needs --board: the README must say so.
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    usages = re.findall(r"lscb-metrics template [^`\n]*", readme)
    assert usages and [usage for usage in usages if "--board" not in usage] == []


def test_template_for_an_unknown_return_lists_the_known_ones(capsys):
    assert main(["template", "nonsense"]) == 2
    assert "referrals" in capsys.readouterr().err


def test_template_writes_a_workbook_that_validation_recognises(tmp_path, capsys):
    out = tmp_path / "cp_plans.xlsx"
    assert main(["template", "cp_plans", "--out", str(out), "--board", "southend"]) == 0
    # An empty template is a cp_plans return still missing its cover values and figures.
    assert main(["validate", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "Return type: cp_plans" in printed and "ROW-001" in printed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2013-15", "--board", "southend"], "is not a financial year such as 2013-14"),
        (["--year", "2013-14"], "choose the board with --board (southend, thurrock)"),
        (["--year", "2013-14", "--board", "nowhere"], "no board 'nowhere'"),
        (["--year-to", "2014-15-Q5", "--board", "southend"], "is not a financial quarter"),
    ],
)
def test_report_refuses_a_bad_year_or_board_in_one_line(arguments, message, tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    warehouse.touch()  # never opened: the arguments are checked first
    assert main(["report", *arguments, "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--year", "2013-14", "--board", "southend"],
        ["explain", "referral_rate", "--area", "E06000033", "--period", "2013-14"],
    ],
)
def test_a_reading_command_names_a_warehouse_that_is_not_a_database(command, tmp_path, capsys):
    # An empty or overwritten file: the cause and the way back, not "unexpected error".
    warehouse = tmp_path / "w.duckdb"
    warehouse.touch()
    assert main([*command, "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert "is not a DuckDB database" in err and "unexpected" not in err


def test_report_without_a_warehouse_says_so(tmp_path, capsys):
    missing = tmp_path / "absent.duckdb"
    assert main(["report", "--year", "2013-14", "--warehouse", str(missing)]) == 2
    assert f"no warehouse at {missing}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [["explain", "referral_rate"], ["validate", str(DEMO / "SBC-CSC_referrals.xlsx")]],
    ids=["explain", "validate"],
)
def test_output_into_a_closed_pipe_ends_quietly(arguments):
    # As `lscb-metrics explain referral_rate | head -1` once the reader has gone.
    command = subprocess.Popen(
        [sys.executable, "-m", "lscb_metrics.cli", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    command.stdout.close()  # before the command has written a byte
    err = command.stderr.read().decode()
    assert command.wait(timeout=120) == 141  # 128 + SIGPIPE, as a shell reports a pipe's writer
    assert err == ""


def test_version_is_the_packages(capsys):
    # The version a run records in audit.runs.tool_version is the one the command reports.
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"lscb-metrics {lscb_metrics.__version__}"
    assert importlib.metadata.version("lscb_metrics") == lscb_metrics.__version__
