"""Model factories for tests that build their own rows (factory-boy).

Only structure is made up here (names, numbers, dates of a plan): no factory invents a figure.
An observation's value, count and limits are left empty unless a test passes real ones.
"""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth.models import Group, User

from actionplan.models import (
    Action,
    Objective,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from indicators.models import Area, Indicator, Observation

PASSWORD = "not-a-real-password"


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-in person; `roles=[roles.GROUP_MEMBER, ...]` puts them in the plan's groups
    (which `manage.py setup_roles` must have made)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*(Group.objects.get(name=name) for name in names))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = "Plan"
    starts = date(2021, 4, 1)
    ends = date(2026, 3, 31)


class PriorityAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityArea

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda area: f"Priority area {area.number}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    priority_area = factory.SubFactory(PriorityAreaFactory)
    number = factory.LazyAttribute(lambda o: f"{o.priority_area.number}.1")
    text = "Objective"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    objective = factory.SubFactory(ObjectiveFactory)
    number = factory.Sequence(lambda n: f"1.1.{n + 1}")
    text = factory.LazyAttribute(lambda action: f"Action {action.number}")


class QuarterlyReviewFactory(factory.django.DjangoModelFactory):
    """An open quarter (a quarter is frozen only by `workflow.freeze`)."""

    class Meta:
        model = QuarterlyReview

    plan = factory.SubFactory(PlanFactory)
    financial_year = 2021
    quarter = 1


class QuarterlyUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyUpdate

    review = factory.SubFactory(QuarterlyReviewFactory)
    action = factory.SubFactory(ActionFactory)
    rag = "amber"
    progress_note = "Started"


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    review = factory.SubFactory(QuarterlyReviewFactory)
    priority_area = factory.SubFactory(
        PriorityAreaFactory, plan=factory.SelfAttribute("..review.plan")
    )
    proposed = "amber"
    final = factory.SelfAttribute("proposed")


class AreaFactory(factory.django.DjangoModelFactory):
    """An area with a made-up code (E07999…): never one of the real areas' codes."""

    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E07999{n:03d}")
    name = factory.LazyAttribute(lambda area: f"Test district {area.code}")
    level = "district"


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator with a made-up Fingertips id (900000 and up: no real indicator's)."""

    class Meta:
        model = Indicator
        django_get_or_create = ("fingertips_id",)

    fingertips_id = factory.Sequence(lambda n: 900000 + n)
    name = factory.LazyAttribute(lambda i: f"Test indicator {i.fingertips_id}")


class ObservationFactory(factory.django.DjangoModelFactory):
    """A period of an indicator for an area, with no figures unless the test passes real ones."""

    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    area = factory.SubFactory(AreaFactory)
    sex = "Persons"
    age = "All ages"
    period_label = "2022 - 24"
    period_sortable = 20220000
    period_start_year = 2022
    period_end_year = 2024
    value = None
