"""The fast way in (COPY as written, checked in SQL) lands exactly what the row-by-row way does,
is taken for clean files, and sends every doubtful file the row-by-row way.

PostgreSQL only: the fast way is COPY. The row-by-row validator's rules and messages are tested
in test_import_rules.py and test_fingertips_import.py, which now run through both ways.
"""

from __future__ import annotations

import pytest
from django.db import connection

from indicators.importers import csv_shape, fingertips, staged
from indicators.models import Area, ImportRun, Indicator, Observation
from tests.conftest import EXPORTS, REAL_EXPORTS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the fast way is PostgreSQL's COPY"
)

DISTRICTS = EXPORTS / "snapshot" / "lancashire_districts_501.csv"
STORED = (
    "indicator__fingertips_id",
    "area__code",
    "sex",
    "age",
    "category_type",
    "category",
    "period_sortable",
    "period_label",
    "period_range",
    "period_start_year",
    "period_end_year",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "count",
    "denominator",
    "value_note",
    "recent_trend",
    "compared_to_england",
    "parent_comparisons",
    "compared_to_goal",
    "new_data",
    "origin",
    "area__name",
    "area__parent__code",
    "indicator__name",
)


def stored() -> list[tuple]:
    return sorted(Observation.objects.values_list(*STORED), key=repr)


def import_one(path, **kwargs):
    outcome = fingertips.import_file(path, **kwargs)
    assert outcome.status == "ok", outcome.error
    return outcome


@pytest.fixture
def row_by_row_only(monkeypatch):
    monkeypatch.setattr(staged, "stage", lambda raw, data: None)


@pytest.fixture
def validator_calls(monkeypatch):
    calls = []
    real = fingertips.validate_export

    def counted(raw):
        calls.append(raw.name)
        return real(raw)

    monkeypatch.setattr(fingertips, "validate_export", counted)
    return calls


@pytest.mark.django_db
def test_a_clean_export_goes_the_fast_way(validator_calls):
    outcome = import_one(DISTRICTS)

    assert validator_calls == []
    assert outcome.created == outcome.rows > 0
    again = import_one(DISTRICTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, outcome.rows)
    assert validator_calls == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", REAL_EXPORTS, ids=lambda p: p.name)
def test_both_ways_store_the_same_figures_names_and_warnings(path):
    fast = import_one(path)
    fast_rows, fast_run = stored(), ImportRun.objects.get(pk=fast.run_id)
    Observation.objects.all().delete()
    Area.objects.all().delete()
    Indicator.objects.filter(is_defined=False).delete()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staged, "stage", lambda raw, data: None)
        slow = import_one(path)

    assert stored() == fast_rows
    slow_run = ImportRun.objects.get(pk=slow.run_id)
    assert (slow.rows, slow.created) == (fast.rows, fast.created)
    assert slow_run.warnings == fast_run.warnings
    assert slow_run.warning_count == fast_run.warning_count


def with_cell(data: bytes, column: str, text: str, row: int = 2) -> bytes:
    """The export with one cell (spreadsheet row `row`) replaced by `text` as written."""
    lines = data.decode("utf-8-sig").split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    assert '"' not in lines[row - 1], "pick a row without quoted cells"
    cells[header.index(column)] = text
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines).encode()


