"""Preview, commit, history, restore and purge through `manage.py import_local_data`."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from localdata import loading, synthetic
from localdata.models import BirthsDeathsRow, MeasureRow, Upload, UploadEvent, UploadFile
from localdata.reader import MAX_BYTES

pytestmark = pytest.mark.django_db

DISTRICT = "E07000117"


@pytest.fixture
def alice():
    return User.objects.create_user("alice")


def a_file(tmp_path, name="a.csv", years=(2022, 2023), seed=1, areas=(DISTRICT,)):
    path = tmp_path / name
    path.write_bytes(
        synthetic.to_csv("A", synthetic.template_a(list(areas), list(years), seed=seed))
    )
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_local_data", *args, stdout=out)
    return out.getvalue()


def current_a():
    return sorted(
        BirthsDeathsRow.objects.filter(removed_by__isnull=True).values_list(
            "year", "area_code", "imd_decile", "live_births", "infant_deaths"
        )
    )


def test_command_loads_a_file_and_keeps_the_original(tmp_path, alice):
    path = a_file(tmp_path)
    out = run("A", str(path), "--user", "alice")
    assert "20 rows read; 20 added, 0 changed, 0 removed" in out
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.COMMITTED
    assert upload.username == "alice"
    assert upload.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert bytes(upload.original.content) == path.read_bytes()
    assert len(current_a()) == 20


def test_dry_run_writes_no_rows(tmp_path, alice):
    out = run("A", str(a_file(tmp_path)), "--user", "alice", "--dry-run")
    assert "Would load" in out
    assert BirthsDeathsRow.objects.count() == 0
    assert Upload.objects.get().status == Upload.Status.PREVIEWED


def test_rejected_file_writes_nothing_and_is_in_the_history(tmp_path, alice):
    run("A", str(a_file(tmp_path)), "--user", "alice")
    before = current_a()
    rows = synthetic.template_a([DISTRICT], [2023])
    rows[3][7] = "lots"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(synthetic.to_csv("A", rows))
    with pytest.raises(CommandError) as error:
        run("A", str(bad), "--user", "alice")
    assert 'Row 5, column live_births: not a whole number (found "lots").' in str(error.value)
    assert current_a() == before
    rejected = Upload.objects.get(status=Upload.Status.REJECTED)
    assert rejected.errors == ['Row 5, column live_births: not a whole number (found "lots").']
    assert rejected.sha256 == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert not UploadFile.objects.filter(upload=rejected).exists()  # may hold personal data


def test_command_exits_non_zero_on_rejection(tmp_path, alice):
    from django.core.management import execute_from_command_line

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"year,area_code\n2023,E07000117\n")
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(
            ["manage.py", "import_local_data", "A", str(bad), "--user", "alice"]
        )
    assert exit_.value.code == 1


def test_file_over_the_limit_is_rejected_unread(tmp_path, alice):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # a 50 MB file
    with pytest.raises(CommandError, match="File: larger than 20 MB"):
        run("A", str(big), "--user", "alice")
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.REJECTED and upload.sha256 == ""
    assert upload.size > MAX_BYTES


def test_second_upload_replaces_its_years_and_counts_changes(tmp_path, alice):
    run("A", str(a_file(tmp_path, years=(2022, 2023))), "--user", "alice")
    out = run("A", str(a_file(tmp_path, "b.csv", years=(2023,), seed=9)), "--user", "alice")
    second = Upload.objects.filter(status=Upload.Status.COMMITTED).first()
    assert second.changed + second.unchanged == 10
    assert second.removed == 0  # 2022 is not in the second file: kept
    assert "10 rows read" in out
    assert {row[0] for row in current_a()} == {2022, 2023}


def test_restore_returns_to_the_state_after_an_earlier_upload(tmp_path, alice):
    run("A", str(a_file(tmp_path)), "--user", "alice")
    first = Upload.objects.get()
    state_after_first = current_a()
    run("A", str(a_file(tmp_path, "b.csv", seed=5)), "--user", "alice")
    assert current_a() != state_after_first
    out = run("--revert", str(first.pk), "--user", "alice")
    assert f"restore of {first.pk}" in out
    assert current_a() == state_after_first
    assert Upload.objects.filter(status=Upload.Status.COMMITTED).count() == 3  # history kept


def test_commit_is_refused_if_data_changed_since_preview(tmp_path, alice):
    data = a_file(tmp_path).read_bytes()
    stale = loading.preview_file("A", data, file_name="a.csv", user=alice)
    fresh = loading.preview_file("A", data, file_name="a.csv", user=alice)
    loading.commit(fresh)
    with pytest.raises(loading.CommitRefused, match="Data changed since preview"):
        loading.commit(stale)
    assert BirthsDeathsRow.objects.filter(added_by=stale).count() == 0


def test_template_c_replaces_only_its_own_keys(tmp_path, alice):
    quarters = synthetic.quarters(2023, 4)
    path = tmp_path / "c.csv"
    path.write_bytes(synthetic.to_csv("C", synthetic.template_c("E10000017", quarters)))
    run("C", str(path), "--user", "alice")
    path.write_bytes(synthetic.to_csv("C", synthetic.template_c("E10000017", quarters[:1], seed=8)))
    run("C", str(path), "--user", "alice")
    assert MeasureRow.objects.filter(removed_by__isnull=True).count() == 4


def test_purge_deletes_the_original_and_free_text_and_is_logged(tmp_path, alice):
    rows = synthetic.template_a([DISTRICT], [2023])
    rows[0][14] = "child's name was here"
    path = tmp_path / "a.csv"
    path.write_bytes(synthetic.to_csv("A", rows))
    run("A", str(path), "--user", "alice")
    upload = Upload.objects.get()
    admin = User.objects.create_user("ada")
    loading.purge(upload, user=admin, reason="a note named a child")
    assert not UploadFile.objects.filter(upload=upload).exists()
    assert not BirthsDeathsRow.objects.filter(note__contains="name").exists()
    event = UploadEvent.objects.get()
    assert (event.username, event.reason) == ("ada", "a note named a child")
    upload.refresh_from_db()
    assert upload.purged_at is not None
