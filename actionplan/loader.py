"""Load the plan fixture into the database, idempotently, keyed on the plan's own numbering."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from actionplan.models import Action, Objective, PerformanceMeasure, Plan, PriorityArea
from indicators.models import Indicator
from indicators.vocabulary import Direction


def plan_county(data: dict) -> dict | None:
    """The county a plan file names ({"code", "name"}), or None if it names none."""
    county = data.get("county")
    if county is None:
        return None
    if not isinstance(county, dict) or not {"code", "name"} <= set(county):
        raise ValueError("the plan file's 'county' must be an object with 'code' and 'name'")
    return county


@transaction.atomic
def load_plan(data: dict) -> dict[str, tuple[int, int]]:
    """Create or update every part of the plan; returns (created, total) by kind."""
    meta = data["plan"]
    plan, _ = Plan.objects.update_or_create(
        title=meta["title"],
        defaults={
            "starts": date.fromisoformat(meta["starts"]),
            "ends": date.fromisoformat(meta["ends"]),
            "source": meta.get("source", ""),
        },
    )
    tally = _Tally()
    areas_by_number = {}
    for area_data in data["priority_areas"]:
        area = _load_area(plan, area_data, tally)
        areas_by_number[area.number] = area
    _load_measures(plan, data.get("performance_framework", []), areas_by_number, tally)
    return tally.by_kind()


class _Tally:
    """How many of each kind a load created, and how many it read."""

    def __init__(self) -> None:
        self.created = {"priority areas": 0, "objectives": 0, "actions": 0, "measures": 0}
        self.totals = dict.fromkeys(self.created, 0)

    def count(self, kind: str, new: bool) -> None:
        self.created[kind] += new
        self.totals[kind] += 1

    def by_kind(self) -> dict[str, tuple[int, int]]:
        return {kind: (self.created[kind], self.totals[kind]) for kind in self.created}


def _load_area(plan: Plan, area_data: dict, tally: _Tally) -> PriorityArea:
    """One priority area with its objectives and their actions."""
    area, new = _upsert(
        PriorityArea,
        {"plan": plan, "number": area_data["number"]},
        {"title": area_data["title"], "description": area_data.get("description", "")},
    )
    tally.count("priority areas", new)
    for objective_data in area_data.get("objectives", []):
        objective, new = _upsert(
            Objective,
            {"priority_area": area, "number": objective_data["number"]},
            {
                "text": objective_data["text"],
                "source_numbering": objective_data.get("source_numbering") or "",
            },
        )
        tally.count("objectives", new)
        for action_data in objective_data.get("actions", []):
            _, new = _upsert(
                Action,
                {"objective": objective, "number": action_data["number"]},
                {
                    "text": action_data["text"],
                    "source_numbering": action_data.get("source_numbering") or "",
                    "lead": action_data.get("lead") or "",
                    "partners": "\n".join(action_data.get("partners") or []),
                    "timescale": action_data.get("timescale") or "",
                },
            )
            tally.count("actions", new)
    return area


def _load_measures(
    plan: Plan, rows: list[dict], areas_by_number: dict[int, PriorityArea], tally: _Tally
) -> None:
    """The outcomes framework's measures, keyed on their position in it."""
    indicators = {i.fingertips_id: i for i in Indicator.objects.all()}
    for position, row in enumerate(rows):
        direction = (
            Direction.HIGHER
            if "higher" in (row.get("direction") or "").lower()
            else Direction.LOWER
        )
        _, new = _upsert(
            PerformanceMeasure,
            {"plan": plan, "position": position},
            {
                "objective": row.get("objective") or "",
                "measure": row["measure"],
                "phof_reference": row.get("phof_reference") or "",
                "indicator": indicators.get(row.get("indicator_fingertips_id")),
                "local_measure_code": row.get("local_measure_code") or "",
                "direction": direction,
                "priority_area": areas_by_number.get(row.get("priority_area")),
            },
        )
        tally.count("measures", new)


def _upsert(model, keys: dict, values: dict):
    """Update only what differs, so a second load writes nothing and adds no history."""
    instance = model.objects.filter(**keys).first()
    if instance is None:
        return model.objects.create(**keys, **values), True
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
    return instance, False