def clean_row(data: bytes) -> int:
    lines = data.decode("utf-8-sig").split("\n")
    return next(i + 1 for i, line in enumerate(lines) if i and line and '"' not in line)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "text", "kind"),
    [
        ("Area Name", " Burnley", "ok"),  # a space the validator strips
        ("Value note", "<span>note</span>", "ok"),  # website markup it unwraps
        ("Value note", "'=SUM(A1)", "ok"),  # a formula our own export neutralised
        ("Count", "1_0", "ok"),  # float() reads it as 10; SQL would not
        ("Value", "12,5", "cut"),  # one cell too many: COPY would fail half way
        ("Sex", '"Persons"x', "rejected"),  # a quote a strict reader refuses
        ("Value", "1e400", "rejected"),  # no figure that large
        ("Count", "-3", "rejected"),
        ("Value", ".", "rejected"),  # a point and no digit: no number (and no SQL cast tried)
        ("Indicator ID", "092196", "ok"),  # an id written with a leading zero
    ],
)
def test_a_doubtful_file_goes_row_by_row(column, text, kind, validator_calls, tmp_path):
    data = DISTRICTS.read_bytes()
    path = tmp_path / "doubtful.csv"
    path.write_bytes(with_cell(data, column, text, clean_row(data)))

    outcome = fingertips.import_file(path)

    assert validator_calls == ["doubtful.csv"], "the row-by-row validator was not asked"
    if kind == "ok":
        assert outcome.status == "ok", outcome.error
    else:
        assert outcome.status == "rejected"
        assert "doubtful.csv, row " in outcome.error
        assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("text", "width", "whole"),
    [
        ("a,b\n1,2\n", 2, True),
        ('a,b\n"1,\n2",3\n', 2, True),  # a line break inside a quoted cell
        ('a,b\n"1, 2",3\n', 2, True),  # a space after a comma inside quotes is the cell's own
        ("a,b\r\n1,2\r\n", 2, True),
        ("a,b\n1\n", 2, False),  # a short row
        ("a,b\n\n1,2\n", 2, False),  # a blank line
        ("a,b\n1,2,3\n", 2, False),  # a long row
        ("a,b\r\n1,2\n", 2, False),  # two kinds of line ending
        ("a,b\n\\.\n", 2, False),  # COPY's end-of-data marker
        ("a,b\n1, 2\n", 2, False),  # a space at a cell's edge
        ("a,b\n1,2 \n", 2, False),
        ("a,b\n1,'=2\n", 2, False),  # a neutralised formula
    ],
)
def test_copy_takes_the_file_whole_only_when_a_strict_reader_would(text, width, whole):
    assert csv_shape.copies_whole(text, text.encode(), width) is whole


@pytest.mark.django_db
def test_the_fast_way_stores_fingertips_wording_as_the_vocabularys_values(
    validator_calls, tmp_path
):
    data = DISTRICTS.read_bytes()
    row = clean_row(data)
    data = with_cell(data, "Recent Trend", "Cannot be calculated", row)
    data = with_cell(data, "Compared to England value or percentiles", "Worse 99.8%", row)
    path = tmp_path / "worded.csv"
    path.write_bytes(data)

    import_one(path)

    assert validator_calls == []
    trends = set(Observation.objects.values_list("recent_trend", flat=True))
    assert "Could not be calculated" in trends and "Cannot be calculated" not in trends
    assert Observation.objects.filter(compared_to_england="Worst").count() == 1
    assert not Observation.objects.filter(compared_to_england__contains="%").exists()


@pytest.mark.django_db
def test_unknown_wording_goes_row_by_row_and_is_refused(validator_calls, tmp_path):
    data = DISTRICTS.read_bytes()
    path = tmp_path / "unknown.csv"
    path.write_bytes(with_cell(data, "Recent Trend", "Wobbling", clean_row(data)))

    outcome = fingertips.import_file(path)

    assert validator_calls == ["unknown.csv"]
    assert outcome.status == "rejected"
    assert "column 'Recent Trend': unknown trend 'Wobbling'" in outcome.error


# A re-import checks row by row only the rows it writes: the rest are the stored rows, figure for
# figure, held to every rule when they were stored. These hold that nothing slips through.


def reimported(tmp_path, column: str, text: str, name: str = "again.csv"):
    """The districts export imported, then again with one cell changed; the second outcome."""
    import_one(DISTRICTS)
    before = stored()
    data = DISTRICTS.read_bytes()
    path = tmp_path / name
    path.write_bytes(with_cell(data, column, text, clean_row(data)))
    return fingertips.import_file(path), before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "text", "named"),
    [
        # An empty cell given text that reads as no number: the stored row has no figure there
        # either, so only the way the cell is written tells them apart.
        ("Lower CI 99.8 limit", "abc", "Lower CI 99.8 limit"),
        ("Count", "-3", "Count"),
        ("Sex", "P" * 40, "Sex"),  # longer than the column: the database refuses the write
        ("Area Name", "B" * 201, "Area Name"),  # a name is checked once per distinct value
        ("Area Code", "E06-00008", "Area Code"),
    ],
)
def test_a_bad_cell_in_a_stored_file_is_refused_on_reimport(
    column, text, named, validator_calls, tmp_path
):
    outcome, before = reimported(tmp_path, column, text)

    assert outcome.status == "rejected"
    assert "again.csv, row " in outcome.error and f"column '{named}'" in outcome.error
    assert validator_calls == ["again.csv"]
    assert stored() == before


