"""What a validated file would add, change and remove among the current rows it replaces
(LOCAL_DATA.md section 4.1): the preview shows it, and the commit writes it (`loading`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from localdata.models import ROW_MODELS
from localdata.schema import TEMPLATES

FIRST_CHANGES = 20


def _value_columns(template: str) -> tuple[str, ...]:
    t = TEMPLATES[template]
    return tuple(n for n in t.names if n not in t.key)


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
