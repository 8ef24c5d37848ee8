"""Every validation rule of LOCAL_DATA.md section 3 on synthetic files (no database)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from localdata import synthetic
from localdata.reader import MAX_BYTES, FileProblem, read_table
from localdata.validator import Areas, validate

TODAY = date(2026, 12, 7)
HOME = "E10000017"
DISTRICTS = tuple(f"E07000{n}" for n in range(117, 129))
AREAS = Areas(
    home=HOME,
    districts=frozenset(DISTRICTS),
    unitaries=frozenset({"E06000008", "E06000009"}),
    panel_code="PAN_LANCS",
    panel_areas=frozenset({HOME, "E06000008", "E06000009"}),
    measure_areas=frozenset({"E38000050"}),
)


def check(template: str, data: bytes):
    return validate(read_table(data), template, areas=AREAS, today=TODAY)


def a_rows(**kwargs):
    return synthetic.template_a(["E07000117"], [2023], **kwargs)


def a_file(rows=None) -> bytes:
    return synthetic.to_csv("A", rows if rows is not None else a_rows())


def only_error(result) -> str:
    assert not result.ok
    assert result.records == []
    return result.errors[0]


def test_a_good_file_gives_ten_typed_records():
    result = check("A", a_file())
    assert result.ok, result.errors
    assert len(result.records) == 10
    assert result.records[0]["live_births"] > 0
    assert result.records[0]["_row"] == 2


def test_every_good_synthetic_template_passes():
    periods = ["2021/22", "2022/23", "2023/24"]
    assert check("B1", synthetic.to_csv("B1", synthetic.template_b1("PAN_LANCS", periods))).ok
    assert check("B2", synthetic.to_csv("B2", synthetic.template_b2("PAN_LANCS", periods))).ok
    c = synthetic.template_c(HOME, synthetic.quarters(2022, 8))
    assert check("C", synthetic.to_csv("C", c)).ok


def test_missing_and_extra_columns_are_named():
    text = a_file().decode().replace("stillbirths", "stilbirths")
    result = check("A", text.encode())
    assert "File: missing column stillbirths (template A)." in result.errors
    assert "File: extra column stilbirths (template A)." in result.errors


def test_personal_data_column_is_called_so():
    text = a_file().decode().splitlines()
    text = [text[0] + ",postcode"] + [line + ",PR1 1AA" for line in text[1:]]
    error = only_error(check("A", "\n".join(text).encode()))
    assert "postcode looks like personal data" in error


def test_header_of_another_template_is_the_wrong_template():
    data = synthetic.to_csv("B1", synthetic.template_b1("PAN_LANCS", ["2023/24"]))
    assert only_error(check("B2", data)).startswith("File: the header is template B1's")


def test_a_data_row_repeating_the_header_is_mixed_templates():
    lines = a_file().decode().splitlines()
    lines.insert(3, lines[0])
    assert only_error(check("A", "\n".join(lines).encode())).startswith("Row 4: repeats the header")


def test_unknown_area_code_names_row_and_column():
    rows = a_rows()
    for row in rows:
        row[2] = "E07000999"
    error = only_error(check("A", a_file(rows)))
    assert (
        error
        == 'Row 2, column area_code: not an area configured for this county (found "E07000999").'
    )


def test_a_district_in_child_death_reviews_is_refused():
    data = synthetic.to_csv("B1", synthetic.template_b1("E07000117", ["2023/24"]))
    assert "a district; child death reviews" in only_error(check("B1", data))


def test_decile_outside_one_to_ten():
    rows = a_rows()
    rows[4][6] = 11
    assert only_error(check("A", a_file(rows))) == (
        'Row 6, column imd_decile: not 1 to 10 or ALL (found "11").'
    )


def test_negative_count():
    rows = a_rows()
    rows[0][7] = -3
    assert 'Row 2, column live_births: negative; must be 0 or more (found "-3")' in only_error(
        check("A", a_file(rows))
    )


def test_deaths_above_births():
    rows = a_rows()
    rows[1][7], rows[1][8], rows[1][9], rows[1][10] = 3, 5, 5, 0
    assert only_error(check("A", a_file(rows))).startswith(
        "Row 3, column infant_deaths: more infant deaths than live births"
    )


def test_neonatal_and_postneonatal_must_add_up():
    rows = a_rows()
    rows[0][8], rows[0][9], rows[0][10] = 4, 1, 1
    assert "neonatal + postneonatal is not infant_deaths" in only_error(check("A", a_file(rows)))


def test_numerator_above_denominator_in_c():
    rows = synthetic.template_c(HOME, synthetic.quarters(2023, 2))
    rows[1][6] = 5000
    error = only_error(check("C", synthetic.to_csv("C", rows)))
    assert error.startswith("Row 3, column numerator: more than the denominator")


def test_contributory_above_present_in_b2():
    rows = synthetic.template_b2("PAN_LANCS", ["2023/24"])
    rows[0][5], rows[0][6] = 2, 3
    assert "reviews_factor_contributory: more than reviews_factor_present" in only_error(
        check("B2", synthetic.to_csv("B2", rows))
    )


def test_duplicate_key_names_both_rows():
    rows = a_rows()
    rows.append(list(rows[0]))
    result = check("A", a_file(rows))
    assert "Row 12: same key as row 2 (year, period_basis, area_code, imd_version, " in (
        only_error(result)
    )


def test_future_year_is_an_error_and_this_year_a_warning():
    future = synthetic.template_a(["E07000117"], [2027])
    assert "column year: a future year" in only_error(check("A", a_file(future)))
    current = check("A", a_file(synthetic.template_a(["E07000117"], [2026])))
    assert current.ok
    assert current.warnings[0] == "Row 2: year 2026 is this year and may be incomplete."


def test_future_quarter_in_c():
    rows = synthetic.template_c(HOME, [("2026-10-01", "2026-12-31")])
    assert "period_end: after today" in only_error(check("C", synthetic.to_csv("C", rows)))


def test_not_a_whole_quarter_in_c():
    rows = synthetic.template_c(HOME, [("2024-08-01", "2024-10-31")])
    assert "not one whole quarter" in only_error(check("C", synthetic.to_csv("C", rows)))


def test_area_year_lacking_a_decile():
    rows = a_rows()
    del rows[3]
    assert only_error(check("A", a_file(rows))) == "File: E07000117 2023 lacks imd_decile 4."


def test_basis_columns_must_be_constant():
    rows = a_rows()
    rows[5][3] = "IMD2015"
    assert only_error(check("A", a_file(rows))).startswith(
        "Row 7, column imd_version: differs from row 2"
    )


def test_all_row_must_be_the_sum_of_deciles():
    rows = a_rows()
    total = list(rows[0])
    total[6], total[7], total[8] = "ALL", sum(r[7] for r in rows) + 1, sum(r[8] for r in rows)
    total[9] = total[10] = None
    rows.append(total)
    assert "ALL is not the sum of deciles" in only_error(check("A", a_file(rows)))


def test_county_must_be_the_sum_of_its_districts():
    rows = synthetic.template_a([*DISTRICTS, HOME], [2023])
    assert "not the sum of its districts" in only_error(check("A", a_file(rows)))


def test_empty_file_and_header_only():
    with pytest.raises(FileProblem, match="File: empty"):
        read_table(b"")
    with pytest.raises(FileProblem, match="File: no data rows"):
        read_table(a_file().splitlines()[0] + b"\n")


def test_file_over_the_size_limit_is_refused_unread():
    with pytest.raises(FileProblem, match="larger than 20 MB"):
        read_table(b"x" * (MAX_BYTES + 1))


def test_text_in_a_number_column():
    rows = a_rows()
    rows[2][7] = "about 300"
    assert only_error(check("A", a_file(rows))) == (
        'Row 4, column live_births: not a whole number (found "about 300").'
    )


def test_another_encoding_names_the_row():
    rows = a_rows()
    rows[2][12] = "Gesundheitsamt Müller"
    data = synthetic.to_csv("A", rows).decode().encode("latin-1")
    with pytest.raises(FileProblem) as problem:
        read_table(data)
    assert str(problem.value) == "File: not UTF-8 at row 4; save as CSV UTF-8."


def test_byte_order_mark_is_accepted():
    assert check("A", b"\xef\xbb\xbf" + a_file()).ok


def test_blank_rows_are_skipped_but_counted():
    lines = a_file().decode().splitlines()
    lines.insert(2, ",,,,")
    result = check("A", "\n".join(lines).encode())
    assert result.ok
    assert [r["_row"] for r in result.records][:2] == [2, 4]


def workbook_bytes(rows, *, formula=False, merge=False, second_sheet=False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(synthetic.TEMPLATES["A"].names))
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["H3"] = "=H2+1"
    if merge:
        sheet.merge_cells("M2:M3")
    if second_sheet:
        book.create_sheet("notes").append(["anything", "at all"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_is_read_and_others_ignored():
    result = check("A", workbook_bytes(a_rows(), second_sheet=True))
    assert result.ok, result.errors
    assert len(result.records) == 10


def test_xlsx_formula_is_refused_with_row_and_column():
    with pytest.raises(FileProblem) as problem:
        read_table(workbook_bytes(a_rows(), formula=True))
    assert (
        str(problem.value)
        == 'Row 3, column live_births: a formula (found "=H2+1"); paste values only.'
    )


def test_xlsx_merged_cells_are_refused():
    with pytest.raises(FileProblem, match=r"merged cells \(M2:M3\)"):
        read_table(workbook_bytes(a_rows(), merge=True))


def test_old_xls_and_binary_files_are_not_csv():
    with pytest.raises(FileProblem, match=r"old Excel \.xls"):
        read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(FileProblem, match="not CSV or XLSX"):
        read_table(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_b2_factor_row_with_another_denominator_than_its_any_row_names_row_and_column():
    rows = synthetic.template_b2("PAN_LANCS", ["2023/24"])
    summary = rows[6]  # the first group's any/two_or_more row, file row 8
    assert summary[3:5] == ["any", "two_or_more"]
    rows[0][7] = summary[7] + 5
    assert only_error(check("B2", synthetic.to_csv("B2", rows))) == (
        f"Row 2, column denominator_reviews: differs from the any/two_or_more row 8 "
        f'({summary[7]}) (found "{summary[7] + 5}").'
    )


def test_b2_any_row_without_factor_rows_is_refused():
    rows = [r for r in synthetic.template_b2("PAN_LANCS", ["2023/24"]) if r[3] == "any"]
    result = check("B2", synthetic.to_csv("B2", rows))
    assert not result.ok and not result.records
    assert result.errors[0] == (
        'Row 2, column domain: any row without factor rows in its group (found "any").'
    )


def test_b2_the_specs_example_passes_the_cross_check():
    rows = [
        ["2023/24", "PAN_LANCS", "28-364d", "C_physical_environment", "unsafe_sleep", 9, 8, 20],
        [
            "2023/24",
            "PAN_LANCS",
            "28-364d",
            "B_social_family_parenting",
            "smoking_household",
            10,
            6,
            20,
        ],
        ["2023/24", "PAN_LANCS", "28-364d", "any", "two_or_more", 12, 9, 20],
    ]
    assert check("B2", synthetic.to_csv("B2", rows)).ok
