"""How public counts are shown (indicators/disclosure.py), case by case at its edges.

Written to kill the mutants mutmut made of the module (docs/ARCHITECTURE.md, Tests): each
boundary and each word is pinned, so a changed comparison or label fails here.
"""

from __future__ import annotations

import pytest

from indicators.disclosure import CountState, DisclosedCount, as_published


@pytest.mark.parametrize(
    ("count", "state", "value"),
    [
        (None, CountState.MISSING, None),
        (0, CountState.SHOWN, 0),
        (1, CountState.SHOWN, 1),  # public figures: a small count is shown as published
        (4.9, CountState.SHOWN, 4.9),
        (19, CountState.SHOWN, 19),
    ],
)
def test_a_public_count_is_shown_as_published(count, state, value):
    shown = as_published(count)

    assert shown == DisclosedCount(value, state)
    assert shown.state is state


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
    assert DisclosedCount(None, CountState.SUPPRESSED).text == "Suppressed"
    assert as_published(None).text == "Missing"
    assert [state.value for state in CountState] == ["shown", "suppressed", "missing"]


def test_a_shown_count_without_a_value_is_a_programming_error():
    with pytest.raises(AssertionError):
        _ = DisclosedCount(None, CountState.SHOWN).text
