"""Run the statistics module against input -> expected test vectors (pure; no Django)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indicators import statistics as st

# The SII limits are simulated; a fixed seed keeps a check run reproducible.
SII_CHECK_SEED = 20240601
DEFAULT_REL = 1e-9
NON_CASE_SECTIONS = frozenset({"meta"})


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expected field that the implementation did not reproduce."""

    field: str
    expected: Any
    got: Any


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one test vector."""

    case_id: str
    section: str
    passed: bool
    mismatches: tuple[Mismatch, ...] = ()
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every case result plus the sections this checker does not know and so skipped."""

    results: tuple[CaseResult, ...]
    skipped_sections: tuple[str, ...]

    @property
    def passed(self) -> int:
        """Return how many cases passed."""
        return sum(result.passed for result in self.results)

    @property
    def failed(self) -> int:
        """Return how many cases failed."""
        return len(self.results) - self.passed

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        """Return the failing cases in file order."""
        return tuple(result for result in self.results if not result.passed)


@dataclass
class _Comparer:
    """Collects mismatches for one case, honouring its tolerances."""

    mismatches: list[Mismatch] = field(default_factory=list)

    def number(
        self,
        name: str,
        expected: Any,
        got: Any,
        *,
        rel: float | None = None,
        abs_: float | None = None,
    ) -> None:
        if expected is None:
            if got is not None:
                self.mismatches.append(Mismatch(name, None, got))
            return
        if got is None or not isinstance(got, int | float) or math.isnan(got):
            self.mismatches.append(Mismatch(name, expected, got))
            return
        if rel is None and abs_ is None:
            rel = DEFAULT_REL
        allowed = max((rel or 0.0) * abs(expected), abs_ or 0.0)
        if abs(float(got) - float(expected)) > allowed:
            self.mismatches.append(Mismatch(name, expected, got))

    def equal(self, name: str, expected: Any, got: Any) -> None:
        if expected != got:
            self.mismatches.append(Mismatch(name, expected, got))


