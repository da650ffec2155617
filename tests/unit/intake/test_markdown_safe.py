"""A name a board or partner wrote reads as itself in the Markdown files: no link, image, code,
emphasis, HTML or table cell of its own."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lscb_metrics.intake.rules import markdown_safe

#: CommonMark with GitHub's tables, as a board's website or GitHub shows the files.
MARKDOWN = MarkdownIt("commonmark").enable("table")


def inline_kinds(line: str) -> set[str]:
    """The kinds of inline token `line` renders to as a paragraph ('text' alone for text)."""
    [_, inline, _] = MARKDOWN.parse(line)
    return {token.type for token in inline.children or []}


@pytest.mark.parametrize(
    "name",
    [
        "[click](javascript:alert(1))",
        "![x](http://evil.example/x.png)",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<http://evil.example>",
        "`code` **bold** _it_",
        "a\\[b](c)",  # a backslash of the name's own cannot undo the escape
    ],
)
def test_a_hostile_name_renders_as_its_own_text(name: str) -> None:
    html = MARKDOWN.render(f"# {markdown_safe(name)}: edition")
    assert inline_kinds(f"Board {markdown_safe(name)}.") == {"text"}
    assert "<a" not in html and "<img" not in html and "<script" not in html
    assert MARKDOWN.parse(f"Board {markdown_safe(name)}.")[1].children[0].content == (
        f"Board {name}."
    )


def test_a_name_with_a_bar_stays_in_its_table_cell() -> None:
    table = f"| agency | value |\n|---|---|\n| {markdown_safe('Police | Fire')} | 3 |\n"
    cells = [t.content for t in MARKDOWN.parse(table) if t.type == "inline"]
    assert cells == ["agency", "value", "Police | Fire", "3"]
    assert "<td>Police | Fire</td>" in MARKDOWN.render(table)


@given(
    st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " ", max_size=30)
)
def test_any_printable_name_is_plain_text(name: str) -> None:
    line = f"Board {markdown_safe(name)}."
    assert inline_kinds(line) <= {"text"}
    if "&" not in name:  # '&amp;' a name spells out is shown as '&', and harms nothing
        shown = "".join(token.content for token in MARKDOWN.parse(line)[1].children or [])
        assert shown == f"Board {name}."
