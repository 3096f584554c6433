"""The built docs in a real browser with the network blocked (issue 17).

Debian's headless Chromium opens the NOMS page, the SINS and Tokuhashi 2005 instrument pages and
the executed tutorial from the built site (``file:`` URLs) while every non-local request is
aborted, and checks that the diagrams are drawn: an ``<svg>`` of real size with its nodes, no
diagram source as text, no request blocked and none failed. Screenshots of the pictures go to
``docs/_static/screenshots/`` (see ``docs/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from ._browser import browser_page
from ._docs_site import DOCS, built_site

SHOTS = DOCS / "_static" / "screenshots"
#: Text that would mean a diagram's source is shown instead of the diagram.
SOURCE_TEXT = ("digraph", "rankdir", "flowchart", "-->", "graph [", "mermaid")


@contextmanager
def offline_page(site: Path, page_name: str) -> Iterator[Any]:
    """*page_name* of *site* in offline Chromium; on leaving, nothing was blocked or failed."""
    with browser_page(offline=True, viewport=(1280, 900)) as page:
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto((site / page_name).as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        # the theme's "back to top" button appears while scrolling: keep it out of the pictures
        page.add_style_tag(content=".back-to-top { display: none !important; }")
        yield page
        assert page.blocked_requests == [], page.blocked_requests
        assert failed == [], failed


def sized(locator: Any) -> dict[str, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50, box
    assert locator.is_visible()
    return dict(box)


def no_source_text(page: Any) -> None:
    text = page.inner_text("body")
    for source in SOURCE_TEXT:
        assert source not in text, source


def same_pixels(a: bytes, b: bytes) -> bool:
    if a == b:
        return True
    try:
        from PIL import Image, ImageChops
    except ImportError:  # pragma: no cover - pillow comes with matplotlib (docs extra)
        return False
    with Image.open(BytesIO(a)) as one, Image.open(BytesIO(b)) as two:
        if one.size != two.size:
            return False
        return ImageChops.difference(one.convert("RGB"), two.convert("RGB")).getbbox() is None


def save(name: str, png: bytes) -> None:
    """Keep *png* under docs/_static/screenshots/; an unchanged picture is not rewritten, so
    that running the tests leaves the committed files alone."""
    assert len(png) > 2000
    path = SHOTS / name
    if path.exists() and same_pixels(path.read_bytes(), png):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)


def shoot(locator: Any, name: str) -> None:
    save(name, locator.screenshot(animations="disabled"))


def test_noms_page_draws_both_flow_charts_offline() -> None:
    with offline_page(built_site(), "noms.html") as page:
        flows = page.locator("figure.graphviz > svg")
        assert flows.count() == 2
        for i, name in enumerate(["noms-radiation.png", "noms-stabilization.png"]):
            flow = flows.nth(i)
            sized(flow)
            assert flow.locator("g.node").count() >= 5
            assert flow.locator("g.edge").count() >= 4
            # the outcome labels are drawn text inside the picture
            box = flow.locator("g.node text").first.bounding_box()
            assert box is not None and box["width"] > 0
            shoot(flow, name)
        radiation = flows.nth(0)
        assert radiation.locator("text", has_text="separation_surgery_then_srs").count() == 1
        no_source_text(page)
        page.evaluate("document.getElementById('the-decision-grid')"
                      ".scrollIntoView({behavior: 'instant'})")
        save("noms-page.png", page.screenshot(animations="disabled"))


def test_instrument_page_draws_its_pictures_offline() -> None:
    with offline_page(built_site(), "instruments/sins.html") as page:
        bands = page.locator('svg[data-picture="bands"]')
        spine = page.locator('svg[data-picture="spine"]')
        assert bands.count() == 1 and spine.count() == 1
        sized(bands)
        sized(spine)
        assert bands.locator("rect.total").count() == 19  # SINS totals 0-18
        assert spine.locator("rect.vertebra").count() == 29  # C1-S5
        level = spine.locator('rect[data-level="T7"]').bounding_box()
        assert level is not None and level["width"] > 10 and level["height"] > 5
        no_source_text(page)
        shoot(bands, "sins-bands.png")
        shoot(spine, "sins-spine.png")


def test_ecog_kps_picture_and_tutorial_offline() -> None:
    site = built_site()
    with offline_page(site, "instruments/tokuhashi_2005.html") as page:
        picture = page.locator('svg[data-picture="ecog-kps"]')
        assert picture.count() == 1
        sized(picture)
        assert picture.locator('rect[data-straddles="true"]').count() >= 1
        shoot(picture, "ecog-kps.png")
    # the executed notebook page: nothing (MathJax, require.js, widgets) from a CDN
    with offline_page(site, "tutorials/cohort.html") as page:
        assert page.locator("h1").count() == 1
