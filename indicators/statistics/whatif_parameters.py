"""The relative risks a what-if uses (WHATIF specification, section 3), read from data.

Pure (stdlib). Relative risks are data (`fixtures/whatif/relative_risks.csv`), read by
`read_parameter_sets`; each row names its outcome and factor from the words below.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ._common import InvalidInput

Z95 = 1.959964

OUTCOMES = {"infant_mortality": "infant deaths", "stillbirth": "stillbirths"}
OUTCOME_NAMES = {"infant_mortality": "infant mortality", "stillbirth": "stillbirth"}
FACTOR_PHRASES = {
    "smoking_at_delivery": ("smoking at delivery", "smoking at delivery"),
    "obese_bmi30": ("obesity (BMI 30 or more) in early pregnancy", "with a BMI of 30 or more"),
    "overweight_obese_bmi25": (
        "a BMI of 25 or more in early pregnancy",
        "with a BMI of 25 or more",
    ),
    "mother_under_20": ("mothers aged under 20", "aged under 20 giving birth"),
}


@dataclass(frozen=True, slots=True)
class RelativeRisk:
    factor: str
    outcome: str
    exposure: str
    rr: float
    lower: float | None
    upper: float | None
    interval_kind: str
    changeable: bool
    citation: str
    reviewer: str
    reviewed_on: str
    note: str

    @property
    def log_se(self) -> float | None:
        """SE of ln RR from the 95% interval; None when there is no interval (held fixed)."""
        if self.lower is None or self.upper is None:
            return None
        return (math.log(self.upper) - math.log(self.lower)) / (2 * Z95)


@dataclass(frozen=True, slots=True)
class ParameterSet:
    name: str
    version: int
    dated: str
    risks: tuple[RelativeRisk, ...]

    def risk(self, factor: str, outcome: str) -> RelativeRisk:
        for risk in self.risks:
            if risk.factor == factor and risk.outcome == outcome:
                return risk
        raise InvalidInput(f"no relative risk for {factor} and {outcome} in {self.label}")

    @property
    def label(self) -> str:
        return f"parameter set {self.name!r} version {self.version} ({self.dated})"


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


INTERVAL_KINDS = ("published", "derived", "assumed")


def _row_problem(key: tuple[str, int], risk: RelativeRisk, earlier) -> str:
    """What section 3 asks of a row and this one lacks, or ""."""
    if key[1] < 1:
        return f"version must be a whole number from 1, got {key[1]}"
    if not key[0].strip():
        return "the parameter set has no name"
    if not risk.exposure.strip():
        return "the exposure definition is missing"
    if not risk.citation.strip():
        return "the citation is missing"
    if risk.interval_kind not in INTERVAL_KINDS:
        return f"interval kind {risk.interval_kind!r} is not published, derived or assumed"
    if (risk.lower is None) != (risk.upper is None):
        return "give both ends of the interval or neither"
    if risk.lower is not None and not (0 < risk.lower <= risk.rr <= risk.upper):
        return f"the interval {risk.lower} to {risk.upper} does not hold the rr {risk.rr}"
    if any((r.factor, r.outcome) == (risk.factor, risk.outcome) for r in earlier):
        return f"{risk.factor} and {risk.outcome} are given twice in version {key[1]}"
    return ""


def read_parameter_sets(path: Path | str) -> dict[tuple[str, int], ParameterSet]:
    """Every (name, version) set in the relative-risks file; errors name the row and column."""
    rows: dict[tuple[str, int], list[RelativeRisk]] = {}
    dates: dict[tuple[str, int], str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            column = "version"
            try:
                key = (row["parameter_set"], int(row["version"]))
                set_date = row["set_date"]
                column = "rr"
                risk = RelativeRisk(
                    factor=row["factor"],
                    outcome=row["outcome"],
                    exposure=row["exposure"],
                    rr=float(row["rr"]),
                    lower=_optional_float(row["lower"]),
                    upper=_optional_float(row["upper"]),
                    interval_kind=row["interval_kind"],
                    changeable=row["changeable"] == "yes",
                    citation=row["citation"],
                    reviewer=row["reviewer"],
                    reviewed_on=row["reviewed_on"],
                    note=row["note"],
                )
            except (KeyError, ValueError) as error:
                raise InvalidInput(f"{path}, row {number}, column {column}: {error}") from None
            if risk.rr <= 0 or risk.outcome not in OUTCOMES or risk.factor not in FACTOR_PHRASES:
                raise InvalidInput(f"{path}, row {number}: factor, outcome or rr is not valid")
            problem = _row_problem(key, risk, rows.get(key, ()))
            if problem:
                raise InvalidInput(f"{path}, row {number}: {problem}")
            rows.setdefault(key, []).append(risk)
            dates[key] = set_date
    return {key: ParameterSet(key[0], key[1], dates[key], tuple(r)) for key, r in rows.items()}


def latest_set(sets: dict[tuple[str, int], ParameterSet], name: str = "default") -> ParameterSet:
    versions = [version for set_name, version in sets if set_name == name]
    if not versions:
        raise InvalidInput(f"no parameter set named {name!r}")
    return sets[(name, max(versions))]
