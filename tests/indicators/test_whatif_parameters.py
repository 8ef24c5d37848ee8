"""The relative-risks reader (WHATIF.md section 3, fixtures/whatif/SOURCES.md): every
(name, version) set read whole, and each bad row refused with its row (and column) named."""

from __future__ import annotations

import csv

import pytest

from indicators.statistics import InvalidInput
from indicators.statistics import whatif_parameters as wp

COLUMNS = [
    "parameter_set",
    "version",
    "set_date",
    "factor",
    "outcome",
    "exposure",
    "rr",
    "lower",
    "upper",
    "interval_kind",
    "changeable",
    "citation",
    "reviewer",
    "reviewed_on",
    "note",
]
GOOD = {
    "parameter_set": "default",
    "version": "1",
    "set_date": "2026-12-01",
    "factor": "smoking_at_delivery",
    "outcome": "infant_mortality",
    "exposure": "smoking at delivery",
    "rr": "1.40",
    "lower": "1.30",
    "upper": "1.51",
    "interval_kind": "assumed",
    "changeable": "yes",
    "citation": "Salihu HM et al. 2003",
    "reviewer": "A Reviewer",
    "reviewed_on": "2026-12-02",
    "note": "a note",
}
STILLBIRTH = {**GOOD, "outcome": "stillbirth", "rr": "1.46", "lower": "", "upper": ""}


def write(tmp_path, *rows, columns=COLUMNS):
    path = tmp_path / "relative_risks.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_every_field_of_a_row_is_read(tmp_path):
    sets = wp.read_parameter_sets(write(tmp_path, GOOD, STILLBIRTH))
    assert list(sets) == [("default", 1)]
    chosen = sets[("default", 1)]
    assert (chosen.name, chosen.version, chosen.dated) == ("default", 1, "2026-12-01")
    assert chosen.label == "parameter set 'default' version 1 (2026-12-01)"
    assert chosen.risk("smoking_at_delivery", "infant_mortality") == wp.RelativeRisk(
        "smoking_at_delivery",
        "infant_mortality",
        "smoking at delivery",
        1.40,
        1.30,
        1.51,
        "assumed",
        True,
        "Salihu HM et al. 2003",
        "A Reviewer",
        "2026-12-02",
        "a note",
    )
    stillbirth = chosen.risk("smoking_at_delivery", "stillbirth")
    assert (stillbirth.rr, stillbirth.lower, stillbirth.upper) == (1.46, None, None)
    assert stillbirth.changeable is True
    assert (
        wp.read_parameter_sets(write(tmp_path, {**GOOD, "changeable": "no"}))[("default", 1)]
        .risks[0]
        .changeable
        is False
    )
    assert (
        wp.read_parameter_sets(write(tmp_path, {**GOOD, "lower": " ", "upper": " "}))[
            ("default", 1)
        ]
        .risks[0]
        .lower
        is None
    )


def test_versions_and_sets_are_kept_apart_and_the_latest_is_chosen(tmp_path):
    rows = [
        GOOD,
        {**GOOD, "version": "2", "set_date": "2026-12-05", "rr": "1.45", "upper": "1.55"},
        {**GOOD, "parameter_set": "local", "version": "7", "set_date": "2026-12-06"},
        {**GOOD, "version": "3", "set_date": "2026-12-04", "rr": "1.50", "upper": "1.60"},
    ]
    sets = wp.read_parameter_sets(write(tmp_path, *rows))
    assert sorted(sets) == [("default", 1), ("default", 2), ("default", 3), ("local", 7)]
    latest = wp.latest_set(sets)
    assert (latest.version, latest.dated, latest.risks[0].rr) == (3, "2026-12-04", 1.50)
    assert wp.latest_set(sets, "local").version == 7
    assert wp.latest_set(sets, name="local").name == "local"
    with pytest.raises(InvalidInput, match="no parameter set named 'other'"):
        wp.latest_set(sets, "other")


