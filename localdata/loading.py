"""The one way local data are written: read → validate → preview → commit (the "load" stage).

The upload page and `manage.py import_local_data` both call `preview_file` then `commit`;
`preview_restore` and `purge` are the other writes. Every attempt, rejected ones included, is an
`Upload` row; only accepted files keep their bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from indicators.configuration import areas_config
from indicators.models import Observation
from localdata.models import ROW_MODELS, TemplateState, Upload, UploadEvent, UploadFile
from localdata.reader import MAX_BYTES, FileProblem, read_table
from localdata.schema import MEASURES, TEMPLATES
from localdata.validator import Areas, validate

FIRST_CHANGES = 20
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


def _value_columns(template: str) -> tuple[str, ...]:
    t = TEMPLATES[template]
    return tuple(n for n in t.names if n not in t.key)


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


INFANT_MORTALITY = 92196  # Fingertips: infant mortality rate, 3-year pools by registration


def fingertips_warnings(template: str, records: list[dict]) -> list[str]:
    """LOCAL_DATA.md section 3's warning for template A: a district's registration-basis infant
    deaths (and live births, where Fingertips gives them) over a 3-year pool that the file
    covers whole, against Fingertips' published count for the same pool. A warning, not an
    error: extracts are revised and the two may count late registrations differently.

    Template C: `_national_warnings`."""
    if template == "C":
        return _national_warnings(records)
    if template != "A":
        return []
    sums: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        if r["period_basis"] == "registration" and r["imd_decile"] != "ALL":
            cell = sums[(r["area_code"], r["year"])]
            cell[0] += r["infant_deaths"]
            cell[1] += r["live_births"]
    if not sums:
        return []
    areas = {area for area, _ in sums}
    published = (
        Observation.objects.filter(
            indicator__fingertips_id=INFANT_MORTALITY,
            area__code__in=areas,
            sex="Persons",
            category_type="",
            period_end_year=F("period_start_year") + 2,
            count__isnull=False,
        )
        .order_by("area__code", "period_start_year")
        .values_list("area__code", "period_start_year", "period_end_year", "count", "denominator")
    )
    warnings, seen = [], set()
    for area, start, end, count, denominator in published:
        years = [(area, y) for y in range(start, end + 1)]
        if (area, start) in seen or not all(y in sums for y in years):
            continue
        seen.add((area, start))
        deaths = sum(sums[y][0] for y in years)
        births = sum(sums[y][1] for y in years)
        pool = f"{start}-{str(end)[-2:]}"
        if deaths != round(count):
            warnings.append(
                f"File: {area} {pool}: {deaths} infant deaths here, {round(count)} in Fingertips "
                f"(indicator {INFANT_MORTALITY}, registrations)."
            )
        if denominator is not None and births != round(denominator):
            warnings.append(
                f"File: {area} {pool}: {births} live births here, {round(denominator)} in "
                f"Fingertips (indicator {INFANT_MORTALITY}, registrations)."
            )
    return warnings


def _national_warnings(records: list[dict]) -> list[str]:
    """Template C against the national publication: a measure Fingertips publishes by financial
    year (SATOD, breastfeeding at 6-8 weeks), for a financial year whose four quarters the file
    gives for an area, the file's percentage (numerator and denominator summed) against the
    published one, both to one decimal place."""
    sums: dict[tuple[str, str, int], list] = defaultdict(lambda: [0, 0, set()])
    for r in records:
        measure = MEASURES.get(r["measure_code"])
        if measure is None or measure.fingertips_id is None or r["period_type"] != "quarter":
            continue
        start = r["period_start"]
        year = start.year if start.month >= 4 else start.year - 1
        cell = sums[(r["measure_code"], r["area_code"], year)]
        cell[0] += r["numerator"]
        cell[1] += r["denominator"]
        cell[2].add(start.month)
    whole = {key: cell for key, cell in sums.items() if len(cell[2]) == 4 and cell[1]}
    if not whole:
        return []
    ids = {MEASURES[code].fingertips_id: code for code, _, _ in whole}
    published = Observation.objects.filter(
        indicator__fingertips_id__in=ids,
        area__code__in={area for _, area, _ in whole},
        category_type="",  # SATOD is published for females, breastfeeding for persons
        period_label__in={f"{year}/{str(year + 1)[-2:]}" for _, _, year in whole},
        value__isnull=False,
    ).values_list("indicator__fingertips_id", "area__code", "period_label", "value")
    warnings, seen = [], set()
    for fingertips_id, area, label, value in published:
        year = int(label[:4])
        key = (ids[fingertips_id], area, year)
        if key not in whole or key in seen:
            continue
        seen.add(key)
        numerator, denominator, _ = whole[key]
        here = float(numerator) / float(denominator) * 100
        if round(here, 1) != round(value, 1):
            warnings.append(
                f"File: {key[0]} {area} {year}/{str(year + 1)[-2:]}: {here:.1f}% from its four "
                f"quarters here, {value:.1f}% published nationally (Fingertips {fingertips_id})."
            )
    return warnings


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


@dataclass
class Diff:
    added: list[tuple]  # new rows, each a tuple in the template's column order
    changed: list[tuple[int, tuple]]  # (pk of the row replaced, new row)
    removed: list[int]  # pks
    unchanged: int
    first_changes: list[dict]


def _scope(template: str, records: list[dict]) -> Q:
    """The current rows an upload replaces (LOCAL_DATA.md section 4.1)."""
    if template == "A":
        pairs = {(r["year"], r["period_basis"]) for r in records}
        fields = ("year", "period_basis")
    elif template in ("B1", "B2"):
        pairs = {(r["review_period"], r["area_code"]) for r in records}
        fields = ("review_period", "area_code")
    else:
        pairs = {(r["measure_code"], r["area_code"]) for r in records}
        fields = ("measure_code", "area_code")
    query = Q(pk__in=[])
    for pair in pairs:
        query |= Q(**dict(zip(fields, pair, strict=True)))
    return query


def as_rows(template: str, records: list[dict]) -> list[tuple]:
    """Records as tuples in the template's column order, free text "" rather than None."""
    names = TEMPLATES[template].names
    rows = [tuple(map(record.__getitem__, names)) for record in records]
    texts = [i for i, n in enumerate(names) if n in ("note", "value_note")]
    if texts and any(row[i] is None for row in rows for i in texts):
        rows = [
            tuple("" if v is None and i in texts else v for i, v in enumerate(row)) for row in rows
        ]
    return rows


