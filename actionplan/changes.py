"""What changed since the last review: RAG moves, new data, slipped dates and completed actions.

Pure: `compare` takes plain values read at two moments (when the previous review was frozen, and
when this one was frozen or now while it is open) and returns the list the review page, the board
and the board pack show. `actionplan.review_changes` reads the database and calls it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from actionplan.rag import Rag, parse_rag

COMPLETE = "complete"  # the `ActionStatus` value of a completed action

# Worst to best; Not rated has no place, so a move to or from it is a change without a direction.
_RANK = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.COMPLETE: 3}


# Inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaRatings:
    """A priority area's final and computed (the rule's) RAG last frozen quarter and now.

    The arrow compares the computed ratings: a final RAG the group set over the rule's (an
    override) is shown beside it with its rationale, and never carries into the next quarter.
    """

    number: int
    title: str
    previous_final: Rag | None
    final: Rag | None
    proposed: Rag | None
    previous_proposed: Rag | None = None
    previous_rationale: str = ""
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class ActionUpdates:
    """The RAG an action's owner gave in the previous review's update and in this one's."""

    number: str
    text: str
    area_number: int
    previous_rag: Rag | None
    rag: Rag | None


@dataclass(frozen=True, slots=True)
class ActionState:
    due_date: date | None
    status: str


@dataclass(frozen=True, slots=True)
class ActionHistory:
    """An action as it stood when the previous review was frozen (None: not yet in the plan)
    and as it stands at this review (None: removed)."""

    number: str
    text: str
    area_number: int
    before: ActionState | None
    after: ActionState | None


@dataclass(frozen=True, slots=True)
class ObservationPoint:
    """One figure of a measure's series that an import created or revised, and when."""

    period_label: str
    period_sortable: int
    value: float | None
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class MeasureSeries:
    """A measure's home-area series: the latest period held when the previous review was frozen
    (among figures no import has touched since), and the figures imported since."""

    measure: str
    indicator_name: str
    fingertips_id: int | None
    unit: str
    latest_period_before: int | None
    imported: tuple[ObservationPoint, ...]


# Outputs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RagMove:
    number: str
    title: str
    area_number: int
    before: Rag
    after: Rag
    after_kind: str  # "computed" for a priority area (older lists: "final" or "proposed");
    # "owner's update" for an action
    note: str = ""  # the group's overrides of the computed RAG, with their rationale

    @property
    def direction(self) -> str:
        now, then = _RANK.get(self.after), _RANK.get(self.before)
        if now is None or then is None:
            return "changed"
        if now == then:
            return "same"  # the rule's RAG held; only the group's final RAG moved
        return "better" if now > then else "worse"


@dataclass(frozen=True, slots=True)
class NewData:
    measure: str
    indicator_name: str
    fingertips_id: int | None
    unit: str
    period_label: str
    value: float | None
    imported_at: datetime
    new_period: bool  # False: a period already held whose figure was revised

    @property
    def kind(self) -> str:
        return "new period" if self.new_period else "revised"


@dataclass(frozen=True, slots=True)
class SlippedAction:
    number: str
    text: str
    area_number: int
    was_due: date
    now_due: date

    @property
    def days_later(self) -> int:
        return (self.now_due - self.was_due).days


@dataclass(frozen=True, slots=True)
class CompletedAction:
    number: str
    text: str
    area_number: int
    due_date: date | None


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything that changed between the previous frozen review and this one."""

    review: str
    review_frozen: bool
    previous: str | None  # None: no earlier frozen review to compare with
    previous_frozen_at: datetime | None
    as_at: datetime  # when this review was frozen, or when the list was read while it is open
    area_moves: list[RagMove] = field(default_factory=list)
    action_moves: list[RagMove] = field(default_factory=list)
    new_data: list[NewData] = field(default_factory=list)
    slipped: list[SlippedAction] = field(default_factory=list)
    completed: list[CompletedAction] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    @property
    def is_empty(self) -> bool:
        return not (
            self.area_moves or self.action_moves or self.new_data or self.slipped or self.completed
        )

    @property
    def summary(self) -> str:
        """One sentence that counts each kind of change, or says why there is none."""
        if self.previous is None:
            return (
                f"There is no earlier frozen review to compare {self.review} with, "
                "so no changes are listed."
            )
        counts = [
            _count(
                len(self.area_moves),
                "priority area with a changed RAG (the rule's or the group's)",
                "priority areas with a changed RAG (the rule's or the group's)",
            ),
            _count(
                len(self.action_moves),
                "action's owner changed its RAG",
                "actions' owners changed their RAG",
            ),
            _count(len(self.new_data), "new or revised figure", "new or revised figures"),
            _count(len(self.slipped), "action's due date slipped", "actions' due dates slipped"),
            _count(len(self.completed), "action completed", "actions completed"),
        ]
        listed = [c for c in counts if c]
        if not listed:
            return f"Nothing has changed since {self.previous} was frozen."
        return f"Since {self.previous} was frozen: {_join(listed)}."


def _count(n: int, one: str, many: str) -> str:
    if n == 0:
        return ""
    return f"{n} {one if n == 1 else many}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _number_key(number: str) -> tuple:
    """'3.2.10' after '3.2.9': numbers compared as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", number))


