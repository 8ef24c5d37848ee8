"""How current a figure must be for the RAG rule to rate it: the `RAG_OUT_OF_DATE_BEFORE` setting.

"plan_start" (the default): a figure whose period ended before the plan's first day is not
rated Red or Green ("Not rated: data out of date", with its period). A date (YYYY-MM-DD) sets
the limit outright; "off" rates every figure, however old.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from actionplan import rag
from actionplan.models import Plan
from actionplan.rag.words import day

SETTING = "RAG_OUT_OF_DATE_BEFORE"
PLAN_START = "plan_start"
OFF = "off"


def out_of_date_limit(plan: Plan | None) -> rag.OutOfDate | None:
    """The limit the setting gives for this plan, or None when figures of any age are rated."""
    value = str(getattr(settings, SETTING, PLAN_START) or PLAN_START).strip()
    if value.lower() == OFF:
        return None
    if value.lower() == PLAN_START:
        return rag.OutOfDate(plan.starts, rag.OUT_OF_DATE_LIMIT) if plan else None
    try:
        limit = date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{SETTING} must be {PLAN_START!r}, {OFF!r} or a date (YYYY-MM-DD), not {value!r}"
        ) from None
    return rag.OutOfDate(limit, day(limit))