def compare(template: str, records: list[dict]) -> Diff:
    """What the records would add, change and remove among the current rows they replace."""
    model = ROW_MODELS[template]
    t = TEMPLATES[template]
    names, key, values = t.names, t.key, _value_columns(template)
    key_at = [names.index(c) for c in key]
    value_at = [names.index(c) for c in values]
    width = len(key)
    current: dict[tuple, tuple] = {}
    rows = model.objects.filter(removed_by__isnull=True).filter(_scope(template, records))
    for row in rows.values_list(*key, *values, "pk"):
        current[row[:width]] = row
    diff = Diff([], [], [], 0, [])
    pop = current.pop
    for row in as_rows(template, records):
        k = tuple([row[i] for i in key_at])
        old = pop(k, None)
        if old is None:
            diff.added.append(row)
            continue
        new_values = tuple([row[i] for i in value_at])
        if old[width:-1] != new_values:  # Decimal("1.50") == Decimal("1.5")
            diff.changed.append((old[-1], row))
            if len(diff.first_changes) < FIRST_CHANGES:
                old_values = dict(zip(values, old[width:-1], strict=True))
                clean = dict(zip(names, row, strict=True))
                diff.first_changes.append(_change_text(key, k, values, old_values, clean))
        else:
            diff.unchanged += 1
    if template == "C":
        current = {}  # an upload of C replaces only its own keys
    diff.removed = [row[-1] for row in current.values()]
    return diff


def _differs(old, new) -> bool:
    if old is None or new is None:
        return old != new
    return str(old) != str(new) if not isinstance(old, int | float) else float(old) != float(new)


def _change_text(key, k, values, old, new) -> dict:
    changes = [f"{c}: {old[c]} → {new[c]}" for c in values if _differs(old[c], new[c])]
    return {"key": ", ".join(str(v) for v in k), "changes": "; ".join(changes)}


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