# The comparison -----------------------------------------------------------------------------


def compare(
    *,
    review: str,
    review_frozen: bool,
    previous: str | None,
    previous_frozen_at: datetime | None,
    as_at: datetime,
    areas: Iterable[AreaRatings] = (),
    updates: Iterable[ActionUpdates] = (),
    actions: Iterable[ActionHistory] = (),
    measures: Iterable[MeasureSeries] = (),
) -> Changes:
    """The changes between the previous frozen review and this one; none without a previous."""
    changes = Changes(review, review_frozen, previous, previous_frozen_at, as_at)
    if previous is None:
        return changes
    changes.area_moves.extend(_area_moves(areas, previous=previous, review=review))
    changes.action_moves.extend(_action_moves(updates))
    actions = sorted(actions, key=lambda a: (a.area_number, _number_key(a.number)))
    changes.slipped.extend(_slipped(actions))
    changes.completed.extend(_completed(actions))
    changes.new_data.extend(_new_data(measures))
    return changes


def _area_moves(areas: Iterable[AreaRatings], *, previous: str, review: str) -> list[RagMove]:
    """Areas whose computed RAG moved, or whose final RAG did: the computed ones compared."""
    moves = []
    for area in sorted(areas, key=lambda a: a.number):
        if area.previous_proposed is None:
            move = _final_move(area)
        else:
            move = _computed_move(area, previous=previous, review=review)
        if move is not None:
            moves.append(move)
    return moves


def _final_move(area: AreaRatings) -> RagMove | None:
    """Without the previous quarter's computed RAG (a list read before it was kept): finals."""
    now, kind = (area.final, "final") if area.final is not None else (area.proposed, "proposed")
    if area.previous_final is None or now is None or now == area.previous_final:
        return None
    return RagMove(str(area.number), area.title, area.number, area.previous_final, now, kind)


def _computed_move(area: AreaRatings, *, previous: str, review: str) -> RagMove | None:
    then, now = area.previous_proposed, area.proposed
    if now is None:
        return None
    final_then = area.previous_final or then
    final_now = area.final or now
    if now == then and final_now == final_then:
        return None
    notes = [
        _override(previous, area.previous_final, then, area.previous_rationale),
        _override(review, area.final, now, area.rationale),
    ]
    note = " ".join(n for n in notes if n)
    return RagMove(str(area.number), area.title, area.number, then, now, "computed", note)


def _override(label: str, final: Rag | None, computed: Rag | None, rationale: str) -> str:
    if final is None or computed is None or final == computed:
        return ""
    reason = f": {rationale.strip().rstrip('.')}" if rationale.strip() else ""
    return f"{label}: the group set {final.label} over the rule's {computed.label}{reason}."


def _action_moves(updates: Iterable[ActionUpdates]) -> list[RagMove]:
    moves = []
    for u in sorted(updates, key=lambda u: (u.area_number, _number_key(u.number))):
        if u.previous_rag is None or u.rag is None or u.rag == u.previous_rag:
            continue
        moves.append(
            RagMove(u.number, u.text, u.area_number, u.previous_rag, u.rag, "owner's update")
        )
    return moves


def _slipped(actions: Sequence[ActionHistory]) -> list[SlippedAction]:
    slipped = []
    for a in actions:
        if a.before is None or a.after is None:
            continue
        was, now = a.before.due_date, a.after.due_date
        if was is not None and now is not None and now > was:
            slipped.append(SlippedAction(a.number, a.text, a.area_number, was, now))
    return slipped


