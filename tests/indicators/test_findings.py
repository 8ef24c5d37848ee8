"""Findings in plain English from structured results (indicators.findings)."""

from __future__ import annotations

from indicators import findings as f
from indicators.vocabulary import Comparison, Trend

BASE = dict(
    area="Testshire",
    measure="infant mortality rate",
    unit="per 1,000",
    period="2021 - 23",
    value=4.68,
    lower95=4.02,
    upper95=5.43,
    count=179,
    period_end_year=2023,
    current_year=2026,
)


def test_latest_value_with_period_and_interval():
    text = f.latest(f.FindingInput(**BASE))
    assert text == (
        "In 2021 - 23, Testshire's infant mortality rate was 4.7 per 1,000 "
        "(95% confidence interval 4.0 to 5.4)."
    )
    percent = f.FindingInput(**{**BASE, "unit": "%", "lower95": None})
    assert f.latest(percent) == "In 2021 - 23, Testshire's infant mortality rate was 4.7%."


def test_comparisons_say_significance_in_words_and_the_rank():
    finding = f.FindingInput(
        **BASE,
        benchmarks=[
            f.Benchmarked("England", Comparison.WORSE, 3.93),
            f.Benchmarked("the North West", Comparison.SIMILAR, 4.58),
            f.Benchmarked("nowhere", None),
        ],
        rank=f.Rank(7, 11, "its DfE statistical neighbours"),
    )
    assert f.comparisons(finding) == (
        "This is significantly worse than England (3.9) and not significantly different from "
        "the North West (4.6); it ranks 7 of 11 among its DfE statistical neighbours (1 is best)."
    )


def test_trend_and_caveats():
    finding = f.FindingInput(
        **{**BASE, "count": 12, "period_end_year": 2018}, trend=Trend.DECREASING_BETTER
    )
    assert f.trend(finding) == "The recent trend: decreasing and getting better."
    assert f.trend(f.FindingInput(**BASE, trend=Trend.NO_CHANGE)).startswith(
        "There has been no significant change"
    )
    notes = f.caveats(finding)
    assert any("12 events" in n for n in notes)
    assert any("8 years old" in n for n in notes)
    assert f.caveats(f.FindingInput(**BASE)) == []


def test_sentences_in_order_and_a_missing_value_said_so():
    finding = f.FindingInput(**BASE, benchmarks=[f.Benchmarked("England", Comparison.BETTER)])
    lines = f.sentences(finding)
    assert lines[0].startswith("In 2021 - 23") and "better than England" in lines[1]
    missing = f.sentences(f.FindingInput(**{**BASE, "value": None}))
    assert missing == ["No infant mortality rate figure is held for Testshire for 2021 - 23."]
