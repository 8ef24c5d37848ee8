"""Reading one quarterly review into the pack's plain values (`collect`).

Through `actionplan.presenters`: the same proposals, arrows and exceptions the pages show.
Action RAGs and exceptions are the rule's reading as at the quarter's last day, or the day the
pack is made while the quarter runs, so a quarter's pack does not drift as days pass after it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from actionplan import presenters, review_changes
from actionplan.boardpack.values import (
    ActionLine,
    AreaSection,
    AreaSummary,
    BoardPack,
    ChangeList,
    ExceptionLine,
    LocalLine,
    MeasureLine,
    SourceLine,
    UpdateLine,
    WhatIfLine,
)
from actionplan.boardpack.whatif_chart import chart_values
from actionplan.models import QuarterlyReview, QuarterlyUpdate, Rating
from actionplan.rag import Rag
from indicators.configuration import areas_config
from indicators.models import ImportRun, Observation, Origin
from indicators.vocabulary import Change, Comparison
from indicators.whatif_inputs import board_lines
from localdata.disclosure import Tier


def quarter_end(review: QuarterlyReview) -> date:
    start = presenters.quarter_start(review)
    following = date(start.year + (start.month == 10), (start.month + 3 - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def reading_date(review: QuarterlyReview, today: date) -> date:
    """The day the rule reads actions at: the quarter's last day, or today while it runs."""
    return min(today, quarter_end(review))


def what_changed(review: QuarterlyReview, *, status=None) -> ChangeList:
    """The "What changed since the last review" section: the same list the review page shows."""
    found = review_changes.changes_for(review, status=status)
    groups = [
        (
            "Priority areas whose RAG moved (the rule's or the group's)",
            [_area_move_line(m) for m in found.area_moves],
        ),
        (
            "Actions whose owner changed the RAG",
            [
                f"{m.number} {_shorten(m.title)}: {m.before.label} to {m.after.label}, "
                f"{m.direction}"
                for m in found.action_moves
            ],
        ),
        (
            "New or revised figures",
            [
                f"{d.measure}: {_number(d.value, d.unit)} for {d.period_label} ({d.kind}, "
                f"imported {_day(_local_date(d.imported_at))})"
                for d in found.new_data
            ],
        ),
        (
            "Due dates that slipped",
            [
                f"{a.number} {_shorten(a.text)}: due {_day(a.now_due)}, was {_day(a.was_due)} "
                f"({a.days_later} days later)"
                for a in found.slipped
            ],
        ),
        (
            "Actions completed",
            [f"{a.number} {_shorten(a.text)}" for a in found.completed],
        ),
    ]
    return ChangeList(
        summary=found.summary,
        groups=tuple((heading, tuple(lines)) for heading, lines in groups if lines),
    )


def _area_move_line(m) -> str:
    if m.after_kind != "computed":  # a list kept before the rule's RAG was compared
        return (
            f"{m.number}. {m.title}: {m.before.label} to {m.after.label} ({m.after_kind}), "
            f"{m.direction}"
        )
    line = (
        f"{m.number}. {m.title}: the rule's RAG {m.before.label} to {m.after.label}, {m.direction}"
    )
    return f"{line}. {m.note}" if m.note else line


def filename(pack: BoardPack) -> str:
    quarter = pack.quarter.replace("/", "-").replace(" ", "-")
    return f"board-pack-{quarter}.pdf"


def collect(review: QuarterlyReview, *, today: date, generated_at: datetime) -> BoardPack:
    """Everything the pack shows for one review, as plain values."""
    config = areas_config()
    plan = review.plan
    read_at = reading_date(review, today)
    status = presenters.plan_status(plan, today=read_at, as_of_review=review)
    presenters.with_local_quarters(status, Tier.PUBLIC)  # a download: public disclosure
    previous, rows = status.previous_review, status.areas
    region = config.region.name
    measure_rows = [m for row in rows for m in row.measures] + list(status.plan_measures)
    intro, rule_sections = presenters.rules_sections()
    return BoardPack(
        plan_title=plan.title,
        county=config.home.name,
        region=region,
        quarter=str(review),
        quarter_months=_months(review),
        meeting_date=review.meeting_date,
        frozen=review.is_frozen,
        generated_at=generated_at,
        read_at=read_at,
        read_at_words=_read_at_words(review, read_at),
        previous_quarter=str(previous) if previous else "",
        areas=tuple(_area_summary(row, previous) for row in rows),
        exceptions=_exception_lines(rows),
        plan_measures=tuple(_measure_line(m, region) for m in status.plan_measures),
        sections=_sections(review, rows, region),
        changes=what_changed(review, status=status),
        sources=_sources(measure_rows, config.home.code),
        plan_source=plan.source,
        rules_intro=intro,
        rules=tuple((s.heading, s.preamble, tuple(s.rules)) for s in rule_sections),
    )