def _completed(actions: Sequence[ActionHistory]) -> list[CompletedAction]:
    return [
        CompletedAction(a.number, a.text, a.area_number, a.after.due_date)
        for a in actions
        if a.after is not None
        and a.after.status == COMPLETE
        and (a.before is None or a.before.status != COMPLETE)
    ]


def _new_data(measures: Iterable[MeasureSeries]) -> list[NewData]:
    found = []
    for m in measures:
        # One line per period: the same figure cannot be listed twice.
        latest: dict[int, ObservationPoint] = {}
        for point in m.imported:
            held = latest.get(point.period_sortable)
            if held is None or point.imported_at > held.imported_at:
                latest[point.period_sortable] = point
        for sortable in sorted(latest, reverse=True):
            point = latest[sortable]
            found.append(
                NewData(
                    m.measure,
                    m.indicator_name,
                    m.fingertips_id,
                    m.unit,
                    point.period_label,
                    point.value,
                    point.imported_at,
                    new_period=m.latest_period_before is None or sortable > m.latest_period_before,
                )
            )
    return found


# Stored form --------------------------------------------------------------------------------
# A frozen review keeps the list it had when it was frozen: later imports revise figures in place,
# so the list cannot always be worked out again afterwards.


def to_plain(changes: Changes) -> dict:
    """The list as JSON-ready values (dates and times as ISO strings, RAGs by value)."""

    def move(m: RagMove) -> dict:
        return {
            "number": m.number,
            "title": m.title,
            "area_number": m.area_number,
            "before": m.before.value,
            "after": m.after.value,
            "after_kind": m.after_kind,
            "note": m.note,
        }

    return {
        "review": changes.review,
        "review_frozen": changes.review_frozen,
        "previous": changes.previous,
        "previous_frozen_at": _iso(changes.previous_frozen_at),
        "as_at": changes.as_at.isoformat(),
        "area_moves": [move(m) for m in changes.area_moves],
        "action_moves": [move(m) for m in changes.action_moves],
        "new_data": [
            {
                "measure": d.measure,
                "indicator_name": d.indicator_name,
                "fingertips_id": d.fingertips_id,
                "unit": d.unit,
                "period_label": d.period_label,
                "value": d.value,
                "imported_at": d.imported_at.isoformat(),
                "new_period": d.new_period,
            }
            for d in changes.new_data
        ],
        "slipped": [
            {
                "number": s.number,
                "text": s.text,
                "area_number": s.area_number,
                "was_due": s.was_due.isoformat(),
                "now_due": s.now_due.isoformat(),
            }
            for s in changes.slipped
        ],
        "completed": [
            {
                "number": c.number,
                "text": c.text,
                "area_number": c.area_number,
                "due_date": _iso(c.due_date),
            }
            for c in changes.completed
        ],
    }


def from_plain(plain: dict) -> Changes:
    """The list back from `to_plain`'s values."""

    def move(m: dict) -> RagMove:
        return RagMove(
            m["number"],
            m["title"],
            m["area_number"],
            parse_rag(m["before"]),
            parse_rag(m["after"]),
            m["after_kind"],
            m.get("note", ""),
        )

    return Changes(
        review=plain["review"],
        review_frozen=plain["review_frozen"],
        previous=plain["previous"],
        previous_frozen_at=_datetime(plain["previous_frozen_at"]),
        as_at=datetime.fromisoformat(plain["as_at"]),
        area_moves=[move(m) for m in plain["area_moves"]],
        action_moves=[move(m) for m in plain["action_moves"]],
        new_data=[
            NewData(
                d["measure"],
                d["indicator_name"],
                d["fingertips_id"],
                d["unit"],
                d["period_label"],
                d["value"],
                datetime.fromisoformat(d["imported_at"]),
                d["new_period"],
            )
            for d in plain["new_data"]
        ],
        slipped=[
            SlippedAction(
                s["number"],
                s["text"],
                s["area_number"],
                date.fromisoformat(s["was_due"]),
                date.fromisoformat(s["now_due"]),
            )
            for s in plain["slipped"]
        ],
        completed=[
            CompletedAction(
                c["number"],
                c["text"],
                c["area_number"],
                date.fromisoformat(c["due_date"]) if c["due_date"] else None,
            )
            for c in plain["completed"]
        ],
    )


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
