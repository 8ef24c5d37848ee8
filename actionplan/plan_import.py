"""Import a plan from its spreadsheet (the layout of `actionplan.plan_sheets`): read, check, load.

Every problem is named by sheet, row and column, all of them at once, and nothing is written
unless the whole file is good (one transaction; the models' own rules are asked for every row).
Into the open plan, items are matched by the plan's own reference numbers (priority area 5,
objective 5.2, action 5.2.1; measures by position) and updated, new ones are added, and nothing
is deleted; with `new_plan` the file starts a successor plan. Quarterly reviews, updates and
ratings are never touched, so a frozen quarter and its stored board pack stay as they were.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from actionplan import plan_sheets as layout
from actionplan.models import Action, Objective, PerformanceMeasure, Plan, PlanTeam, PriorityArea
from indicators.csv_safety import restore
from indicators.models import Indicator
from indicators.vocabulary import ActionStatus, Direction


class PlanFileError(Exception):
    """The file cannot be imported; `problems` name sheet, row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Row:
    sheet: str
    number: int  # the spreadsheet's row number (the heading is row 1)
    values: dict[str, Any]

    def where(self, column: str) -> str:
        return f"Sheet '{self.sheet}', row {self.number}, column '{column}'"


@dataclass
class Parsed:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read(data: bytes) -> Parsed:
    """Every sheet's rows as typed values; problems collected, none raised."""
    parsed = Parsed()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise PlanFileError([f"The file is not an XLSX workbook ({type(exc).__name__})"]) from exc
    for sheet in layout.SHEETS:
        if sheet.name not in book.sheetnames:
            parsed.problems.append(f"Sheet '{sheet.name}' is missing")
            continue
        parsed.rows[sheet.name] = _read_sheet(book[sheet.name], sheet, parsed.problems)
    return parsed


def _read_sheet(ws, sheet: layout.Sheet, problems: list[str]) -> list[Row]:
    lines = ws.iter_rows(values_only=True)
    heading = [str(c).strip() if c is not None else "" for c in next(lines, ())]
    missing = [name for name in sheet.names if name not in heading]
    if missing:
        problems.append(
            f"Sheet '{sheet.name}', row 1: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{m}'" for m in missing)
        )
        return []
    index = {name: heading.index(name) for name in sheet.names}
    rows = []
    for number, line in enumerate(lines, start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in line):
            continue
        row = Row(sheet.name, number, {})
        for column in sheet.columns:
            raw = line[index[column.name]] if index[column.name] < len(line) else None
            row.values[column.name] = _typed(raw, column, row, problems)
        rows.append(row)
    return rows


def _typed(raw: Any, column: layout.Column, row: Row, problems: list[str]) -> Any:
    if isinstance(raw, str):
        raw = restore(raw.strip()) if raw.strip() else None
    if raw is None:
        if column.required:
            problems.append(f"{row.where(column.name)}: enter a value")
        return None if column.kind != "text" else ""
    try:
        if column.kind == "date":
            if isinstance(raw, datetime):
                return raw.date()
            if isinstance(raw, date):
                return raw
            return date.fromisoformat(str(raw))
        if column.kind == "integer":
            value = float(raw)
            if not value.is_integer():
                raise ValueError
            return int(value)
        if column.kind == "number":
            return float(raw)
    except (TypeError, ValueError):
        what = {"date": "a date (YYYY-MM-DD)", "integer": "a whole number"}.get(
            column.kind, "a number"
        )
        problems.append(f"{row.where(column.name)}: “{raw}” is not {what}")
        return None
    return str(raw) if not isinstance(raw, str) else raw


# Checking ------------------------------------------------------------------------------------