def _read_at_words(review: QuarterlyReview, read_at: date) -> str:
    """When the rule read the actions, in words that never contradict the pack's state."""
    last = quarter_end(review)
    if read_at == last:
        return f"as at {_day(read_at)}, the quarter's last day"
    if review.is_frozen:
        return (
            f"as at {_day(read_at)}, when the quarter was frozen (before its last day, "
            f"{_day(last)})"
        )
    return f"as at {_day(read_at)}, while the quarter is still running (it ends {_day(last)})"


def _area_summary(row: presenters.AreaRow, previous: QuarterlyReview | None) -> AreaSummary:
    return AreaSummary(
        row.area.number,
        row.area.title,
        row.rag,
        row.is_final,
        row.movement.change.value,
        _movement_words(row.movement, previous),
        tuple(row.action_counts),
        _overrides(row),
    )


def _overrides(row: presenters.AreaRow) -> tuple[str, ...]:
    """The group's final RAGs over the rule's, shortly: the rationale is on the area's page."""
    return tuple(row.override_notes(reasons=False))


def _exception_lines(rows: list[presenters.AreaRow]) -> tuple[ExceptionLine, ...]:
    return tuple(
        ExceptionLine(
            area.area.number,
            line.action.number,
            line.action.text,
            tuple(line.exceptions),
            line.action.due_date,
            line.action.original_due_date if line.action.rescheduled else None,
            line.proposal.rag,
            line.proposal.reason,
        )
        for area, line in ((a, r) for a in rows for r in a.actions if r.exceptions)
    )


def _updates_by_area(review: QuarterlyReview) -> dict[int, list[UpdateLine]]:
    updates = defaultdict(list)
    for update in (
        QuarterlyUpdate.objects.filter(review=review)
        .select_related("action__objective", "author")
        .order_by("action__objective__priority_area__number", "action__objective_id", "action_id")
    ):
        updates[update.action.objective.priority_area_id].append(
            UpdateLine(
                update.action.number,
                update.action.text,
                Rag(update.rag),
                update.progress_note,
                _person(update.author),
                _local_date(update.created_at),
            )
        )
    return updates


def _action_line(row: presenters.ActionRow) -> ActionLine:
    action = row.action
    if action.owner_team is not None:
        owner = f"{action.owner_team.name} (team)"
    else:
        owner = _person(action.owner) if action.owner else "Not assigned"
    status = action.get_status_display()
    if action.status_reason:
        status += f": {action.status_reason}"
    if row.completion_pending:
        status += " (Complete proposed by the owner, not yet confirmed)"
    return ActionLine(action.number, action.text, owner, action.due_date, status, row.proposal.rag)


def _sections(review, rows: list[presenters.AreaRow], region: str) -> tuple[AreaSection, ...]:
    deciders = {
        r.priority_area_id: _person(r.decided_by)
        for r in Rating.objects.filter(review=review).select_related("decided_by")
    }
    updates = _updates_by_area(review)
    sections = []
    for row in rows:
        rating = row.rating
        sections.append(
            AreaSection(
                number=row.area.number,
                title=row.area.title,
                rag=row.rag,
                is_final=row.is_final,
                proposed=Rag(rating.proposed) if rating else row.proposal.rag,
                proposed_reason=rating.proposed_reason if rating else row.proposal.reason,
                rationale=rating.rationale if rating else "",
                decided=(
                    f"Set by {deciders[row.area.pk]} on {_day(_local_date(rating.decided_at))}"
                    if rating
                    else ""
                ),
                actions=len(row.actions),
                measures=tuple(_measure_line(m, region) for m in row.measures),
                updates=tuple(updates[row.area.pk]),
                action_lines=tuple(_action_line(a) for a in row.actions),
                whatif=_whatif_lines(row),
            )
        )
    return tuple(sections)


def _whatif_lines(row: presenters.AreaRow) -> tuple[WhatIfLine, ...]:
    """The what-if statements for the indicators the area's measures read; none without them."""
    ids = [m.measure.indicator.fingertips_id for m in row.measures if m.measure.indicator_id]
    return tuple(
        WhatIfLine(
            b.title,
            b.headline,
            b.scenario,
            tuple(b.caveats),
            b.period,
            b.source,
            chart_values(b.statement) if b.statement else None,
        )
        for b in board_lines(ids)
    )


def _movement_words(movement: presenters.Movement, previous: QuarterlyReview | None) -> str:
    if previous is None:
        return "New: no earlier frozen quarter"
    if movement.change is Change.NEW:
        return f"New: no final RAG in {previous}"
    words = movement.words_for(f"in {previous}")
    return words[:1].upper() + words[1:]


