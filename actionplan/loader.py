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
    created = {"priority areas": 0, "objectives": 0, "actions": 0, "measures": 0}
    totals = dict.fromkeys(created, 0)
    areas_by_number = {}
    for area_data in data["priority_areas"]:
        area, new = _upsert(
            PriorityArea,
            {"plan": plan, "number": area_data["number"]},
            {"title": area_data["title"], "description": area_data.get("description", "")},
        )
        areas_by_number[area.number] = area
        created["priority areas"] += new
        totals["priority areas"] += 1
        for objective_data in area_data.get("objectives", []):
            objective, new = _upsert(
                Objective,
                {"priority_area": area, "number": objective_data["number"]},
                {
                    "text": objective_data["text"],
                    "source_numbering": objective_data.get("source_numbering") or "",
                },
            )
            created["objectives"] += new
            totals["objectives"] += 1
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
                created["actions"] += new
                totals["actions"] += 1
    indicators = {i.fingertips_id: i for i in Indicator.objects.all()}
    for position, row in enumerate(data.get("performance_framework", [])):
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
        created["measures"] += new
        totals["measures"] += 1
    return {kind: (created[kind], totals[kind]) for kind in created}


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
