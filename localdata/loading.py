"""The one way local data are written: read → validate → preview → commit (the "load" stage).

The upload page and `manage.py import_local_data` both call `preview_file` then `commit`;
`preview_restore` and `purge` are the other writes. Every attempt, rejected ones included, is an
`Upload` row; only accepted files keep their bytes. What a file would change is `comparing`'s;
its warnings against Fingertips are `published_checks`'.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.configuration import areas_config
from localdata.comparing import Diff, compare
from localdata.models import ROW_MODELS, TemplateState, Upload, UploadEvent, UploadFile
from localdata.published_checks import fingertips_warnings
from localdata.reader import MAX_BYTES, FileProblem, read_table
from localdata.schema import TEMPLATES
from localdata.validator import Areas, validate

RECORDS_SECONDS = 3600
SHOWN_ERRORS = 50


class CommitRefused(Exception):
    """The data changed since the preview, or the upload is not a preview."""


def configured_areas() -> Areas:
    """What each template may name, from the areas file in force."""
    config = areas_config()
    panel = config.child_death_review_panel
    return Areas(
        home=config.home.code,
        districts=frozenset(d.code for d in config.districts),
        unitaries=frozenset(n.code for n in config.neighbours),
        panel_code=panel.code if panel else None,
        panel_areas=frozenset(panel.areas) if panel else frozenset(),
        measure_areas=frozenset(a.code for a in config.quarterly_measure_areas),
    )


def _latest_id(template: str) -> int | None:
    state = TemplateState.objects.filter(template=template).first()
    return state.latest_id if state else None


def _user_fields(user) -> dict:
    return {"user": user if getattr(user, "pk", None) else None, "username": user.get_username()}


def preview_file(
    template: str, data: bytes, *, file_name: str, user, today: date | None = None
) -> Upload:
    """Read, validate and compare a file with the current data; keep the attempt."""
    today = today or timezone.localdate()
    upload = Upload(
        template=template,
        file_name=file_name[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        base_upload_id=_latest_id(template),
        **_user_fields(user),
    )
    try:
        table = read_table(data)
    except FileProblem as problem:
        return _rejected(upload, [str(problem)], 1)
    result = validate(table, template, areas=configured_areas(), today=today)
    upload.rows_read = result.rows_read
    upload.warnings = result.warnings[:SHOWN_ERRORS]
    if not result.ok:
        return _rejected(upload, result.errors, result.error_count)
    upload.warnings = (result.warnings + fingertips_warnings(template, result.records))[
        :SHOWN_ERRORS
    ]
    diff = compare(template, result.records)
    upload.added, upload.changed = len(diff.added), len(diff.changed)
    upload.removed, upload.unchanged = len(diff.removed), diff.unchanged
    upload.first_changes = diff.first_changes
    upload.coverage = coverage(template, result.records)
    upload.synthetic = _looks_synthetic(file_name, result.records)
    upload.status = Upload.Status.PREVIEWED
    with transaction.atomic():
        upload.save()
        UploadFile.objects.create(upload=upload, content=data)
    upload._records = result.records  # kept for a commit straight after (the command)
    _keep_diff(upload.pk, diff)
    return upload


def _diff_key(pk: int) -> str:
    return f"localdata:diff:{pk}"


def _keep_diff(pk: int, diff: Diff) -> None:
    """Keep the preview's comparison for the commit (a cache miss compares again, from the
    stored original read and validated again)."""
    with contextlib.suppress(Exception):  # a failing cache only means the commit reads again
        cache.set(_diff_key(pk), diff, RECORDS_SECONDS)


def _kept_diff(pk: int) -> Diff | None:
    try:
        return cache.get(_diff_key(pk))
    except Exception:
        return None


def reject_unread(template: str, file_name: str, size: int, *, user) -> Upload:
    """Record a file refused for its size before a byte of it was read (no SHA-256)."""
    upload = Upload(template=template, file_name=file_name[:255], size=size, **_user_fields(user))
    limit = MAX_BYTES // (1024 * 1024)
    return _rejected(upload, [f"File: larger than {limit} MB."], 1)


PERIOD_COLUMN = {"A": "year", "B1": "review_period", "B2": "review_period", "C": "period_start"}


def coverage(template: str, records: list[dict]) -> dict:
    """The periods and areas a file holds, for the preview."""
    periods = sorted({str(r[PERIOD_COLUMN[template]]) for r in records})
    areas = sorted({r["area_code"] for r in records})
    return {
        "periods": periods[:40],
        "period_count": len(periods),
        "areas": areas[:40],
        "area_count": len(areas),
    }


def _rejected(upload: Upload, errors: list[str], count: int) -> Upload:
    upload.status = Upload.Status.REJECTED
    upload.errors = errors[:SHOWN_ERRORS]
    upload.error_count = count
    upload.save()
    return upload


def _looks_synthetic(file_name: str, records: list[dict]) -> bool:
    texts = [file_name] + [str(r.get("source") or "") for r in records[:50]]
    return any("synthetic" in t.lower() for t in texts)


def _lock_state(template: str) -> TemplateState:
    TemplateState.objects.get_or_create(template=template)
    return TemplateState.objects.select_for_update().get(template=template)


def commit(upload: Upload) -> Upload:
    """Write a previewed upload in one transaction, unless the data changed since its preview."""
    template = upload.template
    with transaction.atomic():
        state = _lock_state(template)
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Upload.Status.PREVIEWED:
            raise CommitRefused(f"Upload {upload.pk} is {upload.get_status_display().lower()}.")
        if state.latest_id != upload.base_upload_id:
            upload.status = Upload.Status.REFUSED
            upload.save(update_fields=["status"])
            raise CommitRefused("Data changed since preview: upload the file again to preview.")
        # The preview's comparison still holds: no commit or restore came between (checked
        # above, under the lock), and no purge rewrote current rows' text since the preview.
        diff = _kept_diff(upload.pk)
        purged = UploadEvent.objects.filter(upload__template=template, at__gte=upload.created_at)
        if diff is None or purged.exists():
            diff = compare(template, _records_of(upload))
        _apply(upload, diff)
        state.latest = upload
        state.save()
        _versions_changed()
    return upload


def _records_of(upload: Upload) -> list[dict]:
    table = read_table(bytes(upload.original.content))
    result = validate(table, upload.template, areas=configured_areas(), today=timezone.localdate())
    if not result.ok:
        raise CommitRefused("The file no longer passes validation: " + result.errors[0])
    return result.records


def _apply(upload: Upload, diff: Diff) -> None:
    model = ROW_MODELS[upload.template]
    gone = diff.removed + [pk for pk, _ in diff.changed]
    model.objects.filter(pk__in=gone).update(removed_by=upload)
    new = diff.added + [row for _, row in diff.changed]
    if connection.vendor == "postgresql":
        _copy_rows(model, upload, new)
    else:
        names = TEMPLATES[upload.template].names
        model.objects.bulk_create(
            (model(added_by=upload, **dict(zip(names, row, strict=True))) for row in new),
            batch_size=5000,
        )
    upload.added, upload.changed = len(diff.added), len(diff.changed)
    upload.removed, upload.unchanged = len(diff.removed), diff.unchanged
    upload.status = Upload.Status.COMMITTED
    upload.committed_at = timezone.now()
    upload.save()


def _copy_rows(model, upload: Upload, rows: list[tuple]) -> None:
    """PostgreSQL's COPY: the new rows in one stream (NULL unquoted, text quoted, so "" stays).

    Each column's distinct values are written once (years, areas, bases and small counts repeat
    thousands of times in a file)."""
    if not rows:
        return
    names = TEMPLATES[upload.template].names
    texts: list[dict] = [{} for _ in names]
    columns_text = []
    for column, known in zip(zip(*rows, strict=True), texts, strict=True):
        for value in set(column):
            known[value] = _copy_value(value)
        columns_text.append(map(known.__getitem__, column))
    buffer = io.StringIO()
    lead = f"{upload.pk},"
    buffer.writelines(lead + ",".join(line) + "\n" for line in zip(*columns_text, strict=True))
    buffer.seek(0)
    columns = ", ".join(["added_by_id", *names])
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {model._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def _copy_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def rows_after(template: str, upload_id: int):
    """The rows of a template as they stood right after a committed upload."""
    model = ROW_MODELS[template]
    return model.objects.filter(added_by_id__lte=upload_id).filter(
        Q(removed_by__isnull=True) | Q(removed_by_id__gt=upload_id)
    )


def preview_restore(target: Upload, *, user) -> Upload:
    """A restore of a template's data to the state after `target`, as a previewed upload."""
    if target.status != Upload.Status.COMMITTED:
        raise CommitRefused(f"Upload {target.pk} was not committed; only those can be restored.")
    template = target.template
    wanted = set(rows_after(template, target.pk).values_list("pk", flat=True))
    current = set(
        ROW_MODELS[template].objects.filter(removed_by__isnull=True).values_list("pk", flat=True)
    )
    upload = Upload.objects.create(
        template=template,
        kind=Upload.Kind.RESTORE,
        status=Upload.Status.PREVIEWED,
        restores=target,
        base_upload_id=_latest_id(template),
        file_name=f"restore of upload {target.pk}",
        added=len(wanted - current),
        removed=len(current - wanted),
        unchanged=len(wanted & current),
        synthetic=target.synthetic,
        **_user_fields(user),
    )
    return upload


