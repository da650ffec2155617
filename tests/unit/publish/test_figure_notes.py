"""A figure's note says what it is about: the value's own note (the population estimate it
stands on, or why it has none) is not worded as a comparator the board quoted."""

import pandas as pd

from lscb_metrics.publish.figures import quoted_comparator_note
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
    notes = note_texts(current)
    assert list(notes)[len(METHOD_NOTES) :] == [LATEST, f"{LATEST}; {QUOTED}", QUOTED]
    assert notes[LATEST] == f"{LATEST}."
    assert notes[f"{LATEST}; {QUOTED}"] == (
        f"{LATEST}. Comparator quoted by the board rather than derived: {QUOTED}."
    )
    assert notes[QUOTED] == f"Comparator quoted by the board rather than derived: {QUOTED}."
