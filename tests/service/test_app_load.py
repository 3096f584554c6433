"""A bounded load test of ``spinemets serve`` run as its own process on loopback: 2,000 requests
from 16 concurrent clients (JSON API, CDS hook calls, discovery), no errors; p50/p99 printed."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import threading
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
                httpx.get(url + "/health", timeout=1)  # the server is up
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


def _run(url: str) -> tuple[dict[str, list[float]], list[str], float]:
    """16 threads, each with one keep-alive connection (the standard library's client, so the
    load generator stays light); answers are checked after the clock stops."""
    plan = _plan()
    host, port = url.removeprefix("http://").split(":")
    latencies: dict[str, list[float]] = {}
    answers: list[tuple[str, Any, int, bytes]] = []
    errors: list[str] = []
    lock = threading.Lock()
    items = iter(plan)

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        mine: list[tuple[str, float, Any, int, bytes]] = []
        try:
            while True:
                with lock:
                    item = next(items, None)
                if item is None:
                    break
                method, path, body = item
                data = None if body is None else json.dumps(body).encode()
                headers = {"Content-Type": "application/json"} if data else {}
                start = time.perf_counter()
                try:
                    connection.request(method, path, body=data, headers=headers)
                    response = connection.getresponse()
                    content = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=60)
                    status, content = 0, type(exc).__name__.encode()
                mine.append((path, (time.perf_counter() - start) * 1000, body, status, content))
        finally:
            connection.close()
            with lock:
                for path, took, body, status, content in mine:
                    latencies.setdefault(path, []).append(took)
                    answers.append((path, body, status, content))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    expected = {"/assess": (200, 400), HOOK: (200,), "/cds-services": (200,)}
    for path, body, status, content in answers:
        ok = status in expected[path]
        if ok and path == "/assess" and status == 200:
            ok = json.loads(content) == spinemets.assess_dict(body)
        if ok and path == HOOK:
            ok = bool(json.loads(content)["cards"])
        if not ok:
            errors.append(f"{path}: HTTP {status} {content[:80]!r}")
    return latencies, errors, wall


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_load(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    latencies, errors, wall = _run(served)
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
