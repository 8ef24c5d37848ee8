"""The plan as a spreadsheet (XLSX): one sheet per level, the columns named once, and the export.

The sheets and columns are documented in docs/PLAN_SPREADSHEET.md; `actionplan.plan_import`
reads the same layout back. Text a spreadsheet would run as a formula is written with a leading
apostrophe (`indicators.csv_safety`) and restored on import, so a round trip gives the same text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from actionplan.models import Action, Objective, PerformanceMeasure, Plan, PriorityArea
from indicators.csv_safety import neutralise

TEAM_PREFIX = "team: "


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str = "text"  # "text", "number", "integer" or "date"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


PLAN = Sheet(
    "Plan",
    (
        Column("Title", required=True),
        Column("Starts", "date", required=True),
        Column("Ends", "date", required=True),
        Column("Source"),
    ),
)
AREAS = Sheet(
    "Priority areas",
    (
        Column("Number", "integer", required=True),
        Column("Title", required=True),
        Column("Description"),
    ),
)
OBJECTIVES = Sheet(
    "Objectives",
    (
        Column("Number", required=True),
        Column("Priority area", "integer", required=True),
        Column("Text", required=True),
        Column("As printed"),
        Column("Retired on", "date"),
        Column("Retired reason"),
    ),
)
ACTIONS = Sheet(
    "Actions",
    (
        Column("Number", required=True),
        Column("Objective", required=True),
        Column("Text", required=True),
        Column("As printed"),
        Column("Lead"),
        Column("Partners"),
        Column("Timescale"),
        Column("Owner"),
        Column("Start date", "date"),
        Column("Due date", "date"),
        Column("Status"),
        Column("Status reason"),
        Column("Retired on", "date"),
        Column("Retired reason"),
    ),
)
MEASURES = Sheet(
    "Measures",
    (
        Column("Position", "integer", required=True),
        Column("Priority area", "integer"),
        Column("Objective"),
        Column("Measure", required=True),
        Column("PHOF reference"),
        Column("Fingertips ID", "integer"),
        Column("Direction", required=True),
        Column("Baseline", "number"),
        Column("Baseline period"),
        Column("Target", "number"),
        Column("Target date", "date"),
    ),
)
SHEETS = (PLAN, AREAS, OBJECTIVES, ACTIONS, MEASURES)


def owner_cell(action: Action) -> str:
    if action.owner_team is not None:
        return f"{TEAM_PREFIX}{action.owner_team.name}"
    return action.owner.get_username() if action.owner else ""


def plan_rows(plan: Plan) -> dict[str, list[list]]:
    """Every sheet's rows (without the heading row), in the plan's own order."""
    areas = PriorityArea.objects.filter(plan=plan).order_by("number")
    objectives = Objective.objects.filter(priority_area__plan=plan).select_related("priority_area")
    actions = Action.objects.filter(objective__priority_area__plan=plan).select_related(
        "objective__priority_area", "owner", "owner_team"
    )
    measures = (
        PerformanceMeasure.objects.filter(plan=plan)
        .select_related("priority_area", "indicator")
        .order_by("position")
    )
    return {
        PLAN.name: [[plan.title, plan.starts, plan.ends, plan.source]],
        AREAS.name: [[a.number, a.title, a.description] for a in areas],
        OBJECTIVES.name: [
            _objective_row(o)
            for o in sorted(objectives, key=lambda o: (o.priority_area.number, o.pk))
        ],
        ACTIONS.name: [
            _action_row(a)
            for a in sorted(actions, key=lambda a: (a.objective.priority_area.number, a.pk))
        ],
        MEASURES.name: [_measure_row(m) for m in measures],
    }


def _objective_row(o: Objective) -> list:
    """An objective's cells, in the order of its sheet's columns."""
    return [
        o.number,
        o.priority_area.number,
        o.text,
        o.source_numbering,
        o.retired_on,
        o.retired_reason,
    ]


def _action_row(a: Action) -> list:
    """An action's cells, in the order of its sheet's columns."""
    return [
        a.number,
        a.objective.number,
        a.text,
        a.source_numbering,
        a.lead,
        a.partners,
        a.timescale,
        owner_cell(a),
        a.start_date,
        a.due_date,
        a.status,
        a.status_reason,
        a.retired_on,
        a.retired_reason,
    ]


def _measure_row(m: PerformanceMeasure) -> list:
    """A measure's cells, in the order of its sheet's columns."""
    return [
        m.position,
        m.priority_area.number if m.priority_area else None,
        m.objective,
        m.measure,
        m.phof_reference,
        m.indicator.fingertips_id if m.indicator else None,
        m.direction,
        m.baseline_value,
        m.baseline_period,
        m.target_value,
        m.target_date,
    ]


def _cell(value):
    if value in ("", None):
        return None
    if isinstance(value, date):
        return value  # written as a date cell, read back as one
    return neutralise(value)


def export_plan(plan: Plan) -> bytes:
    """The plan as an XLSX workbook: one sheet per level, a heading row, then one row an item."""
    book = Workbook()
    book.remove(book.active)
    rows = plan_rows(plan)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.names))
        for row in rows[sheet.name]:
            ws.append([_cell(v) for v in row])
        for column, spec in zip(ws.iter_cols(min_row=2), sheet.columns, strict=False):
            if spec.kind == "date":
                for cell in column:
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