def check(parsed: Parsed, *, plan: Plan | None) -> None:
    """Cross-sheet rules: references exist, numbers are unique, words are the product's."""
    problems = parsed.problems
    rows = parsed.rows
    if layout.PLAN.name in rows and len(rows[layout.PLAN.name]) != 1:
        problems.append(f"Sheet '{layout.PLAN.name}': exactly one row is needed, below the heading")
    areas = _unique(rows.get(layout.AREAS.name, []), "Number", problems)
    objectives = _unique(rows.get(layout.OBJECTIVES.name, []), "Number", problems)
    _unique(rows.get(layout.ACTIONS.name, []), "Number", problems)
    _unique(rows.get(layout.MEASURES.name, []), "Position", problems)
    for row in rows.get(layout.OBJECTIVES.name, []):
        if row.values["Priority area"] is not None and row.values["Priority area"] not in areas:
            problems.append(f"{row.where('Priority area')}: no priority area with that number")
    statuses = {s.value for s in ActionStatus}
    for row in rows.get(layout.ACTIONS.name, []):
        if row.values["Objective"] and row.values["Objective"] not in objectives:
            problems.append(f"{row.where('Objective')}: no objective numbered that")
        status = row.values["Status"] or ActionStatus.NOT_STARTED.value
        if status not in statuses:
            problems.append(
                f"{row.where('Status')}: “{status}” is not one of " + ", ".join(sorted(statuses))
            )
        _check_owner(row, plan, problems)
    directions = {d.value for d in Direction}
    indicators = set(Indicator.objects.values_list("fingertips_id", flat=True))
    for row in rows.get(layout.MEASURES.name, []):
        if row.values["Priority area"] is not None and row.values["Priority area"] not in areas:
            problems.append(f"{row.where('Priority area')}: no priority area with that number")
        if row.values["Direction"] and row.values["Direction"] not in directions:
            problems.append(
                f"{row.where('Direction')}: “{row.values['Direction']}” is not one of "
                + ", ".join(sorted(directions))
            )
        fid = row.values["Fingertips ID"]
        if fid is not None and fid not in indicators:
            problems.append(f"{row.where('Fingertips ID')}: no indicator {fid} in the dashboard")


def _unique(rows: list[Row], column: str, problems: list[str]) -> set:
    seen: dict[Any, int] = {}
    for row in rows:
        value = row.values[column]
        if value in seen:
            problems.append(f"{row.where(column)}: “{value}” is also on row {seen[value]}")
        elif value is not None:
            seen[value] = row.number
    return set(seen)


def _check_owner(row: Row, plan: Plan | None, problems: list[str]) -> None:
    owner = row.values["Owner"]
    if not owner:
        return
    if owner.startswith(layout.TEAM_PREFIX):
        name = owner[len(layout.TEAM_PREFIX) :]
        if plan is None or not PlanTeam.objects.filter(plan=plan, name=name).exists():
            problems.append(f"{row.where('Owner')}: no team named “{name}” in the plan")
        return
    users = get_user_model().objects.filter(username=owner, is_active=True)
    if not users.exists():
        problems.append(
            f"{row.where('Owner')}: no active user “{owner}” (a user name or team: NAME)"
        )


# Loading -------------------------------------------------------------------------------------


def import_plan(data: bytes, *, new_plan: bool = False, plan: Plan | None = None) -> Plan:
    """Check the whole file, then write it in one transaction; PlanFileError names problems."""
    parsed = read(data)
    target = None if new_plan else plan
    check(parsed, plan=target)
    if parsed.problems:
        raise PlanFileError(parsed.problems)
    problems: list[str] = []
    with transaction.atomic():
        loaded = _load(parsed, target, problems)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise PlanFileError(problems)
    return loaded


def _save(instance, row: Row, columns: dict[str, str], problems: list[str]) -> None:
    """Save with the model's own rules; its refusals are named by the spreadsheet's columns."""
    try:
        with transaction.atomic():
            instance.full_clean(validate_unique=False, validate_constraints=False)
            instance.save()
    except ValidationError as exc:
        by_field = getattr(exc, "message_dict", {"__all__": exc.messages})
        for name, messages in by_field.items():
            column = columns.get(name, "")
            where = row.where(column) if column else f"Sheet '{row.sheet}', row {row.number}"
            problems.extend(f"{where}: {m}" for m in messages)