def commit_restore(upload: Upload) -> Upload:
    """Return the template's rows to the restored upload's state, recorded as this upload."""
    template = upload.template
    model = ROW_MODELS[template]
    with transaction.atomic():
        state = _lock_state(template)
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Upload.Status.PREVIEWED or state.latest_id != upload.base_upload_id:
            raise CommitRefused("Data changed since preview: preview the restore again.")
        wanted = set(rows_after(template, upload.restores_id).values_list("pk", flat=True))
        current = model.objects.filter(removed_by__isnull=True)
        current.exclude(pk__in=wanted).update(removed_by=upload)
        copies = model.objects.filter(pk__in=wanted, removed_by__isnull=False)
        names = TEMPLATES[template].names
        model.objects.bulk_create(
            (model(added_by=upload, **{n: getattr(row, n) for n in names}) for row in copies),
            batch_size=5000,
        )
        upload.status = Upload.Status.COMMITTED
        upload.committed_at = timezone.now()
        upload.save()
        state.latest = upload
        state.save()
        _versions_changed()
    return upload


def purge(upload: Upload, *, user, reason: str) -> UploadEvent:
    """Delete an upload's original file and its rows' free text; the purge itself is logged."""
    with transaction.atomic():
        UploadFile.objects.filter(upload=upload).delete()
        model = ROW_MODELS[upload.template]
        text = {f.name: "" for f in model._meta.fields if f.name in ("note", "value_note")}
        if any(f.name == "source" for f in model._meta.fields):
            text["source"] = "(purged)"
        if text:
            model.objects.filter(added_by=upload).update(**text)
        Upload.objects.filter(pk=upload.pk).update(purged_at=timezone.now())
        return UploadEvent.objects.create(
            upload=upload, action=UploadEvent.Action.PURGE, reason=reason, **_user_fields(user)
        )


