"""The built docs load nothing from outside the site (issue 17): read offline, as in a hospital
network, every page is complete.

The scanner reads every HTML page and every CSS file of a fresh build and reports each source a
browser would fetch by itself - scripts, stylesheets, icons and preloads, images, frames,
objects, media, SVG images, CSS ``url()`` and ``@import``, and URLs in inline scripts (how the
mermaid module used to be imported) - that is absolute (``http(s)://``, ``//host``) or that
leaves the site or does not exist. Plain links (``<a href>``) are not sources.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from ._docs_site import EXT, built_site, need_docs_tools

#: ``<link rel=...>`` values that make the browser fetch the target.
LOADING_RELS = frozenset({
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "preload",
    "modulepreload", "prefetch", "preconnect", "dns-prefetch", "manifest", "import",
})
#: Attributes that name a fetched source, per element.
SOURCE_ATTRS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
    "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "feimage": ("href",),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
ABSOLUTE = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//")
SCRIPT_URL = re.compile(r"""(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/"'`]""")


def css_sources(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]


class Sources(HTMLParser):
    """Collects (what, url) for every fetched source of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if rels & LOADING_RELS and a.get("href"):
                self.found.append((f"link rel={a['rel']}", a["href"]))
        for name in SOURCE_ATTRS.get(tag, ()):
            value = a.get(name, "")
            if not value:
                continue
            urls = ([part.strip().split()[0] for part in value.split(",") if part.strip()]
                    if name == "srcset" else [value])
            self.found += [(f"{tag} {name}", url) for url in urls]
        if "style" in a:
            self.found += [(f"{tag} style url()", url) for url in css_sources(a["style"])]
        self._in = tag if tag in ("style", "script") and "src" not in a else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.found += [("<style> url()/@import", url) for url in css_sources(data)]
        elif self._in == "script":
            self.found += [("inline script URL", m.group(0).rstrip("/\"'`"))
                           for m in SCRIPT_URL.finditer(data)]


def page_sources(html: str) -> list[tuple[str, str]]:
    parser = Sources()
    parser.feed(html)
    parser.close()
    return parser.found


def problems(site: Path) -> list[str]:
    """Every source of the site that is absolute, leaves the site, or is missing."""
    out: list[str] = []
    site = site.resolve()

    def check(origin: Path, what: str, url: str) -> None:
        rel = origin.relative_to(site)
        if url.startswith(("data:", "#", "about:", "blob:")) or not url.strip():
            return
        if ABSOLUTE.match(url) or urlsplit(url).scheme:
            out.append(f"{rel}: {what} from outside the site: {url}")
            return
        path = unquote(urlsplit(url).path)
        if not path:
            return
        target = ((site / path.lstrip("/")) if path.startswith("/")
                  else (origin.parent / path)).resolve()
        if not target.is_relative_to(site):
            out.append(f"{rel}: {what} leaves the site: {url}")
        elif not target.exists():
            out.append(f"{rel}: {what} is missing: {url}")

    for page in sorted(site.rglob("*.html")):
        for what, url in page_sources(page.read_text(encoding="utf-8")):
            check(page, what, url)
    for sheet in sorted(site.rglob("*.css")):
        for url in css_sources(sheet.read_text(encoding="utf-8", errors="replace")):
            check(sheet, "CSS url()/@import", url)
    return out


# --------------------------------------------------------------------------------------------
# the scanner finds what it must (so that an empty report means something)


@pytest.mark.parametrize(("snippet", "what"), [
    ('<script src="https://cdn.jsdelivr.net/npm/mermaid.min.js"></script>', "script src"),
    ('<script type="module">import mermaid from "https://cdn.jsdelivr.net/npm/m.mjs";'
     "</script>", "inline script"),
    ("<script>require.config({paths: {x: '//unpkg.com/x'}});</script>", "inline script"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">', "link"),
    ('<link rel="preload" as="font" href="//fonts.gstatic.com/a.woff2">', "link"),
    ('<img src="http://example.org/a.png" alt="">', "img src"),
    ('<img srcset="a.png 1x, https://example.org/b.png 2x" src="a.png" alt="">', "img srcset"),
    ('<iframe src="https://www.youtube.com/embed/x"></iframe>', "iframe"),
    ('<object data="https://example.org/d.svg"></object>', "object"),
    ('<svg><image href="https://example.org/i.png"/></svg>', "image href"),
    ('<div style="background: url(https://example.org/bg.png)"></div>', "style url()"),
    ("<style>@import 'https://example.org/x.css';</style>", "<style>"),
    ("<style>@font-face { src: url(\"https://example.org/f.woff2\") }</style>", "<style>"),
])
def test_scanner_reports_every_kind_of_external_source(tmp_path: Path, snippet: str,
                                                       what: str) -> None:
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "page.html").write_text(f"<html><body>{snippet}</body></html>", "utf-8")
    found = problems(tmp_path)
    assert len(found) == 1, found
    assert what.split()[0] in found[0] and "outside the site" in found[0]


def test_scanner_reads_css_files_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "s.css").write_text(
        "@import url('https://example.org/a.css'); .x { background: url(../gone.png) }", "utf-8")
    (tmp_path / "page.html").write_text(
        '<a href="https://doi.org/10.1/x">a plain link is not a source</a>'
        '<img src="../../etc/passwd" alt="">', "utf-8")
    found = problems(tmp_path)
    assert any("_static/s.css" in f and "outside the site" in f for f in found), found
    assert any("gone.png" in f and "missing" in f for f in found), found
    assert any("leaves the site" in f for f in found), found
    assert not any("doi.org" in f for f in found)
    assert len(found) == 3


# --------------------------------------------------------------------------------------------
# the real site


def test_built_site_loads_nothing_from_outside() -> None:
    site = built_site()
    found = problems(site)
    assert found == [], "\n".join(found)
    scanned = list(site.rglob("*.html"))
    assert len(scanned) > 20  # the scan saw the site, not an empty directory
    assert any(what.startswith("script") for what, _ in
               page_sources((site / "index.html").read_text(encoding="utf-8")))


def test_noms_page_carries_rendered_diagrams_not_their_source() -> None:
    html = (built_site() / "noms.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="graphviz[^"]*">(.*?)</figure>', html, re.S)
    assert len(figures) == 2
    for figure in figures:
        assert figure.lstrip().startswith("<svg")
        assert figure.count('class="node"') >= 5 and figure.count('class="edge"') >= 4
    text = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # comments are not on the page
    for source_text in ("digraph", "rankdir", "flowchart LR", "-->", " -> n", "mermaid"):
        assert source_text not in text
    for code in ("separation_surgery_then_srs", "cebrt", "percutaneous_stabilization"):
        assert any(f">{code}<" in figure for figure in figures), code


def test_instrument_pages_carry_their_pictures() -> None:
    site = built_site()
    sins = (site / "instruments" / "sins.html").read_text(encoding="utf-8")
    assert 'data-picture="bands"' in sins and 'data-picture="spine"' in sins
    assert 'data-picture="ecog-kps"' in (site / "disagreements.html").read_text("utf-8")
    assert 'data-picture="ecog-kps"' in (site / "instruments" / "tokuhashi_2005.html"
                                         ).read_text("utf-8")


def test_the_build_itself_fails_on_an_asset_from_the_network(tmp_path: Path) -> None:
    """The docs extension's guard: a page that would load a CDN script is a build error (-W)."""
    need_docs_tools()
    (tmp_path / "index.rst").write_text("Title\n=====\n\nText.\n", "utf-8")
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(EXT)!r})\n"
        "extensions = ['spinemets_docs']\n"
        "html_js_files = ['https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.min.js']\n",
        "utf-8")
    args = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(tmp_path),
            str(tmp_path / "_build")]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0
    assert "from the network" in proc.stderr and "mermaid" in proc.stderr, proc.stderr
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\nextensions = ['spinemets_docs']\n",
        "utf-8")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