def _load(parsed: Parsed, plan: Plan | None, problems: list[str]) -> Plan:
    meta = parsed.rows[layout.PLAN.name][0]
    plan = plan or Plan()
    plan.title, plan.starts, plan.ends = (
        meta.values["Title"],
        meta.values["Starts"],
        meta.values["Ends"],
    )
    plan.source = meta.values["Source"]
    _save(plan, meta, {"title": "Title", "starts": "Starts", "ends": "Ends"}, problems)
    if problems:
        return plan
    areas = {}
    for row in parsed.rows[layout.AREAS.name]:
        v = row.values
        area = PriorityArea.objects.filter(plan=plan, number=v["Number"]).first()
        area = area or PriorityArea(plan=plan, number=v["Number"])
        area.title, area.description = v["Title"], v["Description"]
        _save(area, row, {"title": "Title"}, problems)
        areas[area.number] = area
    objectives = _load_objectives(parsed, plan, areas, problems)
    _load_actions(parsed, plan, objectives, problems)
    _load_measures(parsed, plan, areas, problems)
    return plan


def _load_objectives(parsed, plan, areas, problems) -> dict[str, Objective]:
    objectives = {}
    for row in parsed.rows[layout.OBJECTIVES.name]:
        v = row.values
        area = areas[v["Priority area"]]
        objective = Objective.objects.filter(
            priority_area__plan=plan, number=v["Number"]
        ).first() or Objective(number=v["Number"])
        objective.priority_area = area
        objective.text, objective.source_numbering = v["Text"], v["As printed"]
        objective.retired_on, objective.retired_reason = v["Retired on"], v["Retired reason"]
        _save(objective, row, {"text": "Text"}, problems)
        objectives[objective.number] = objective
    return objectives


ACTION_COLUMNS = {
    "text": "Text",
    "owner": "Owner",
    "owner_team": "Owner",
    "start_date": "Start date",
    "due_date": "Due date",
    "status": "Status",
    "status_reason": "Status reason",
}


def _load_actions(parsed, plan, objectives, problems) -> None:
    users = {u.get_username(): u for u in get_user_model().objects.filter(is_active=True)}
    teams = {t.name: t for t in PlanTeam.objects.filter(plan=plan)}
    for row in parsed.rows[layout.ACTIONS.name]:
        v = row.values
        action = Action.objects.filter(
            objective__priority_area__plan=plan, number=v["Number"]
        ).first() or Action(number=v["Number"])
        action.objective = objectives[v["Objective"]]
        action.text, action.source_numbering = v["Text"], v["As printed"]
        action.lead, action.partners, action.timescale = v["Lead"], v["Partners"], v["Timescale"]
        owner = v["Owner"]
        if owner.startswith(layout.TEAM_PREFIX):
            action.owner, action.owner_team = None, teams[owner[len(layout.TEAM_PREFIX) :]]
        else:
            action.owner, action.owner_team = users.get(owner), None
        action.start_date, action.due_date = v["Start date"], v["Due date"]
        action.status = v["Status"] or ActionStatus.NOT_STARTED.value
        action.status_reason = v["Status reason"]
        action.retired_on, action.retired_reason = v["Retired on"], v["Retired reason"]
        _save(action, row, ACTION_COLUMNS, problems)


def _load_measures(parsed, plan, areas, problems) -> None:
    indicators = {i.fingertips_id: i for i in Indicator.objects.all()}
    for row in parsed.rows[layout.MEASURES.name]:
        v = row.values
        measure = PerformanceMeasure.objects.filter(
            plan=plan, position=v["Position"]
        ).first() or PerformanceMeasure(plan=plan, position=v["Position"])
        measure.priority_area = areas.get(v["Priority area"])
        measure.objective, measure.measure = v["Objective"], v["Measure"]
        measure.phof_reference = v["PHOF reference"]
        measure.indicator = indicators.get(v["Fingertips ID"])
        measure.direction = v["Direction"]
        measure.baseline_value, measure.baseline_period = v["Baseline"], v["Baseline period"]
        measure.target_value, measure.target_date = v["Target"], v["Target date"]
        _save(
            measure,
            row,
            {
                "target_value": "Target",
                "baseline_value": "Baseline",
                "measure": "Measure",
                "objective": "Objective",
            },
            problems,
        )
