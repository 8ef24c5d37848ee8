"""The action-plan fixture against the report it transcribes.

Plain pytest: no database and no Django. Counts and texts are derived here, independently, from
the project's copy of the report (``fixtures/actionplan/source_report.txt``); the fixture
(``fixtures/actionplan/plan.json``) must hold every priority area, objective, action and
performance measure of the report, in the report's order, with no invented content.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import pytest

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "actionplan"
PLAN_PATH = FIXTURE_DIR / "plan.json"
REPORT_PATH = FIXTURE_DIR / "source_report.txt"
README_PATH = FIXTURE_DIR / "README.md"

# Expected totals, as counted by hand in the report; the tests also derive them from the text.
PRIORITY_AREAS = 9
OBJECTIVES = 34
ACTIONS = 73
MEASURES = 7

# PHOF reference printed in Appendix 3 -> Fingertips indicator id.
PHOF_TO_FINGERTIPS = {
    "2.01": 20101,  # low birth weight of term babies
    "2.02i": 20201,  # breastfeeding initiation
    "2.02ii": 92517,  # breastfeeding prevalence at 6-8 weeks
    "2.03": 93085,  # smoking status at time of delivery
    "2.04": 20401,  # under 18s conceptions
}
INFANT_MORTALITY = 92196
SIX_INDICATORS = {*PHOF_TO_FINGERTIPS.values(), INFANT_MORTALITY}
# Appendix 3 prints 2.04 against the under-16s measure too; that row measures under-16
# conceptions, linked to the project's under-16 indicator (see the fixture README).
UNDER_16_CONCEPTIONS = 90639

# A leading printed number ("1.", "1.2", "14.1", "1)") or a lone bullet, then the cell's text.
LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)*\.?\)?|·)?\s*(.*)$", re.S)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def report_lines() -> tuple[str, ...]:
    return tuple(REPORT_PATH.read_text(encoding="utf-8").split("\n"))


@cache
def report_text_normalised() -> str:
    return norm("\n".join(report_lines()))


def index_of(predicate) -> int:
    return next(i for i, line in enumerate(report_lines()) if predicate(line))


@cache
def plan() -> dict:
    return json.loads(PLAN_PATH.read_text(encoding="utf-8"))


def objectives() -> list[dict]:
    return [o for area in plan()["priority_areas"] for o in area["objectives"]]


def actions() -> list[dict]:
    return [a for o in objectives() for a in o["actions"]]


# --- the report, read independently -------------------------------------------------------


def section_7_1_rows() -> list[tuple[int, str, str]]:
    """(number, key priority area, objective) rows of the section 7.1 table."""
    lines = report_lines()
    start = index_of(lambda line: line.startswith("7.1 Given"))
    end = index_of(lambda line: line.startswith("A proposed draft"))
    rows = []
    for i in range(start, end):
        match = re.match(r"^\t(\d)\. (.+)$", lines[i])
        if match:
            assert lines[i + 1].startswith("\t· ")
            rows.append((int(match[1]), norm(match[2]), norm(lines[i + 1][3:])))
    return rows


def appendix_2_region() -> list[str]:
    """The lines of the Appendix 2 table: from its header to the Appendix 3 heading."""
    lines = report_lines()
    start = index_of(lambda line: line == "\t Objectives") - 1
    end = index_of(lambda line: line.startswith("\tAPPENDIX 3"))
    assert lines[start] == "\tKey Priority Area"
    return list(lines[start:end])


def appendix_2_rows() -> list[tuple[str, str, str]]:
    """Table rows as (priority area cell, objective cell, actions cell).

    Every cell starts on a tab-indented line; the lines that follow without a tab (further
    bullets of the actions cell) belong to it.
    """
    cells: list[str] = []
    for line in appendix_2_region():
        if line.startswith("\t"):
            cells.append(line[1:])
        elif line.strip():
            cells[-1] += "\n" + line
    assert len(cells) % 3 == 0
    rows = [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]
    assert [norm(c) for c in rows[0]] == ["Key Priority Area", "Objectives", "Actions"]
    return rows[1:]


def printed_number_and_text(cell: str) -> tuple[str, str]:
    match = LEADING_NUMBER.match(norm(cell))
    return match[1] or "", match[2]


def appendix_2_action_bullets() -> list[str]:
    """Every bullet with text in Appendix 2, counted by a line pattern over the region."""
    return [norm(line.strip()[1:]) for line in appendix_2_region() if re.match(r"^\t?·\s*\S", line)]


def appendix_3_measure_lines() -> list[str]:
    lines = report_lines()
    start = index_of(lambda line: line.startswith("\tAPPENDIX 3"))
    end = index_of(lambda line: line.startswith(" Modifiable Factors"))
    return [line for line in lines[start:end] if re.match(r"^\t\d+\.\d+\.\d+\.?\s+\S", line)]


# --- the copy of the report ---------------------------------------------------------------


def test_report_copy_matches_the_checksum_in_the_readme():
    digest = hashlib.sha256(REPORT_PATH.read_bytes()).hexdigest()
    assert digest in README_PATH.read_text(encoding="utf-8")


def test_plan_header():
    header = plan()["plan"]
    assert header["starts"] == "2020-04-01"
    assert header["ends"] == "2023-03-31"
    assert "three years from 2020 to 2023" in report_text_normalised()
    assert "Lancashire County Council" in header["source"]
    assert "Draft Infant Mortality Reduction Plan" in report_text_normalised()
    assert header["title"] in report_text_normalised()


# --- priority areas -----------------------------------------------------------------------


def test_nine_priority_areas_as_in_section_7_1():
    rows = section_7_1_rows()
    areas = plan()["priority_areas"]
    assert len(rows) == len(areas) == PRIORITY_AREAS
    assert [(a["number"], a["title"], a["description"]) for a in areas] == rows


def test_each_priority_area_title_appears_in_the_report():
    for area in plan()["priority_areas"]:
        assert area["title"] in report_text_normalised(), area["title"]
        assert area["appendix_2_heading"] in report_text_normalised(), area["number"]


def test_priority_areas_follow_the_appendix_2_headings_in_order():
    headings = [
        (row_number, *printed_number_and_text(row[0]))
        for row_number, row in enumerate(appendix_2_rows(), start=1)
        if printed_number_and_text(row[0])[1]
    ]
    assert len(headings) == PRIORITY_AREAS
    assert [
        (
            a["appendix_2_heading_source_row"],
            a["appendix_2_heading_source_numbering"],
            a["appendix_2_heading"],
        )
        for a in plan()["priority_areas"]
    ] == headings
    # Each area's objectives and actions come from its own block of rows.
    starts = [row for row, _, _ in headings] + [len(appendix_2_rows()) + 1]
    for area, first, after in zip(plan()["priority_areas"], starts, starts[1:], strict=False):
        for objective in area["objectives"]:
            for item in (objective, *objective["actions"]):
                assert first <= item["source_row"] < after, item["number"]


# --- objectives ---------------------------------------------------------------------------


def test_objectives_are_every_objective_cell_of_appendix_2():
    printed = [
        (row_number, *printed_number_and_text(row[1]))
        for row_number, row in enumerate(appendix_2_rows(), start=1)
        if printed_number_and_text(row[1])[1]
    ]
    assert len(printed) == len(objectives()) == OBJECTIVES
    assert [(o["source_row"], o["source_numbering"] or "", o["text"]) for o in objectives()] == (
        printed
    )


def test_objective_numbering_is_unique_and_consecutive():
    for area in plan()["priority_areas"]:
        numbers = [o["number"] for o in area["objectives"]]
        assert numbers == [f"{area['number']}.{j}" for j in range(1, len(numbers) + 1)]
        assert numbers, area["number"]
    all_numbers = [o["number"] for o in objectives()]
    assert len(set(all_numbers)) == len(all_numbers)


# --- actions ------------------------------------------------------------------------------


def test_actions_are_every_bullet_of_appendix_2_in_order():
    bullets = appendix_2_action_bullets()
    assert len(bullets) == len(actions()) == ACTIONS
    assert [a["text"] for a in actions()] == bullets


def test_every_action_has_text_and_sits_in_its_printed_row():
    rows = appendix_2_rows()
    for action in actions():
        assert action["text"].strip(), action["number"]
        area_cell, objective_cell, actions_cell = rows[action["source_row"] - 1]
        assert action["text"] in norm(actions_cell), action["number"]
        printed = [
            printed_number_and_text(area_cell)[0],
            printed_number_and_text(objective_cell)[0],
        ]
        expected = " / ".join(p or "-" for p in printed)
        assert action["source_numbering"].startswith(expected), action["number"]


def test_action_numbering_is_unique_and_consecutive():
    for objective in objectives():
        numbers = [a["number"] for a in objective["actions"]]
        assert numbers, objective["number"]
        assert numbers == [f"{objective['number']}.{k}" for k in range(1, len(numbers) + 1)]
    all_numbers = [a["number"] for a in actions()]
    assert len(set(all_numbers)) == len(all_numbers)


def test_no_lead_partner_or_timescale_is_invented():
    # Appendix 2 has three columns only (area, objectives, actions): it names no leads,
    # partners or timescales, so the fixture must not either.
    for action in actions():
        assert action.get("lead") is None, action["number"]
        assert action.get("partners") is None, action["number"]
        assert action.get("timescale") is None, action["number"]


def test_readme_maps_every_printed_number_to_its_mended_number():
    readme = README_PATH.read_text(encoding="utf-8")
    for item in (*objectives(), *actions()):
        printed = item["source_numbering"] or "(none)"
        row = f"| {item['source_row']} | "
        assert any(
            line.startswith(row) and f"| {printed} | {item['number']} |" in line
            for line in readme.splitlines()
        ), item["number"]


# --- performance framework ----------------------------------------------------------------


def test_performance_framework_has_every_appendix_3_measure():
    measures = [printed_number_and_text(line) for line in appendix_3_measure_lines()]
    framework = plan()["performance_framework"]
    assert len(measures) == len(framework) == MEASURES
    assert [(r["source_numbering"], r["measure"]) for r in framework] == measures


def test_performance_measures_link_to_the_indicators_they_measure():
    for row in plan()["performance_framework"]:
        assert row["source"] == "Appendix 3"
        assert row["objective"] in report_text_normalised()
        fingertips_id = row["indicator_fingertips_id"]
        if row["phof_reference"] is None:
            assert "infant mortality" in row["measure"].lower()
            assert fingertips_id == INFANT_MORTALITY
        elif row["measure"].startswith("Under 16s"):
            assert row["phof_reference"] == "2.04"
            assert fingertips_id == UNDER_16_CONCEPTIONS
            assert row["phof_reference_fingertips_id"] == PHOF_TO_FINGERTIPS["2.04"]
        else:
            assert fingertips_id == PHOF_TO_FINGERTIPS[row["phof_reference"]]
            assert fingertips_id in SIX_INDICATORS
    linked = {r["indicator_fingertips_id"] for r in plan()["performance_framework"]}
    assert linked >= SIX_INDICATORS


def test_a_measure_is_linked_to_a_priority_area_only_where_the_area_names_its_subject():
    areas = {a["number"]: a["title"].lower() for a in plan()["priority_areas"]}
    linked = {}
    for row in plan()["performance_framework"]:
        if "priority_area" not in row:
            continue
        # The link is the dashboard's, never passed off as the report's.
        assert "does not link" in row["priority_area_basis"]
        subject = row["measure"].split()[0].lower()  # "breastfeeding", "smoking"
        assert subject in areas[row["priority_area"]], (row["measure"], row["priority_area"])
        linked[row["number"]] = row["priority_area"]
    assert linked == {"1.3.1": 7, "1.3.2": 7, "1.4.1": 5}


@pytest.mark.parametrize(
    ("verb", "direction"), [("Reduce", "lower is better"), ("Increase", "higher is better")]
)
def test_direction_follows_the_printed_objective(verb, direction):
    rows = [r for r in plan()["performance_framework"] if r["objective"].startswith(verb)]
    assert rows
    assert all(r["direction"] == direction for r in rows)


def test_performance_framework_numbering_is_unique_and_consecutive():
    framework = plan()["performance_framework"]
    numbers = [r["number"] for r in framework]
    assert len(set(numbers)) == len(numbers)
    objective_numbers = list(dict.fromkeys(r["objective_number"] for r in framework))
    assert objective_numbers == [f"1.{j}" for j in range(1, len(objective_numbers) + 1)]
    for objective_number in objective_numbers:
        within = [r["number"] for r in framework if r["objective_number"] == objective_number]
        assert within == [f"{objective_number}.{k}" for k in range(1, len(within) + 1)]


# --- governance and fidelity --------------------------------------------------------------


def test_governance_quotes_the_report():
    governance = plan()["governance"]
    quoted = [v["text"] for v in governance.values() if isinstance(v, dict) and "text" in v]
    quoted += [step["text"] for step in governance["next_steps"]]
    appendix_1 = governance["appendix_1"]
    quoted += [*appendix_1["bodies_as_printed"], appendix_1["vision"]]
    quoted += appendix_1["early_years_key_priority_areas"]
    for text in quoted:
        assert text in report_text_normalised(), text


def test_every_transcribed_text_is_in_the_report():
    texts = [a["description"] for a in plan()["priority_areas"]]
    texts += [o["text"] for o in objectives()] + [a["text"] for a in actions()]
    texts += [r["measure"] for r in plan()["performance_framework"]]
    for text in texts:
        assert text in report_text_normalised(), text