VERSIONS_KEY = "localdata:versions"
VERSIONS_SECONDS = 300


def versions() -> str:
    """The latest committed upload of each template, which keys the public pages' cache.

    Read from the cache, so that a page served from the cache costs no query; a commit or
    restore writes the new value once its transaction is committed. A reader only adds the
    value when none is held, so it cannot overwrite a commit's newer one; were the key evicted
    between a reader's query and its add, the older value lasts at most VERSIONS_SECONDS."""
    try:
        held = cache.get(VERSIONS_KEY)
    except Exception:
        held = None
    if held is not None:
        return held
    value = _versions_from_database()
    with contextlib.suppress(Exception):
        cache.add(VERSIONS_KEY, value, VERSIONS_SECONDS)
    return value


def _versions_from_database() -> str:
    return repr(sorted(TemplateState.objects.values_list("template", "latest_id")))


def _versions_changed() -> None:
    """Forget the held value now (this transaction reads its own commit), and write the new
    one once the commit is visible to every process."""
    with contextlib.suppress(Exception):
        cache.delete(VERSIONS_KEY)

    def write():
        with contextlib.suppress(Exception):
            cache.set(VERSIONS_KEY, _versions_from_database(), VERSIONS_SECONDS)

    transaction.on_commit(write)


def latest_committed(template: str) -> Upload | None:
    """The upload whose state is the current data (None before the first)."""
    latest = _latest_id(template)
    return Upload.objects.filter(pk=latest).first() if latest else None
