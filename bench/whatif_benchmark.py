"""Time one what-if answer (10,000 draws) on the report's inputs, as docs/PERFORMANCE.md reports.

    .venv/bin/python bench/whatif_benchmark.py [--runs 50]

Inputs are the report's (section 6 of the what-if specification): Lancashire infant mortality
2014-16 (177 deaths, 39,333 births) and smoking at delivery 2017/18 (1,619 of 11,647), against
a fixed target of 4.481 per 1,000. Prints the median and slowest of the runs (seeds 0 to runs-1).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators.statistics import whatif as w  # noqa: E402

IMR = w.Outcome("infant_mortality", 4.5, 177, 39333, 3, "2014 - 16")
SMOKING = w.Prevalence("smoking_at_delivery", 1619, 11647, "smoking at delivery", "2017/18")
TARGET = w.Comparator("target", value=4.481, name="a fixed target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    parameters = w.latest_set(w.read_parameter_sets(ROOT / "fixtures/whatif/relative_risks.csv"))
    w.run("Lancashire", IMR, SMOKING, parameters, TARGET, seed=0)  # warm up numpy
    timings = []
    for seed in range(runs):
        started = time.perf_counter()
        w.run("Lancashire", IMR, SMOKING, parameters, TARGET, seed=seed)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"what-if, 10,000 draws, fixed target, {runs} runs: "
        f"median {statistics.median(timings):.1f} ms, slowest {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
