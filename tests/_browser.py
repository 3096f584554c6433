"""Real headless Chromium for page tests (Debian's ``chromium``, driven by Playwright).

Playwright's own browser download is never used: the tests launch the system Chromium at
``/usr/bin/chromium`` (or ``$CHROMIUM``). When Chromium or Playwright is absent the test skips
on a developer machine and fails under ``CI=true`` (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

#: Flags for a closed network: no background connections, no first-run, no sandbox (root).
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def chromium_path() -> str:
    """The system Chromium, or skip (fail under ``CI=true``)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        _missing("Debian's chromium")
    assert path is not None
    return path


@contextmanager
def browser_page(
    *, offline: bool = False, viewport: tuple[int, int] = (1280, 900)
) -> Iterator[Any]:
    """A fresh Playwright ``Page`` in headless system Chromium.

    ``offline=True`` aborts every request whose host is not loopback (``127.0.0.1``,
    ``localhost``, ``[::1]``) or a ``file:``/``data:`` URL, and records it in
    ``page.blocked_requests`` so a test can assert that nothing left the machine.
    """
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        _missing("playwright (pip install 'spinemets[browser]')")
        raise
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=path,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            blocked: list[str] = []
            page.blocked_requests = blocked  # type: ignore[attr-defined]  # read by the tests
            if offline:

                def _route(route: Any) -> None:
                    url: str = route.request.url
                    local = url.startswith(("file:", "data:", "blob:", "about:")) or any(
                        url.startswith(f"{scheme}://{host}")
                        for scheme in ("http", "https", "ws")
                        for host in ("127.0.0.1", "localhost", "[::1]")
                    )
                    if local:
                        route.continue_()
                    else:
                        blocked.append(url)
                        route.abort()

                context.route("**/*", _route)
            yield page
        finally:
            context.close()
