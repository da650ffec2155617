"""The two editions a run writes for each board: public, and internal to the board.

The public edition is disclosure-controlled (children's counts of 1 to 5 withheld) and is the
one to publish. The internal edition, for the board and its members, shows every figure
exactly and carries its protective marking on every page or sheet of every file. The two are
written to separate folders of the board's edition (`public/`, `internal/`), so copying the
public folder never carries an internal file. Kept free of heavy imports: the pipeline names
the editions without loading the writers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edition:
    """Who a set of files is for, the folder they go in (`name`), whether children's small
    counts are withheld, and the protective marking each file carries (None: unmarked)."""

    name: str
    disclosure_controlled: bool
    marking: str | None


PUBLIC = Edition("public", disclosure_controlled=True, marking=None)
INTERNAL = Edition(
    "internal", disclosure_controlled=False, marking="OFFICIAL-SENSITIVE: not for publication"
)
EDITIONS = (PUBLIC, INTERNAL)