@pytest.mark.django_db
def test_a_reimport_that_changes_one_figure_writes_only_it_and_keeps_every_warning(
    validator_calls, tmp_path
):
    first = import_one(DISTRICTS)
    data = DISTRICTS.read_bytes()
    row = clean_row(data)
    path = tmp_path / "revised.csv"
    path.write_bytes(with_cell(data, "Count", "66", row))

    again = import_one(path)

    assert validator_calls == []
    assert (again.created, again.updated, again.unchanged) == (0, 1, first.rows - 1)
    first_run, again_run = (ImportRun.objects.get(pk=o.run_id) for o in (first, again))
    assert [w.replace("revised.csv", "") for w in again_run.warnings] == [
        w.replace(DISTRICTS.name, "") for w in first_run.warnings
    ]
    assert again_run.warning_count == first_run.warning_count > 0


def with_row_repeated(data: bytes, row: int, column: str | None = None, text: str = "") -> bytes:
    """The export with spreadsheet row `row` given again at the end (one cell changed)."""
    lines = data.decode("utf-8-sig").rstrip("\n").split("\n")
    repeat = lines[row - 1]
    if column is not None:
        header = lines[0].split(",")
        cells = repeat.split(",")
        cells[header.index(column)] = text
        repeat = ",".join(cells)
    return ("\n".join([*lines, repeat]) + "\n").encode()


@pytest.mark.django_db
def test_a_stored_row_given_twice_alike_is_folded_the_fast_way(validator_calls, tmp_path):
    first = import_one(DISTRICTS)
    before = stored()
    data = DISTRICTS.read_bytes()
    path = tmp_path / "twice.csv"
    path.write_bytes(with_row_repeated(data, clean_row(data)))

    again = import_one(path)

    assert validator_calls == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.rows + 1)
    assert stored() == before


@pytest.mark.django_db
def test_a_stored_row_given_again_with_another_figure_is_refused(validator_calls, tmp_path):
    import_one(DISTRICTS)
    before = stored()
    data = DISTRICTS.read_bytes()
    path = tmp_path / "conflict.csv"
    path.write_bytes(with_row_repeated(data, clean_row(data), "Count", "12345"))

    outcome = fingertips.import_file(path)

    assert validator_calls == ["conflict.csv"]
    assert outcome.status == "rejected"
    assert stored() == before


@pytest.fixture
def inserts(monkeypatch):
    """Each upsert the fast way makes, as whether it was a plain INSERT of new keys (`fresh`)."""
    made = []
    real = staged.upsert_observations

    def recorded(select, **kwargs):
        made.append(kwargs.get("fresh", False))
        return real(select, **kwargs)

    monkeypatch.setattr(staged, "upsert_observations", recorded)
    return made


@pytest.mark.django_db
def test_a_first_import_inserts_without_looking_keys_up_and_a_reimport_guards(inserts):
    first = import_one(DISTRICTS)
    assert inserts == [True]
    assert first.created == first.rows > 0

    again = import_one(DISTRICTS)

    assert inserts == [True, False]
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.rows)


@pytest.mark.django_db
def test_a_key_given_twice_in_a_first_import_is_folded_row_by_row(
    inserts, validator_calls, tmp_path
):
    expected = stored_after(DISTRICTS)
    data = DISTRICTS.read_bytes()
    path = tmp_path / "twice.csv"
    path.write_bytes(with_row_repeated(data, clean_row(data)))
    inserts.clear()

    outcome = import_one(path)

    # The plain INSERT met the key twice on the unique index, wrote nothing, and the file went
    # the way that names or folds a repeated key.
    assert inserts == [True]
    assert validator_calls == ["twice.csv"]
    assert outcome.created == outcome.rows - 1
    assert stored() == expected


@pytest.mark.django_db
def test_a_key_stored_by_another_import_meanwhile_is_upserted_not_refused(monkeypatch, inserts):
    expected = stored_after(DISTRICTS)
    inserts.clear()
    real = staged._insert_new

    def another_import_first():
        # One of the file's rows lands, as another import of it would, after the check that
        # nothing of its indicators is stored and before the plain INSERT.
        staged.upsert_observations(f"{staged._KEPT} LIMIT 1", fresh=True)
        return real()

    monkeypatch.setattr(staged, "_insert_new", another_import_first)
    outcome = import_one(DISTRICTS)

    assert inserts == [True, True, False]  # the row meanwhile, the plain INSERT, the guarded
    assert (outcome.created, outcome.unchanged) == (outcome.rows - 1, 1)
    assert stored() == expected


def stored_after(path) -> list[tuple]:
    """What importing `path` into a table without its rows stores; the rows are then removed."""
    import_one(path)
    rows = stored()
    Observation.objects.all().delete()
    return rows
