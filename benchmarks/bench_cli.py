"""Throughput of the full JSON Lines path (issue 4): parse, every score, the recommendation with
rationale and options, serialise. One core, one process.

    python benchmarks/bench_cli.py [N]

Prints cases/s for the in-process loop (what ``spinemets assess`` does per line) and for the
command line end to end on a file of N cases (default 50,000), plus the peak memory of the latter
(bounded: the command line streams line by line).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from spinemets.assessment import assess  # noqa: E402
from spinemets.interchange import loads_case  # noqa: E402

_CODES = {
    "histology": ["lung", "breast", "prostate", "kidney", "thyroid", "colon", "rectum", "myeloma",
                  "stomach", "unknown", "melanoma", "other"],
    "visceral_metastases": ["none", "resectable", "treatable", "untreatable"],
    "frankel": list("ABCDE"),
    "level": ["C2", "C5", "C7", "T4", "T8", "T12", "L1", "L3", "L5", "S1", "S3"],
    "pain": ["mechanical", "occasional", "none"],
    "bone_lesion": ["lytic", "mixed", "blastic"],
    "alignment": ["subluxation", "deformity", "normal"],
    "collapse": ["over_50", "under_50", "involved_over_50", "none"],
    "posterolateral": ["bilateral", "unilateral", "none"],
    "escc": ["0", "1a", "1b", "1c", "2", "3"],
}


def random_case(rng: random.Random) -> dict[str, object]:
    """A realistic, fully specified one- or two-lesion case."""
    lesions = [
        {k: rng.choice(_CODES[k]) for k in ("level", "pain", "bone_lesion", "alignment",
                                             "collapse", "posterolateral", "escc")}
        for _ in range(rng.choice((1, 1, 1, 2)))
    ]
    return {
        "histology": rng.choice(_CODES["histology"]),
        "kps": rng.choice(range(10, 101, 10)),
        "visceral_metastases": rng.choice(_CODES["visceral_metastases"]),
        "extraspinal_bone_metastases": rng.randint(0, 5),
        "vertebral_metastases": rng.randint(1, 5),
        "frankel": rng.choice(_CODES["frankel"]),
        "myelopathy": rng.random() < 0.3,
        "fit_for_surgery": rng.random() < 0.7,
        "lesions": lesions,
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    rng = random.Random(2026)
    lines = [json.dumps(random_case(rng)) for _ in range(n)]
    best = float("inf")
    sample = lines[:20_000]
    for _ in range(3):
        start = time.process_time()
        for line in sample:
            assess(loads_case(line)).to_json()
        best = min(best, time.process_time() - start)
    print(f"in-process loop   {len(sample) / best:>10,.0f} cases/s  (best of 3, CPU time)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # The child measures itself: CPU time, and its peak RSS as VmHWM (ru_maxrss would keep the
        # forked parent's pages from before exec).
        probe = (
            "import resource, sys, time; from spinemets.cli import main; "
            "t = time.perf_counter(); main(sys.argv[1:]); wall = time.perf_counter() - t; "
            "r = resource.getrusage(resource.RUSAGE_SELF); "
            "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]; "
            "print(r.ru_utime + r.ru_stime, wall, hwm[0], file=sys.stderr)"
        )
        best_cpu = best_wall = float("inf")
        rss = 0.0
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", probe, "assess", str(path), "-o", os.devnull],
                check=False, capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")},
            )
            cpu, wall, peak = (float(x) for x in done.stderr.split()[-3:])
            best_cpu, best_wall, rss = min(best_cpu, cpu), min(best_wall, wall), max(rss, peak)
    print(f"command line      {n / best_cpu:>10,.0f} cases/s  (CPU time incl. start-up; "
          f"{n / best_wall:,.0f}/s wall for the stream) on {n:,} cases, best of 3; "
          f"peak RSS {rss / 1024:,.0f} MiB")

if __name__ == "__main__":
    main()
