"""Time one what-if answer (10,000 draws) for every case the specification defines, as
docs/PERFORMANCE.md reports.

    .venv/bin/python bench/whatif_benchmark.py [--runs 50]

Inputs are the report's (section 6 of the what-if specification): Lancashire infant mortality
2014-16 (177 deaths, 39,333 births), smoking at delivery 2017/18 (1,619 of 11,647) and BMI 25 or
more 2017 (6,190 of 12,137). The comparators:

- a user's target of 4.481 per 1,000 (fixed);
- England, drawn from its own Gamma (2015-17: 7,734 deaths, 1,974,348 births, the bundled
  snapshot's figure);
- the best quartile of a group, recomputed in every draw from each member's draw: the time
  depends on the number of members, not on their figures, so the members are the counts and
  populations of the one bundled file that covers every upper-tier council
  (`fixtures/exports/raw/dfe_csc_90284_utla_2022-23_variant_bom_areaname.csv`, 146 councils
  with both) and its first 11 (the size of a neighbour list with the area);
- the joint scenario of smoking and BMI 25 or more, against the target and the 146 councils.

Every case also asks for the deaths averted at a scenario prevalence. A best quartile is timed
twice: "cold", its group's draws made for this answer, and "reused", made already by an
answer for another factor against the same group and seed (`whatif._best_quartile_draws`).
Prints, per case, the median and slowest of the runs (seeds 0 to runs-1) in wall-clock time,
the median processor time of this process (what the answer costs, whatever else the machine
is running), and the machine's load average.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators.statistics import whatif as w  # noqa: E402
from indicators.statistics import whatif_parameters as wp  # noqa: E402
from indicators.statistics import whatif_simulation as ws  # noqa: E402

IMR = w.Outcome("infant_mortality", 4.5, 177, 39333, 3, "2014 - 16")
SMOKING = w.Prevalence("smoking_at_delivery", 1619, 11647, "smoking at delivery", "2017/18")
BMI25 = w.Prevalence(
    "overweight_obese_bmi25", 6190, 12137, "BMI 25 or more in early pregnancy", "2017"
)
COUNCILS = ROOT / "fixtures/exports/raw/dfe_csc_90284_utla_2022-23_variant_bom_areaname.csv"


def _members() -> tuple[tuple[float, float], ...]:
    def number(text: str) -> float:
        return float(text.replace(",", ""))

    with open(COUNCILS, newline="", encoding="utf-8-sig") as handle:
        return tuple(
            (number(row["Count"]), number(row["Denominator"]))
            for row in csv.DictReader(handle)
            if row["Area Type"].startswith("Upper tier")
            and not row["Category"]
            and row["Count"]
            and row["Denominator"]
        )


def cases():
    members = _members()
    target = w.Comparator("target", value=4.481, name="a fixed target")
    england = w.Comparator("england", value=3.9172, count=7734, denominator=1974348)
    every = w.Comparator("best_quartile", value=4.0, members=members)
    eleven = w.Comparator("best_quartile", value=4.0, members=members[:11])
    return [
        ("a user's target (fixed)", SMOKING, target),
        ("England or the region (its own Gamma draws)", SMOKING, england),
        (f"best quartile of a group of {len(eleven.members)}", SMOKING, eleven),
        (f"best quartile of {len(members)} councils (every upper-tier council)", SMOKING, every),
        ("joint (smoking and BMI 25 or more), a user's target", (SMOKING, BMI25), target),
        (f"joint, best quartile of {len(members)} councils", (SMOKING, BMI25), every),
    ]


def answer(parameters, prevalence, comparator, seed):
    if isinstance(prevalence, tuple):
        return w.run_joint(
            "Lancashire", IMR, prevalence, parameters, comparator, (0.06, 0.45), seed=seed
        )
    return w.run("Lancashire", IMR, prevalence, parameters, comparator, 0.06, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    parameters = wp.latest_set(wp.read_parameter_sets(ROOT / "fixtures/whatif/relative_risks.csv"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, prevalence, comparator in cases():
        answer(parameters, prevalence, comparator, 0)  # warm up numpy
        modes = ["cold"] + (["reused"] if comparator.kind == "best_quartile" else [])
        for mode in modes:
            timings, cpu = [], []
            for seed in range(runs):
                ws._kept_best_quartile_draws.cache_clear()
                if mode == "reused":  # the group's draws made already, for another answer
                    answer(
                        parameters, BMI25 if prevalence is SMOKING else SMOKING, comparator, seed
                    )
                started, started_cpu = time.perf_counter(), time.process_time()
                answer(parameters, prevalence, comparator, seed)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            label = f"{name}, group's draws {mode}" if len(modes) > 1 else name
            print(
                f"{label}: 10,000 draws, {runs} runs: median {statistics.median(timings):.1f} ms, "
                f"slowest {max(timings):.1f} ms (processor time: median "
                f"{statistics.median(cpu):.1f} ms)"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
