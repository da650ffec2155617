"""Process settings: an environment variable set for a while is put back as it was."""

from __future__ import annotations

import os

import pytest

from lscb_metrics.config import environment_variable

NAME = "LSCB_TEST_VARIABLE"


@pytest.mark.parametrize("before", [None, "earlier"])
def test_a_variable_set_for_a_while_is_put_back(before, monkeypatch):
    if before is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, before)
    with pytest.raises(RuntimeError), environment_variable(NAME, "during"):
        assert os.environ[NAME] == "during"
        raise RuntimeError("the block fails")  # put back all the same
    assert os.environ.get(NAME) == before


def test_none_leaves_the_variable_alone(monkeypatch):
    monkeypatch.setenv(NAME, "kept")
    with environment_variable(NAME, None):
        assert os.environ[NAME] == "kept"
    assert os.environ[NAME] == "kept"