def test_a_missing_risk_names_the_set(tmp_path):
    chosen = wp.read_parameter_sets(write(tmp_path, GOOD))[("default", 1)]
    with pytest.raises(
        InvalidInput,
        match=r"no relative risk for obese_bmi30 and infant_mortality in parameter set "
        r"'default' version 1 \(2026-12-01\)",
    ):
        chosen.risk("obese_bmi30", "infant_mortality")
    with pytest.raises(InvalidInput, match="no relative risk for smoking_at_delivery and still"):
        chosen.risk("smoking_at_delivery", "stillbirth")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"version": "one"}, "row 3, column version: invalid literal"),
        ({"version": "1.5"}, "row 3, column version"),
        ({"version": "0"}, "row 3: version must be a whole number from 1, got 0"),
        ({"version": "-2"}, "row 3: version must be a whole number from 1, got -2"),
        ({"rr": "high"}, "row 3, column rr: could not convert"),
        ({"lower": "low"}, "row 3, column rr: could not convert"),
        ({"rr": "0"}, "row 3: factor, outcome or rr is not valid"),
        ({"rr": "-1.4"}, "row 3: factor, outcome or rr is not valid"),
        ({"factor": "smoking"}, "row 3: factor, outcome or rr is not valid"),
        ({"outcome": "neonatal_mortality"}, "row 3: factor, outcome or rr is not valid"),
        ({"parameter_set": " "}, "row 3: the parameter set has no name"),
        ({"exposure": ""}, "row 3: the exposure definition is missing"),
        ({"citation": ""}, "row 3: the citation is missing"),
        ({"citation": "  "}, "row 3: the citation is missing"),
        ({"interval_kind": "guessed"}, "row 3: interval kind 'guessed' is not published"),
        ({"interval_kind": ""}, "row 3: interval kind '' is not published"),
        ({"upper": ""}, "row 3: give both ends of the interval or neither"),
        ({"lower": ""}, "row 3: give both ends of the interval or neither"),
        ({"lower": "1.45"}, "row 3: the interval 1.45 to 1.51 does not hold the rr 1.4"),
        ({"upper": "1.35"}, "row 3: the interval 1.3 to 1.35 does not hold the rr 1.4"),
        ({"lower": "0", "rr": "0.5"}, "row 3: the interval 0.0 to 1.51 does not hold"),
        ({"outcome": "infant_mortality"}, "row 3: smoking_at_delivery and infant_mortality are "),
    ],
)
def test_a_bad_row_is_refused_with_its_row_named(tmp_path, change, message):
    # Row 2 is good; row 3 (the file's third line) is the stillbirth row with the change.
    bad = {**STILLBIRTH, "lower": "1.30", "upper": "1.51", "rr": "1.40", **change}
    path = write(tmp_path, GOOD, bad)
    with pytest.raises(InvalidInput, match=message) as refused:
        wp.read_parameter_sets(path)
    assert str(refused.value).startswith(f"{path}, row 3")


def test_interval_ends_equal_to_the_rr_are_accepted(tmp_path):
    row = {**GOOD, "lower": "1.40", "upper": "1.40"}
    assert wp.read_parameter_sets(write(tmp_path, row))[("default", 1)].risks[0].lower == 1.40
    protective = {**GOOD, "rr": "0.9", "lower": "0.8", "upper": "1.0"}
    assert wp.read_parameter_sets(write(tmp_path, protective))[("default", 1)].risks[0].rr == 0.9


def test_the_same_factor_in_two_versions_is_no_duplicate(tmp_path):
    sets = wp.read_parameter_sets(write(tmp_path, GOOD, {**GOOD, "version": "2"}))
    assert sorted(sets) == [("default", 1), ("default", 2)]


@pytest.mark.parametrize("missing", ["citation", "interval_kind", "exposure", "set_date"])
def test_a_missing_column_is_refused_with_the_row_named(tmp_path, missing):
    columns = [c for c in COLUMNS if c != missing]
    path = write(tmp_path, GOOD, columns=columns)
    with pytest.raises(InvalidInput, match=f"row 2, column (rr|version): '{missing}'"):
        wp.read_parameter_sets(path)


def test_a_file_without_version_column_names_the_version(tmp_path):
    path = write(tmp_path, GOOD, columns=[c for c in COLUMNS if c != "version"])
    with pytest.raises(InvalidInput, match="row 2, column version: 'version'"):
        wp.read_parameter_sets(path)


def test_the_projects_file_passes_every_check():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "fixtures" / "whatif" / "relative_risks.csv"
    sets = wp.read_parameter_sets(path)
    assert all(risk.citation and risk.interval_kind for s in sets.values() for risk in s.risks)
