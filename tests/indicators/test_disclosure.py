"""Small-number disclosure control (indicators/disclosure.py), case by case at its edges.

Written to kill the mutants mutmut made of the module (docs/ARCHITECTURE.md, Tests): each
boundary and each word is pinned, so a changed comparison or label fails here.
"""

from __future__ import annotations

import pytest

from indicators.disclosure import CountState, DisclosedCount, disclose


@pytest.mark.parametrize(
    ("count", "threshold", "state", "value"),
    [
        (None, 5, CountState.MISSING, None),
        (0, 5, CountState.SHOWN, 0),  # a zero reveals nobody
        (0.0, 5, CountState.SHOWN, 0.0),
        (1, 5, CountState.SUPPRESSED, None),  # the smallest count that names a person
        (0.5, 5, CountState.SUPPRESSED, None),  # a rounded or weighted small count
        (4, 5, CountState.SUPPRESSED, None),  # threshold - 1: still hidden
        (4.9, 5, CountState.SUPPRESSED, None),
        (5, 5, CountState.SHOWN, 5),  # the threshold itself is shown
        (6, 5, CountState.SHOWN, 6),
        (2, 3, CountState.SUPPRESSED, None),  # the threshold is the caller's, not a constant
        (3, 3, CountState.SHOWN, 3),
        (1, 1, CountState.SHOWN, 1),  # threshold 1 hides nothing
        (-1, 5, CountState.SHOWN, -1),  # not a count of people: shown as given
    ],
)
def test_disclose_hides_counts_from_one_to_below_the_threshold(count, threshold, state, value):
    disclosed = disclose(count, threshold=threshold)

    assert disclosed == DisclosedCount(value, state)
    assert disclosed.state is state


@pytest.mark.parametrize(
    ("disclosed", "text"),
    [
        (DisclosedCount(None, CountState.SUPPRESSED), "Suppressed"),
        (DisclosedCount(None, CountState.MISSING), "Missing"),
        (DisclosedCount(0, CountState.SHOWN), "0"),
        (DisclosedCount(218, CountState.SHOWN), "218"),
        (DisclosedCount(12345, CountState.SHOWN), "12,345"),
        (DisclosedCount(12345.0, CountState.SHOWN), "12,345"),
        (DisclosedCount(1234.56, CountState.SHOWN), "1,234.6"),
        (DisclosedCount(7.25, CountState.SHOWN), "7.2"),  # round half to even, one decimal
        (DisclosedCount(7.35, CountState.SHOWN), "7.3"),  # 7.35 is stored just below
    ],
)
def test_the_text_of_a_disclosed_count(disclosed, text):
    assert disclosed.text == text


def test_suppressed_and_missing_read_differently_and_keep_their_values():
    assert disclose(3, threshold=5).text == "Suppressed"
    assert disclose(None, threshold=5).text == "Missing"
    assert [state.value for state in CountState] == ["shown", "suppressed", "missing"]


def test_a_shown_count_without_a_value_is_a_programming_error():
    with pytest.raises(AssertionError):
        _ = DisclosedCount(None, CountState.SHOWN).text
