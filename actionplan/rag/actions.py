"""The proposed RAG of an action, from its status, dates and its owner's latest update."""

from __future__ import annotations

from datetime import date, timedelta

from indicators.vocabulary import ActionStatus, Rag

from . import rules as r
from .rules import DUE_SOON_DAYS, Proposal, propose
from .words import count, day, in_days, on, parse_action_status, parse_rag


def financial_quarter_start(when: date) -> date:
    """Return the first day of the financial quarter (April–June, ...) that contains a day."""
    # Financial quarters start in April, July, October and January: calendar quarter starts.
    return date(when.year, (when.month - 1) // 3 * 3 + 1, 1)


def propose_action_rag(
    *,
    today: date,
    status: ActionStatus | str,
    start_date: date | None = None,
    due_date: date | None = None,
    latest_update_rag: Rag | str | None = None,
    latest_update_date: date | None = None,
    rescheduled: bool = False,
    quarter_start: date | None = None,
    due_soon_days: int = DUE_SOON_DAYS,
) -> Proposal:
    """Return the proposed RAG for an action from its status, dates and latest update."""
    state = parse_action_status(status)
    owner_rag = parse_rag(latest_update_rag) if latest_update_rag else None
    early = _before_work(
        state, today, start_date, due_date, owner_rag, latest_update_date, due_soon_days
    )
    if early is not None:
        return early
    opened = quarter_start or financial_quarter_start(today)
    if latest_update_date is None or latest_update_date < opened:
        since = (
            f"the latest is dated {day(latest_update_date)}"
            if latest_update_date
            else "none has ever been entered"
        )
        return propose(
            r.ACTION_NO_UPDATE, f"No update since the quarter began on {day(opened)}; {since}."
        )
    if owner_rag is Rag.AMBER:
        return propose(
            r.ACTION_OWNER_AMBER, f"The owner's latest update{on(latest_update_date)} says Amber."
        )
    if rescheduled:
        return propose(
            r.ACTION_RESCHEDULED,
            f"Updated {day(latest_update_date)} and in progress, but its due date was moved "
            f"later than planned (now {day(due_date) if due_date else 'undated'}).",
        )
    owner = ", owner says Green" if owner_rag is Rag.GREEN else ", no RAG from the owner"
    due = f", due {day(due_date)}" if due_date else ""
    return propose(
        r.ACTION_ON_TRACK, f"In progress, updated {day(latest_update_date)}{owner}{due}."
    )


def _before_work(
    state: ActionStatus,
    today: date,
    start_date: date | None,
    due_date: date | None,
    owner_rag: Rag | None,
    latest_update_date: date | None,
    due_soon_days: int,
) -> Proposal | None:
    """The branches decided by status and dates alone, before the quarter's update counts."""
    if state is ActionStatus.COMPLETE:
        return propose(r.ACTION_COMPLETE, "Marked complete.")
    if state is ActionStatus.CANCELLED:
        return propose(r.ACTION_CANCELLED, "Cancelled, so there is nothing to judge.")
    if due_date is not None and due_date < today:
        late = (today - due_date).days
        return propose(
            r.ACTION_OVERDUE,
            f"Due {day(due_date)}, {count(late, 'day')} ago, and not complete "
            f"({state.label.lower()}).",
        )
    if owner_rag is Rag.RED:
        return propose(
            r.ACTION_OWNER_RED, f"The owner's latest update{on(latest_update_date)} says Red."
        )
    not_started = state is ActionStatus.NOT_STARTED
    if not_started and due_date is not None and due_date <= today + timedelta(days=due_soon_days):
        return propose(
            r.ACTION_NOT_STARTED_DUE_SOON,
            f"Not started and due {day(due_date)}, {in_days((due_date - today).days)}.",
        )
    if not_started and start_date is not None and start_date > today:
        return propose(r.ACTION_NOT_DUE_TO_START, f"Not due to start until {day(start_date)}.")
    if state is ActionStatus.ON_HOLD:
        return propose(
            r.ACTION_ON_HOLD,
            "On hold; the group should confirm it is still wanted and when it restarts.",
        )
    if not_started:
        when = f"was due to start {day(start_date)}" if start_date else "has no start date"
        return propose(r.ACTION_NOT_STARTED_LATE, f"Not started, and it {when}.")
    return None