def _with_reason(words: str, reason: str) -> str:
    """A comparison in words, with why it was not made where it was not (as the board says it)."""
    return f"{words}: {reason}" if reason else words


def _measure_line(row: presenters.MeasureRow, region: str) -> MeasureLine:
    figure, measure = row.figure, row.measure
    unit = measure.indicator.unit if measure.indicator else ""
    if figure is None or figure.value is None:
        value, period, england, regional = "No data", "", "", ""
    else:
        value = f"{figure.value:.1f}" + (f" {unit}" if unit else "")
        period = figure.period
        england = _with_reason(
            Comparison.of(figure.comparison_england).describe("England"), row.not_compared[0]
        )
        regional = _with_reason(
            Comparison.of(figure.comparison_region).describe(region), row.not_compared[1]
        )
    if measure.target_value is not None:
        target = f"{measure.target_value:g}"
        if measure.target_date:
            target += f" by {_day(measure.target_date)}"
    else:
        target = "No target set"
    return MeasureLine(
        measure=measure.measure,
        value=value,
        period=period,
        england=england,
        region=regional,
        target=target,
        trend=row.trend,
        rag=row.proposal.rag,
        reason=row.proposal.reason,
        estimated=_estimated(figure),
        local=_local_line(row.local),
        headline=row.proposal.headline,
        rule=row.proposal.rule,
    )


def _local_line(q) -> LocalLine | None:
    """The linked local measure's latest quarter (localdata.presenters.LatestQuarter)."""
    if q is None:
        return None
    if not q.has_data:
        return LocalLine(heading=q.summary)
    heading = f"Local data ({q.code}), {q.area_name}, {q.quarter}: {q.value}"
    return LocalLine(
        heading=heading,
        variation=q.variation,
        variation_letter=q.variation_letter,
        variation_colour=q.variation_colour,
        assurance=q.assurance or ("No target, so no assurance" if q.target is None else ""),
        assurance_letter=q.assurance_letter,
        assurance_colour=q.assurance_colour,
        synthetic=q.synthetic,
    )


def _estimated(figure) -> str:
    if figure is None or figure.value is None:
        return ""
    if figure.origin == Origin.AGGREGATED:
        return "Estimated: pooled here from the districts' published counts, not published"
    return ""


def _sources(rows: list[presenters.MeasureRow], home: str) -> tuple[SourceLine, ...]:
    """Each measured indicator's latest figure and the import run that loaded it."""
    seen: dict[int, presenters.MeasureRow] = {}
    for row in rows:
        if row.measure.indicator_id and row.measure.indicator_id not in seen:
            seen[row.measure.indicator_id] = row
    wanted = {
        (row.figure.indicator_id, row.figure.period_sortable)
        for row in seen.values()
        if row.figure is not None
    }
    runs = {}
    for observation in (
        Observation.objects.headline()
        .filter(
            area__code=home,
            indicator__in=list(seen),
            period_sortable__in={sortable for _, sortable in wanted},
        )
        .select_related("indicator", "import_run")
        .order_by("pk")
    ):
        key = (observation.indicator.fingertips_id, observation.period_sortable)
        if key in wanted:
            runs.setdefault((*key, observation.value), observation.import_run)
    lines = []
    for row in seen.values():
        indicator, figure = row.measure.indicator, row.figure
        if figure is None or figure.value is None:
            lines.append(SourceLine(indicator.name, indicator.fingertips_id, "No data", "", "", ""))
            continue
        run = runs.get((figure.indicator_id, figure.period_sortable, figure.value))
        notes = []
        if estimated := _estimated(figure):
            notes.append(estimated)
        if figure.limits_source == "engine":
            notes.append("95% limits calculated here, not published")
        lines.append(
            SourceLine(
                indicator=indicator.name,
                fingertips_id=indicator.fingertips_id,
                period=figure.period,
                loaded_by=_run_words(run),
                data_current_at=(
                    _day(_local_date(run.data_current_at)) if run and run.data_current_at else ""
                ),
                note="; ".join(notes),
            )
        )
    return tuple(lines)


def _run_words(run: ImportRun | None) -> str:
    if run is None:
        return "Made here from other figures"
    return f"{run.get_source_display()}, {_day(_local_date(run.finished_at or run.started_at))}"


def _shorten(text: str, words: int = 14) -> str:
    split = text.split()
    return " ".join(split[:words]) + ("…" if len(split) > words else "")


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "no value"
    return f"{value:.1f}" + (f" {unit}" if unit else "")


def _person(user) -> str:
    if user is None:
        return "Unknown"
    return user.get_full_name() or user.get_username()


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _months(review: QuarterlyReview) -> str:
    start, end = presenters.quarter_start(review), quarter_end(review)
    return f"{start:%B} to {end:%B %Y}"
