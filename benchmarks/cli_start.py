"""Benchmark: how long ``etsysync --help`` and ``etsysync status`` take to start.

Why: every command a seller (or cron) runs pays the start-up; the parser once
imported every command's dependencies (about 2 s).  Prints the median of
``--runs`` wall times per command beside ``python -c pass`` (the interpreter's
own start-up on this machine, under the same load), with the targets
(``--help`` <= 0.4 s, ``status`` <= 0.8 s).  ``status`` runs against a
throw-away SQLite profile in a temporary folder, so it opens (and the first
time migrates) a real database.

    .venv/bin/python benchmarks/cli_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS = {"--help": 0.4, "status": 0.8}


def _median(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPU(s), load average {load:.1f} at start; median of {args.runs}")
    missed = 0
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        env.update(
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_STATE_HOME=f"{home}/state",
            ETSYSYNC_PROFILE="bench",
        )
        cli = [sys.executable, "-m", "etsysync_gui.cli"]
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        base = _median([sys.executable, "-c", "pass"], env, args.runs)
        print(f"{'python -c pass':24} {base:6.3f} s")
        for name, target in TARGETS.items():
            seconds = _median([*cli, name], env, args.runs)
            verdict = "ok" if seconds <= target else "MISSED"
            print(f"{'etsysync ' + name:24} {seconds:6.3f} s  (target <= {target} s) {verdict}")
            missed += seconds > target
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
