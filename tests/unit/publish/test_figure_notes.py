"""A figure's note says what it is about: the value's own note (the population estimate it
stands on, or why it has none) is not worded as a comparator the board quoted."""

import pandas as pd

from lscb_metrics.periods import Quarter
from lscb_metrics.publish.figures import quoted_comparator_note
from lscb_metrics.publish.scorecard import _notes_section
from lscb_metrics.publish.workbook import METHOD_NOTES, note_texts

LATEST = (
    "Uses the mid-2024 estimate of children aged 0-17, the latest published; the mid-2025 "
    "estimate is not yet published, and the rate is revised when it is"
)
QUOTED = "England figure from the board's report (not compared: this figure has no interval)"


def test_the_quoted_part_is_the_comparator_note_less_the_value_note():
    assert quoted_comparator_note(LATEST, LATEST) is None
    assert quoted_comparator_note(f"{LATEST}; {QUOTED}", LATEST) == QUOTED
    assert quoted_comparator_note(QUOTED, None) == QUOTED
    assert quoted_comparator_note(None, LATEST) is None


def test_the_notes_sheet_words_a_value_note_as_itself_and_a_quoted_comparator_as_quoted():
    # The value's note was printed as "Comparator quoted by the board rather than derived:
    # Uses the mid-2024 estimate ...", which the board never quoted.
    current = pd.DataFrame(
        {
            "comparator_note": [LATEST, f"{LATEST}; {QUOTED}", QUOTED, None],
            "value_note": [LATEST, LATEST, None, None],
        }
    )
    notes = note_texts(current, Quarter(2026, 2))
    assert list(notes)[len(METHOD_NOTES) :] == [LATEST, f"{LATEST}; {QUOTED}", QUOTED]
    assert notes[LATEST] == f"{LATEST}."
    # The rates note's example is the edition's own year, not the demo's 2013-14.
    assert "2026-27 and each of its quarters use the mid-2026 estimate" in notes["rates"]
    assert notes[f"{LATEST}; {QUOTED}"] == (
        f"{LATEST}. Comparator quoted by the board rather than derived: {QUOTED}."
    )
    assert notes[QUOTED] == f"Comparator quoted by the board rather than derived: {QUOTED}."


def test_the_scorecards_methods_give_the_population_convention_for_its_own_year() -> None:
    # The notes of a 2026-27 edition gave the demo's "2013-14 ...: mid-2013" as the example.
    methods = _notes_section({}, Quarter(2026, 2))
    assert "(DfE convention: 2026-27 and each of its quarters use the mid-2026 estimate)" in methods
    assert "2013-14" not in methods
