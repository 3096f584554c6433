"""A bounded load test of ``spinemets serve`` run as its own process on loopback: 2,000 requests
from 16 concurrent clients (JSON API, CDS hook calls, discovery), no errors; p50/p99 printed."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spinemets
from spinemets.report import EXAMPLE_CASE
from tests._service import loopback_socket

httpx = pytest.importorskip("httpx")

REQUESTS = 2_000
CLIENTS = 16
HOOK = "/cds-services/spinemets-patient-view"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    sock = loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path_factory.mktemp("load") / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "spinemets", "serve", "--port", str(port),
                                 "--log-level", "warning"], stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                httpx.get(url + "/health", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    pytest.fail(Path(log).read_text())
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _plan() -> list[tuple[str, str, Any]]:
    """The requests: 70 % /assess (varied cases), 20 % hook calls, 10 % discovery."""
    cases = [EXAMPLE_CASE,
             {"histology": "breast", "kps": 70, "lesions": [{"level": "L2", "escc": "2"}]},
             {**EXAMPLE_CASE, "kps": 40, "visceral_metastases": "untreatable"},
             {"kps": 75}]  # invalid: a 400 is an answer, not an error
    hook = {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "7"}}
    plan: list[tuple[str, str, Any]] = []
    for i in range(REQUESTS):
        if i % 10 < 7:
            plan.append(("POST", "/assess", cases[i % len(cases)]))
        elif i % 10 < 9:
            plan.append(("POST", HOOK, hook))
        else:
            plan.append(("GET", "/cds-services", None))
    return plan


async def _run(url: str) -> tuple[dict[str, list[float]], list[str], float]:
    plan = _plan()
    queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    expected = {"/assess": (200, 400), HOOK: (200,), "/cds-services": (200,)}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            while not queue.empty():
                method, path, body = queue.get_nowait()
                start = time.perf_counter()
                try:
                    response = await http.request(method, path, json=body)
                    await response.aread()
                    ok = response.status_code in expected[path]
                    if ok and path == "/assess" and response.status_code == 200:
                        ok = response.json() == spinemets.assess_dict(body)
                    if not ok:
                        errors.append(f"{path}: HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {type(exc).__name__}")
                latencies.setdefault(path, []).append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, errors, time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_load(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    latencies, errors, wall = asyncio.run(_run(served))
    every = [x for values in latencies.values() for x in values]
    lines = [f"load: {len(every)} requests, {CLIENTS} concurrent clients, {wall:.1f} s "
             f"({len(every) / wall:.0f} req/s), {len(errors)} errors",
             f"{'endpoint':<38}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for path, values in [*sorted(latencies.items()), ("all", every)]:
        lines.append(f"{path:<38}{len(values):>6}{statistics.median(values):>9.1f}"
                     f"{_pct(values, 0.99):>9.1f}{max(values):>9.1f}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(every) == REQUESTS
    assert not errors, errors[:5]
    json.dumps(lines)
