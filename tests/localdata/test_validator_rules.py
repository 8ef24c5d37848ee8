"""The rules of LOCAL_DATA.md section 3 that test_validator.py did not yet test, one test each
(F4 repeated column; R1 empty required cell, value off its list, text too long; R2 an area not
configured for its area_type; R3 neonatal above infant; R4 B1 modifiable and insufficient above
reviewed, B2 present above denominator, B2 `any` only with `two_or_more`; R5 target outside
0-100, denominator 0, a month that is not whole; R7 a B review period starting after today and
an A extract date after today). Each names its row and column and rejects the whole file.

B2 has no sum rule to enforce: the specification says its rows do not sum (a review records
several factors), and its own example (unsafe_sleep 9 and smoking_household 10 beside
two_or_more 12 of 20) would fail any "two_or_more is at most half the factor rows" bound. What
B2 does enforce across rows is tested in test_validator.py (one denominator per group; an `any`
row needs factor rows).
"""

from __future__ import annotations

from localdata import synthetic
from tests.localdata.test_validator import HOME, a_file, a_rows, check, only_error


def b2(rows) -> str:
    return only_error(check("B2", synthetic.to_csv("B2", rows)))


def c(rows) -> str:
    return only_error(check("C", synthetic.to_csv("C", rows)))


def test_f4_a_repeated_column_is_named():
    lines = a_file().decode().splitlines()
    lines = [lines[0] + ",note"] + [line + "," for line in lines[1:]]
    result = check("A", "\n".join(lines).encode())
    assert "File: repeated column note (template A)." in result.errors
    assert not result.records


def test_r1_an_empty_required_cell_names_row_and_column():
    rows = a_rows()
    rows[3][12] = ""
    assert only_error(check("A", a_file(rows))) == (
        'Row 5, column source: required; the cell is empty (found "").'
    )


def test_r1_a_value_off_its_list_lists_what_is_allowed():
    rows = a_rows()
    for row in rows:
        row[1] = "death_date"
    assert only_error(check("A", a_file(rows))) == (
        "Row 2, column period_basis: not one of registration, occurrence, birth_cohort "
        '(found "death_date").'
    )


def test_r1_text_longer_than_its_column():
    rows = a_rows()
    rows[0][14] = "x" * 501
    assert only_error(check("A", a_file(rows))).startswith(
        "Row 2, column note: longer than 500 characters"
    )


def test_r2_an_area_not_configured_for_its_area_type_in_c():
    rows = synthetic.template_c(HOME, synthetic.quarters(2023, 2))
    rows[0][4] = "SUB_ICB"  # the county is an upper-tier council, not a sub-ICB location
    assert c(rows) == (f'Row 2, column area_code: not a configured SUB_ICB area (found "{HOME}").')


def test_r3_neonatal_above_infant_deaths():
    rows = a_rows()
    rows[0][8], rows[0][9], rows[0][10] = 2, 3, None
    assert only_error(check("A", a_file(rows))) == (
        'Row 2, column neonatal_deaths: more than infant_deaths (found "3").'
    )


def test_r4_b1_modifiable_and_insufficient_above_reviewed():
    rows = synthetic.template_b1("PAN_LANCS", ["2023/24"])
    reviewed = rows[0][4]
    rows[0][5] = reviewed + 1
    rows[1][6] = rows[1][4] + 2
    result = check("B1", synthetic.to_csv("B1", rows))
    assert result.errors == [
        f"Row 2, column reviews_with_modifiable_factors: more than deaths_reviewed "
        f'(found "{reviewed + 1}").',
        f"Row 3, column reviews_insufficient_information: more than deaths_reviewed "
        f'(found "{rows[1][4] + 2}").',
    ]
    assert not result.records


def test_r4_b2_present_above_its_denominator():
    rows = synthetic.template_b2("PAN_LANCS", ["2023/24"])
    rows[0][5] = rows[0][7] + 1
    assert f'reviews_factor_present: more than denominator_reviews (found "{rows[0][7] + 1}")' in (
        b2(rows)
    )


def test_b2_any_goes_with_two_or_more_only():
    rows = synthetic.template_b2("PAN_LANCS", ["2023/24"])
    rows[0][3] = "any"  # a factor row under the domain `any`
    assert b2(rows).startswith(
        "Row 2, column domain: any goes with factor two_or_more only, and only there"
    )
    rows = synthetic.template_b2("PAN_LANCS", ["2023/24"])
    summary = next(r for r in rows if r[4] == "two_or_more")
    summary[3] = "A_child"  # two_or_more under a real domain
    assert "any goes with factor two_or_more only" in b2(rows)


def test_r5_target_outside_0_to_100():
    rows = synthetic.template_c(HOME, synthetic.quarters(2023, 2), target=101)
    assert c(rows) == 'Row 2, column target: above 100 (found "101").'


def test_r5_a_denominator_of_zero():
    rows = synthetic.template_c(HOME, synthetic.quarters(2023, 2))
    rows[0][6], rows[0][7] = 0, 0
    assert c(rows) == 'Row 2, column denominator: must be more than 0 (found "0").'


def test_r5_a_month_that_is_not_whole():
    rows = synthetic.template_c(HOME, [("2024-07-01", "2024-07-30")])
    rows[0][1] = "month"
    assert "period_start to period_end is not one whole month" in c(rows)
    rows[0][3] = "2024-07-31"
    assert check("C", synthetic.to_csv("C", rows)).ok


def test_r7_a_review_period_starting_after_today():
    rows = synthetic.template_b1("PAN_LANCS", ["2027/28"])
    assert only_error(check("B1", synthetic.to_csv("B1", rows))) == (
        'Row 2, column review_period: starts after today (found "2027/28").'
    )


def test_r7_an_extract_date_after_today():
    rows = a_rows()
    rows[0][13] = "2027-01-31"
    assert only_error(check("A", a_file(rows))) == (
        'Row 2, column extract_date: after today (found "2027-01-31").'
    )
