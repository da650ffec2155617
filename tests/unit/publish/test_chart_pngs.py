"""A chart's PNG is copied from an earlier edition only when its SVG is exactly the same."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lscb_metrics.publish.charts import (
    PNG_SIGNATURE,
    drawn_pngs,
    png_of_svg,
    png_size,
    write_png,
)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
    '<rect width="20" height="10" fill="#12436D"/></svg>\n'
)


def png_header(width: int, height: int) -> bytes:
    """The signature and header of a PNG of `width` x `height` pixels."""
    size = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return PNG_SIGNATURE + (13).to_bytes(4, "big") + b"IHDR" + size + b"\x08\x06\x00\x00\x00"


#: Stands in for an earlier rendering of SVG at PNG_ZOOM: a copy is recognisable because resvg
#: never writes this.
EARLIER_BYTES = png_header(40, 20) + b"an earlier rendering"


def published(folder: Path, svg: str) -> Path:
    """An earlier edition's chart folder holding `svg` and a PNG beside it."""
    folder.mkdir(parents=True)
    (folder / "chart.svg").write_text(svg, encoding="utf-8")
    (folder / "chart.png").write_bytes(EARLIER_BYTES)
    return folder


def test_the_same_svg_takes_the_earlier_png(tmp_path: Path) -> None:
    drawn = drawn_pngs([published(tmp_path / "public", SVG), tmp_path / "absent"])
    write_png(SVG, tmp_path / "new.png", drawn)
    assert (tmp_path / "new.png").read_bytes() == EARLIER_BYTES


def test_a_changed_svg_is_rendered(tmp_path: Path) -> None:
    drawn = drawn_pngs([published(tmp_path / "public", SVG)])
    changed = SVG.replace("#12436D", "#A3BFD9")
    write_png(changed, tmp_path / "new.png", drawn)
    assert (tmp_path / "new.png").read_bytes() == png_of_svg(changed)


def test_a_chart_without_its_png_or_a_symlinked_one_is_not_reused(tmp_path: Path) -> None:
    folder = published(tmp_path / "public", SVG)
    (folder / "chart.png").unlink()
    (folder / "other.svg").write_text(SVG.replace("20", "30"), encoding="utf-8")
    (folder / "other.png").symlink_to(tmp_path / "elsewhere.png")
    (tmp_path / "elsewhere.png").write_bytes(EARLIER_BYTES)
    assert drawn_pngs([folder]) == {}


def test_a_png_drawn_at_another_size_is_rendered_again(tmp_path: Path) -> None:
    # An edition published by a version rendering at another zoom (here half the size).
    folder = published(tmp_path / "public", SVG)
    (folder / "chart.png").write_bytes(png_header(20, 10) + b"an earlier rendering")
    write_png(SVG, tmp_path / "new.png", drawn_pngs([folder]))
    assert (tmp_path / "new.png").read_bytes() == png_of_svg(SVG)


def test_png_size_reads_a_rendering_and_refuses_another_file(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png_of_svg(SVG))
    (tmp_path / "note.png").write_bytes(b"not a picture")
    assert png_size(tmp_path / "chart.png") == (40, 20)  # 20 x 10 at PNG_ZOOM 2
    assert png_size(tmp_path / "note.png") is None


def test_a_chart_is_drawn_on_any_thread_after_another() -> None:
    # resvg's options may be used only on the thread that made them: a run of one worker draws
    # its editions' charts on a thread of its own, after this process may have drawn others.
    first = png_of_svg(SVG)
    with ThreadPoolExecutor(max_workers=1) as pool:
        on_another = pool.submit(png_of_svg, SVG).result()
    assert on_another == first
    assert first.startswith(png_header(40, 20)[:24])  # twice the SVG's 20 x 10
