"""The calculator page in real headless Chromium (Debian's ``chromium`` via Playwright), served by
a real uvicorn server: keyboard entry, totals appearing, a ``?case=`` link's ``data-total``
attributes, no request leaving the machine, a screenshot for the docs.

Expected totals are worked out by hand from the published tables (interchange §3), not read from
the library: the example case (kidney, KPS 80, no visceral metastases, one vertebra, no other bone
focus, Frankel E; T12 lesion: mechanical pain, lytic, normal alignment, > 50 % involved without
collapse, unilateral posterolateral, ESCC 1b) scores
Tomita 2 + 0 + 1 = 3; Tokuhashi 1990: KPS 2 + foci 2 + vertebrae 2 + visceral 2 + kidney 1 +
Frankel 2 = 11; Tokuhashi 2005 the same with kidney 3 = 13; SINS: junctional 3 + pain 3 + lytic 2 +
alignment 0 + collapse 1 + posterolateral 1 = 10.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import tests
from spinemets.report import EXAMPLE_CASE
from tests._browser import browser_page
from tests._service import running

ROOT = Path(tests.__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs/_static/screenshots/calculator.png"
EXPECTED = {"tomita": ("3", "long_term_local_control"), "tokuhashi_1990": ("11", "good"),
            "tokuhashi_2005": ("13", "gte_12_months"), "sins": ("10", "potentially_unstable")}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running() as url:
        yield url


def _wait_total(page: Any, score: str) -> str:
    selector = f'[data-score="{score}"][data-total]'
    page.wait_for_selector(selector, timeout=15_000)
    return str(page.get_attribute(selector, "data-total"))


def _type(page: Any, selector: str, text: str) -> None:
    """Focus a control and type into it: type-ahead selects an option in a <select>."""
    page.focus(selector)
    page.keyboard.type(text, delay=5)


def test_fill_a_case_by_keyboard(base: str) -> None:
    """Keyboard only: Tab moves field to field; typing selects codes and enters numbers; the
    totals appear as the case fills in, with no network request leaving the machine."""
    with browser_page(offline=True) as page:
        page.goto(base + "/")
        page.wait_for_selector("#f-histology")
        # Tab order follows the form: histology, then the explicit growth class.
        page.focus("#f-histology")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "f-tomita_growth"
        page.wait_for_selector('[data-score="tomita"][data-status="incomplete"]')
        _type(page, "#f-histology", "kidney")
        _type(page, "#f-kps", "80")
        _type(page, "#f-visceral_metastases", "none")
        _type(page, "#f-extraspinal_bone_metastases", "0")
        _type(page, "#f-vertebral_metastases", "1")
        assert _wait_total(page, "tomita") == "3"
        _type(page, "#f-frankel", "E")
        assert _wait_total(page, "tokuhashi_2005") == "13"
        assert _wait_total(page, "tokuhashi_1990") == "11"
        lesion = page.get_attribute("fieldset.lesion", "data-lesion")
        for field, text in (("level", "T12"), ("pain", "mechanical"), ("bone_lesion", "lytic"),
                            ("alignment", "normal"), ("collapse", "involved"),
                            ("posterolateral", "unilateral"), ("escc", "1b")):
            _type(page, f"#l{lesion}-{field}", text)
        assert _wait_total(page, "sins") == "10"
        page.wait_for_selector('[data-score="escc"][data-grade="1b"][data-class="low"]')
        assert page.get_attribute('[data-score="sins"]', "data-band") == "potentially_unstable"
        status = page.text_content("#status") or ""
        assert "Results updated" in status
        # A second lesion by keyboard: Enter on the button, focus lands in the new lesion.
        page.focus("#add-lesion")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelectorAll('fieldset.lesion').length === 2")
        assert page.evaluate("document.activeElement.closest('fieldset.lesion') !== null")
        page.keyboard.type("L1", delay=5)
        page.wait_for_selector('[data-score="sins"][data-status="incomplete"]')
        assert page.blocked_requests == []


def test_prefilled_link_and_screenshot(base: str) -> None:
    """``/?case=<URL-encoded JSON>`` (the link CDS cards carry) opens prefilled; every score
    element carries data-total/data-band; ESCC data-grade/data-class; OSRI no data-band."""
    link = f"{base}/?case={quote(json.dumps(EXAMPLE_CASE), safe='')}"
    with browser_page(offline=True, viewport=(1280, 1500)) as page:
        page.goto(link)
        for score, (total, band) in EXPECTED.items():
            assert _wait_total(page, score) == total
            assert page.get_attribute(f'[data-score="{score}"]', "data-band") == band
        escc = page.locator('[data-score="escc"]')
        assert (escc.get_attribute("data-grade"), escc.get_attribute("data-class")) == (
            "1b", "low")
        osri = page.locator('[data-score="osri"]')
        assert osri.get_attribute("data-total") is not None
        assert osri.get_attribute("data-band") is None
        assert page.input_value("#f-kps") == "80"
        assert page.input_value("#f-histology") == "kidney"
        assert page.get_attribute("#rec-body dl", "data-radiation") == "srs"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        assert page.blocked_requests == []
    assert SCREENSHOT.stat().st_size > 10_000


def test_every_control_is_labelled_and_errors_are_announced(base: str) -> None:
    """Every form control has a <label>; an invalid value is marked aria-invalid and the
    message is in a role=alert region; stale totals are cleared."""
    with browser_page(offline=True) as page:
        page.goto(f"{base}/?case={quote(json.dumps(EXAMPLE_CASE), safe='')}")
        _wait_total(page, "tomita")
        unlabelled = page.evaluate("""() => Array.from(document.querySelectorAll(
            'input, select')).filter(c => !document.querySelector(`label[for="${c.id}"]`))
            .map(c => c.id)""")
        assert unlabelled == []
        page.fill("#f-kps", "")
        _type(page, "#f-kps", "75")
        page.wait_for_selector('#f-kps[aria-invalid="true"]')
        assert "kps" in (page.text_content("#error") or "")
        assert page.get_attribute("#error", "role") == "alert"
        assert page.locator("[data-total]").count() == 0


def test_link_content_is_never_markup(base: str) -> None:
    """A hostile ``?case=`` is shown as text: no element is injected, no script runs."""
    hostile = {"histology": "<img src=x onerror=window.pwned=1>",
               "<b>bogus</b>": 1, "lesions": [{"level": "<script>window.pwned=1</script>",
                                                "lvl": "T1"}]}
    with browser_page(offline=True) as page:
        page.goto(f"{base}/?case={quote(json.dumps(hostile), safe='')}")
        page.wait_for_selector('#error:not(:empty)')
        assert page.evaluate("window.pwned === undefined")
        assert page.locator("img").count() == 0 and page.locator("#results b").count() == 0
        notice = page.text_content("#notice") or ""
        assert "<b>bogus</b>" in notice and "lesions[0].lvl" in notice
