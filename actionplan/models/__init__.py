"""The reduction plan: priority areas, objectives, actions, measures and quarterly reviews.

Every change is kept with who made it and when (django-simple-history). One module a concern:
`plan` (the plan, its priority areas, objectives and actions), `measures` (the outcomes
framework), `reviews` (quarterly reviews, updates, final RAGs and freezing), `board_packs` (a
frozen quarter's stored pack), `reminders`, `stewardship` (teams, stewards, the changes log),
`record` (a plan item in the quarterly record is retired, never deleted), on `base.RuledModel`
and the financial `quarters`.
"""

from actionplan.models import record  # noqa: F401  (connects the record's pre_delete guard)
from actionplan.models.base import RuledModel
from actionplan.models.board_packs import FrozenBoardPack
from actionplan.models.measures import PerformanceMeasure
from actionplan.models.plan import Action, Objective, Plan, PriorityArea
from actionplan.models.reminders import UpdateReminder
from actionplan.models.reviews import (
    FrozenReview,
    InFrozenQuarterGuard,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.models.stewardship import AreaSteward, PlanChange, PlanTeam

__all__ = [
    "Action",
    "AreaSteward",
    "FrozenBoardPack",
    "FrozenReview",
    "InFrozenQuarterGuard",
    "Objective",
    "PerformanceMeasure",
    "Plan",
    "PlanChange",
    "PlanTeam",
    "PriorityArea",
    "QuarterlyReview",
    "QuarterlyUpdate",
    "Rating",
    "RuledModel",
    "UpdateReminder",
]