def _plain(value: Any) -> Any:
    """Return enums and tuples as the plain strings and lists the JSON holds."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _level(key: str) -> float | None:
    """Return the fraction for a confidence key such as "95.0", or None if it is not one."""
    try:
        percent = float(key)
    except (TypeError, ValueError):
        return None
    return percent / 100 if 0 < percent < 100 else None


def _tolerance(case: Mapping[str, Any]) -> tuple[float | None, float | None]:
    tolerance = case.get("tolerance") or {}
    return tolerance.get("rel"), tolerance.get("abs")


def _check_interval_case(case: Mapping[str, Any], method: Callable[..., st.Estimate]) -> _Comparer:
    compare = _Comparer()
    rel, abs_ = _tolerance(case)
    expected = case["expected"]
    inputs = {"count": case.get("x"), "denominator": case.get("n")}
    inputs["multiplier"] = case.get("multiplier", 1.0)
    got = method(**inputs)
    if "value" in expected:
        compare.number("value", expected["value"], got.value, rel=rel, abs_=abs_)
    # SOURCES.md: the method is not checked where an input is missing.
    if "method" in expected and None not in (case.get("x"), case.get("n")):
        compare.equal("method", expected["method"], got.method)
    for key, limits in expected.items():
        level = _level(key)
        if level is not None:
            at_level = method(**inputs, confidence=level)
            compare.number(f"{key}.lower", limits.get("lower"), at_level.lower, rel=rel, abs_=abs_)
            compare.number(f"{key}.upper", limits.get("upper"), at_level.upper, rel=rel, abs_=abs_)
    return compare


def _check_rate_ci(case: Mapping[str, Any]) -> _Comparer:
    return _check_interval_case(case, st.crude_rate)


def _check_proportion_ci(case: Mapping[str, Any]) -> _Comparer:
    return _check_interval_case(case, st.wilson_proportion)


def _check_mean_ci(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    rel, abs_ = _tolerance(case)
    expected = case["expected"]
    got = st.mean_with_limits(case["values"])
    for name in ("value", "stdev"):
        if name in expected:
            compare.number(name, expected[name], getattr(got, name), rel=rel, abs_=abs_)
    for key, limits in expected.items():
        level = _level(key)
        if level is not None:
            at_level = st.mean_with_limits(case["values"], confidence=level)
            compare.number(f"{key}.lower", limits.get("lower"), at_level.lower, rel=rel, abs_=abs_)
            compare.number(f"{key}.upper", limits.get("upper"), at_level.upper, rel=rel, abs_=abs_)
    return compare


def _check_sii(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    inputs, options, expected = case["inputs"], case.get("options", {}), case["expected"]
    tolerance = case.get("tolerance") or {}
    levels = [float(c) for c in options.get("confidence", [0.95])]
    levels += [
        lv for lv in map(_level, expected.get("ci", {})) if lv is not None and lv not in levels
    ]
    common = {
        "quantiles": inputs.get("quantile"),
        "value_type": options.get("value_type", 0),
        "transform": options.get("transform", False),
        "multiplier": options.get("multiplier", 1),
        "confidence": levels,
        "repetitions": options.get("repetitions", 100_000),
        "seed": SII_CHECK_SEED,
    }
    if inputs.get("value") is None and inputs.get("count") is not None:
        got = st.sii_from_counts(counts=inputs["count"], populations=inputs["population"], **common)
    else:
        got = st.slope_index_of_inequality(
            populations=inputs["population"],
            values=inputs["value"],
            lower_cls=inputs.get("lower_cl"),
            upper_cls=inputs.get("upper_cl"),
            standard_errors=inputs.get("se"),
            **common,
        )
    if expected.get("status") == "cannot_be_calculated":
        compare.equal(
            "status", "cannot_be_calculated", "ok" if got.calculable else "cannot_be_calculated"
        )
        return compare
    if not got.calculable:
        compare.equal("status", "ok", f"cannot_be_calculated ({got.reason})")
        return compare
    point_rel = tolerance.get("point_rel", 1e-6)
    for name in ("sii", "rii", "intercept"):
        if name in expected:
            compare.number(name, expected[name], getattr(got, name), rel=point_rel)
    for key, bounds in expected.get("ci", {}).items():
        level = _level(key)
        limits = got.limits_for(level) if level is not None else None
        for bound, value in bounds.items():
            compare.number(
                f"ci.{key}.{bound}",
                value,
                None if limits is None else getattr(limits, bound, None),
                rel=tolerance.get("ci_rel", 0.05),
            )
    return compare


def _benchmark_levels(method: str) -> tuple[str, float | None]:
    """Return ("ci_overlap" | "two_level" | "spc_for_proportions" | "", level) for a method name."""
    name = method.lower()
    level = 0.998 if ("99.8" in name or "998" in name) else (0.95 if "95" in name else None)
    if name.startswith("ci_overlap"):
        two = ("95" in name and ("99.8" in name or "998" in name)) or "two" in name
        return ("two_level", None) if two else ("ci_overlap", level)
    if name.startswith("spc_for_proportions"):
        return "spc_for_proportions", level
    return "", None


def _check_benchmark(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    kind, level = _benchmark_levels(str(case.get("method", "")))
    common = {
        "value": case.get("value"),
        "benchmark": case.get("benchmark_value"),
        "polarity": case["polarity"],
    }
    if kind == "ci_overlap" and level is not None:
        suffix = "95" if level == 0.95 else "998"
        got = st.compare_ci_overlap(
            lower=case.get(f"lower{suffix}"), upper=case.get(f"upper{suffix}"), **common
        )
    elif kind == "two_level":
        got = st.compare_ci_overlap_two_levels(
            lower95=case.get("lower95"),
            upper95=case.get("upper95"),
            lower998=case.get("lower998"),
            upper998=case.get("upper998"),
            **common,
        )
    elif kind == "spc_for_proportions" and level is not None:
        got = st.compare_spc_for_proportions(
            denominator=case.get("denominator"),
            confidence=level,
            multiplier=case.get("multiplier", 100.0),
            **common,
        )
    else:
        compare.equal("method", case.get("method"), "unsupported benchmark method")
        return compare
    compare.equal("label", case["expected"], _plain(got))
    return compare


def _check_recent_trend(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    points = [
        st.TrendPoint(
            period=p["period"],
            value=p.get("value"),
            lower95=p.get("lower95"),
            upper95=p.get("upper95"),
            count=p.get("count"),
            denominator=p.get("denominator"),
        )
        for p in case["points"]
    ]
    got = st.recent_trend(
        points,
        polarity=case["polarity"],
        method=case.get("method", "ci"),
        period_length_years=case.get("period_length_years", 1),
    )
    expected = case["expected"]
    tolerance = case.get("tolerance") or {}
    rel = tolerance.get("chi_squared_rel", 1e-6)
    compare.equal("marker", expected.get("marker"), _plain(got.marker))
    if "label" in expected:
        compare.equal("label", expected["label"], got.label)
    if "chi_squared" in expected:
        compare.number("chi_squared", expected["chi_squared"], got.chi_squared, rel=rel)
    if "slope" in expected:
        compare.number("slope", expected["slope"], got.slope, rel=tolerance.get("slope_rel", rel))
    return compare


def _check_spc(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    got = st.xmr_chart(
        case["values"],
        improvement_direction=case.get("improvement_direction", "neutral"),
        screen_outliers=case.get("screen_outliers", True),
        fix_after_n_points=case.get("fix_after_n_points"),
        rebase_at=case.get("rebase_at", ()),
        target=case.get("target"),
    )
    expected = case["expected"]
    limits_abs = (case.get("tolerance") or {}).get("limits_abs", 1e-6)
    for name in ("mean", "lpl", "upl"):
        if name in expected:
            compare.number(name, expected[name], getattr(got, name), abs_=limits_abs)
    for name, published in (expected.get("limits_published") or {}).items():
        # Published figures are rounded to 2 dp, so the result need only round to them.
        compare.number(
            f"limits_published.{name}", published, getattr(got, name, None), abs_=0.005 + 1e-9
        )
    if "special_cause_type" in expected:
        compare.equal(
            "special_cause_type",
            expected["special_cause_type"],
            [p.special_cause_type for p in got.points],
        )
    if "point_type" in expected:
        compare.equal(
            "point_type", expected["point_type"], [_plain(p.point_type) for p in got.points]
        )
    if "variation_icon" in expected:
        compare.equal("variation_icon", expected["variation_icon"], _plain(got.variation_icon))
    if "assurance" in expected:
        compare.equal(
            "assurance",
            expected["assurance"],
            None if got.assurance is None else _plain(got.assurance),
        )
    return compare


def _check_funnel(case: Mapping[str, Any]) -> _Comparer:
    compare = _Comparer()
    rows = case["data"]
    statistic = case.get("statistic", "proportion")
    counts = [row.get("count") for row in rows]
    if statistic == "rate":
        got = st.funnel_significance_rates(
            counts=counts,
            multiplier=case["multiplier"],
            denominators=[row.get("denominator") for row in rows],
            rates=[row.get("rate") for row in rows] if any("rate" in row for row in rows) else None,
            rate_type=case.get("rate_type", "crude"),
        )
    elif statistic == "proportion":
        got = st.funnel_significance_proportions(counts, [row.get("denominator") for row in rows])
    else:
        compare.equal("statistic", statistic, "unsupported funnel statistic")
        return compare
    compare.equal("significance", case["expected"]["significance"], _plain(got))
    return compare


_CHECKERS: dict[str, Callable[[Mapping[str, Any]], _Comparer]] = {
    "rate_ci": _check_rate_ci,
    "proportion_ci": _check_proportion_ci,
    "mean_ci": _check_mean_ci,
    "sii": _check_sii,
    "benchmark": _check_benchmark,
    "recent_trend": _check_recent_trend,
    "spc": _check_spc,
    "funnel": _check_funnel,
}

# Expected fields each section knows how to check; anything else is reported as unchecked.
_KNOWN_EXPECTED = {
    "rate_ci": {"value", "method"},
    "proportion_ci": {"value", "method"},
    "mean_ci": {"value", "stdev"},
    "sii": {"sii", "rii", "intercept", "ci", "status", "reason"},
    "recent_trend": {"marker", "label", "chi_squared", "slope"},
    "spc": {"mean", "lpl", "upl", "special_cause_type", "point_type", "limits_published"}
    | {"variation_icon", "assurance"},
    "funnel": {"significance"},
}


def _unchecked(section: str, case: Mapping[str, Any]) -> tuple[str, ...]:
    expected = case.get("expected") if isinstance(case, Mapping) else None
    if not isinstance(expected, Mapping) or section not in _KNOWN_EXPECTED:
        return ()
    known = _KNOWN_EXPECTED[section]
    return tuple(key for key in expected if key not in known and _level(key) is None)


def check_vectors(vectors: Mapping[str, Any]) -> CheckReport:
    """Check every case of every known section; unknown sections are listed as skipped."""
    results: list[CaseResult] = []
    skipped: list[str] = []
    for section, cases in vectors.items():
        if section in NON_CASE_SECTIONS:
            continue
        checker = _CHECKERS.get(section)
        if checker is None or not isinstance(cases, Sequence) or isinstance(cases, str):
            skipped.append(section)
            continue
        for number, case in enumerate(cases):
            results.append(_run_case(section, number, case, checker))
    return CheckReport(tuple(results), tuple(skipped))


def _run_case(
    section: str,
    number: int,
    case: Mapping[str, Any],
    checker: Callable[[Mapping[str, Any]], _Comparer],
) -> CaseResult:
    case_id = (
        str(case.get("id", f"{section}[{number}]"))
        if isinstance(case, Mapping)
        else f"{section}[{number}]"
    )
    try:
        mismatches = tuple(checker(case).mismatches)
    except Exception as error:
        # A case that crashes the implementation is a failed case, not a crashed run.
        mismatches = (Mismatch("(run)", "a result", f"{type(error).__name__}: {error}"),)
    return CaseResult(case_id, section, not mismatches, mismatches, _unchecked(section, case))
