"""The vocabulary: each word once, and Fingertips' wording parsed into it."""

import pytest

from indicators.vocabulary import (
    Comparison,
    Direction,
    Polarity,
    Rag,
    Trend,
    TrendMarker,
    UnknownWording,
    parse_comparison,
    parse_direction,
    parse_polarity,
    parse_trend,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Better", Comparison.BETTER),
        ("Better 95%", Comparison.BETTER),
        ("Worse 95%", Comparison.WORSE),
        ("Better 99.8%", Comparison.BEST),
        ("Worse 99.8%", Comparison.WORST),
        ("Similar", Comparison.SIMILAR),
        ("Not compared", Comparison.NOT_COMPARED),
        ("Lower", Comparison.LOWER),
        ("", None),
        (None, None),
    ],
)
def test_fingertips_comparisons_parse_into_the_vocabulary(text, expected):
    assert parse_comparison(text) is expected


@pytest.mark.parametrize(
    ("text", "expected", "movement"),
    [
        ("Increasing and getting worse", Trend.INCREASING_WORSE, -1),
        ("Decreasing and getting better", Trend.DECREASING_BETTER, 1),
        ("Increasing and getting better", Trend.INCREASING_BETTER, 1),
        ("No significant change", Trend.NO_CHANGE, 0),
        ("Cannot be calculated", Trend.CANNOT_BE_CALCULATED, None),
        ("Could not be calculated", Trend.CANNOT_BE_CALCULATED, None),
        ("Decreasing", Trend.DECREASING, None),
    ],
)
def test_fingertips_trends_parse_into_verdicts(text, expected, movement):
    verdict = parse_trend(text)
    assert verdict is expected
    assert verdict.movement == movement


def test_unknown_wording_is_refused_not_guessed():
    with pytest.raises(UnknownWording, match="Splendid"):
        parse_comparison("Splendid 95%")
    with pytest.raises(UnknownWording):
        parse_trend("Sideways")
    with pytest.raises(UnknownWording):
        parse_polarity("Up is good")


def test_trend_verdict_applies_polarity():
    assert Trend.of(TrendMarker.INCREASING, Polarity.LOW_IS_GOOD) is Trend.INCREASING_WORSE
    assert Trend.of(TrendMarker.DECREASING, Polarity.HIGH_IS_GOOD) is Trend.DECREASING_WORSE
    assert Trend.of(TrendMarker.INCREASING, Polarity.BOB) is Trend.INCREASING
    assert Trend.of(TrendMarker.NO_CHANGE, Polarity.LOW_IS_GOOD) is Trend.NO_CHANGE


def test_polarity_and_direction_agree():
    assert parse_polarity("RAG – Low is good") is Polarity.LOW_IS_GOOD
    assert parse_direction("RAG - High is good") is Direction.HIGHER
    assert parse_direction("Lower is better") is Direction.LOWER
    assert Direction.LOWER.polarity is Polarity.LOW_IS_GOOD
    with pytest.raises(UnknownWording):
        parse_direction("BOB - Blue orange blue")


def test_out_of_date_is_proposed_but_stored_as_not_rated():
    assert Rag.OUT_OF_DATE.label == "Not rated: data out of date"
    assert Rag.OUT_OF_DATE.stored is Rag.NOT_RATED
    assert "out_of_date" not in dict(Rag.choices)


def test_comparison_in_words():
    assert Comparison.of("") is Comparison.NOT_COMPARED
    assert Comparison.WORSE.describe("England") == "Worse than England"
    assert Comparison.NOT_COMPARED.describe("the North West") == "Not compared with the North West"


def test_one_polarity_with_the_stored_values_the_api_documents():
    # The model's choices and the engine's enum are one: "No judgement" is BOB's other name.
    assert Polarity.NO_JUDGEMENT is Polarity.BOB
    assert Polarity.values == [
        "RAG - Low is good",
        "RAG - High is good",
        "BOB - Blue orange blue",
        "Not applicable",
    ]
    assert parse_polarity("No judgement") is Polarity.BOB


def test_the_home_pages_comparison_cells_speak_the_vocabulary():
    from django.template import Context, Template

    cell = Template("{% load dashboard %}{{ c|comparison_label|slugify }} {{ c|comparison_label }}")
    assert cell.render(Context({"c": ""})) == "not-compared Not compared"
    assert cell.render(Context({"c": "Worst"})) == "worst Worst"
