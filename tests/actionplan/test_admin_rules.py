"""The admin follows the plan's own rules: the same checks as the pages, and a message, never a
server error, when something is refused.

Each post here carries every field of the admin's form with valid values, so that only the rule
under test can stop it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction

from actionplan import roles
from actionplan.models import (
    Action,
    FrozenReview,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from indicators.vocabulary import Rag
from tests.actionplan.freezing import freeze_with_every_area_rated

ADMIN = "/admin/actionplan"


def form_data(obj, **changes) -> dict:
    """Every editable field of a row as the admin's form posts it, with some changed."""
    data = {}
    for field in obj._meta.fields:
        if field.editable and not field.auto_created:
            value = field.value_from_object(obj)
            data[field.name] = "" if value is None else value
    return data | changes


def messages_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def viewer(plan_roles) -> User:
    """Vera: admin-site staff whose only plan role is Board member, so she may only view."""
    user = User.objects.create_user("vera", password="not-a-real-password", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.BOARD_MEMBER))
    return user


@pytest.fixture
def root(plan_roles) -> User:
    return User.objects.create_superuser("root", "root@example.org", "not-a-real-password")


@pytest.fixture
def frozen(review, owned, action_owner):
    """2021/22 Q2 with one update (Bob's) and every area rated Amber, frozen by the workflow."""
    QuarterlyUpdate.objects.create(
        review=review, action=owned[0], rag=Rag.GREEN, progress_note="On track", author=action_owner
    )
    freeze_with_every_area_rated(review, final=Rag.AMBER)
    return review


def first_rating(review) -> Rating:
    return review.ratings.get(priority_area__number=1)


# Reverting through the history ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_only_staff_member_cannot_revert_an_action_through_its_history(client, viewer, plan):
    action = Action.objects.order_by("pk").first()
    original = action.history.earliest()
    action.text = "Reworded by the group"
    action.save()
    client.force_login(viewer)
    url = f"{ADMIN}/action/{action.pk}/history/{original.history_id}/"

    page = client.get(url)
    assert page.status_code == 200  # viewing an earlier version is reading
    assert page.context["revert_disabled"]
    response = client.post(url, form_data(action, text=original.text))

    assert response.status_code == 403
    action.refresh_from_db()
    assert action.text == "Reworded by the group"
    assert action.history.count() == 2


@pytest.mark.django_db
def test_a_view_only_staff_member_cannot_revert_an_open_quarters_rating(client, viewer, review):
    area = PriorityArea.objects.get(plan=review.plan, number=1)
    rating = Rating.objects.create(
        review=review, priority_area=area, proposed="amber", final="amber"
    )
    first = rating.history.get()
    rating.final, rating.rationale = Rag.RED, "Funding cut"
    rating.save()
    client.force_login(viewer)

    response = client.post(
        f"{ADMIN}/rating/{rating.pk}/history/{first.history_id}/",
        form_data(rating, final=Rag.AMBER, rationale="", decided_by=viewer.pk),
    )

    assert response.status_code == 403
    rating.refresh_from_db()
    assert (rating.final, rating.rationale) == (Rag.RED, "Funding cut")


@pytest.mark.django_db
def test_staff_with_change_permission_still_revert(client, root, plan):
    action = Action.objects.order_by("pk").first()
    original = action.history.earliest()
    action.text = "Reworded by the group"
    action.save()
    client.force_login(root)

    response = client.post(
        f"{ADMIN}/action/{action.pk}/history/{original.history_id}/",
        form_data(action, text=original.text),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == original.text


@pytest.mark.django_db
def test_reverting_a_frozen_rating_answers_a_message_and_changes_nothing(client, root, frozen):
    rating = first_rating(frozen)
    version = rating.history.get()
    client.force_login(root)
    url = f"{ADMIN}/rating/{rating.pk}/history/{version.history_id}/"

    assert client.get(url).context["revert_disabled"]
    response = client.post(
        url, form_data(rating, final=Rag.RED, rationale="Changed later", decided_by=root.pk)
    )

    assert response.status_code == 302
    assert response.url == f"{ADMIN}/rating/{rating.pk}/history/"
    page = client.get(response.url)
    assert any("belongs to a frozen quarter" in m for m in messages_in(page))
    assert first_rating(frozen).final == Rag.AMBER
    assert rating.history.count() == 1


@pytest.mark.django_db
def test_reverting_a_frozen_review_to_its_open_version_answers_a_message(client, root, frozen):
    opened = frozen.history.earliest()
    assert opened.state == QuarterlyReview.State.OPEN
    client.force_login(root)

    response = client.post(
        f"{ADMIN}/quarterlyreview/{frozen.pk}/history/{opened.history_id}/",
        form_data(frozen, meeting_date="2021-11-01"),
        follow=True,
    )

    assert response.redirect_chain == [(f"{ADMIN}/quarterlyreview/{frozen.pk}/history/", 302)]
    assert any("2021/22 Q2 is frozen: nobody can change" in m for m in messages_in(response))
    frozen.refresh_from_db()
    assert frozen.is_frozen
    assert frozen.meeting_date == date(2021, 10, 20)


# Freezing, and which quarter may be added ----------------------------------------------------


@pytest.mark.django_db
def test_the_admins_change_form_cannot_freeze_a_quarter(client, root, review):
    client.force_login(root)

    response = client.post(
        f"{ADMIN}/quarterlyreview/{review.pk}/change/", form_data(review, state="frozen")
    )

    # The state is not a field of the admin's form: the post saves the rest, the quarter stays
    # open, and nothing of freezing (time, stored changes) is written.
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.frozen_at, review.changes_at_freeze) == ("open", None, None)


@pytest.mark.django_db
def test_a_shell_cannot_freeze_a_quarter_without_the_workflow(review):
    for area in PriorityArea.objects.filter(plan=review.plan):
        Rating.objects.create(review=review, priority_area=area, proposed="red", final="red")

    review.state = QuarterlyReview.State.FROZEN
    with pytest.raises(ValidationError, match="Freeze 2021/22 Q2 on its review page"):
        review.save()

    assert QuarterlyReview.objects.get(pk=review.pk).state == QuarterlyReview.State.OPEN


@pytest.mark.django_db
def test_the_admins_freeze_action_checks_every_final_rag(client, root, review):
    client.force_login(root)
    action = {"action": "freeze_selected", "_selected_action": [review.pk]}

    refused = client.post(f"{ADMIN}/quarterlyreview/", action, follow=True)

    assert refused.status_code == 200
    assert any(
        "2021/22 Q2 cannot be frozen until every priority area has a final RAG" in m
        and "Set a final RAG for priority area 1" in m
        for m in messages_in(refused)
    )
    review.refresh_from_db()
    assert not review.is_frozen

    for area in PriorityArea.objects.filter(plan=review.plan):
        Rating.objects.create(review=review, priority_area=area, proposed="amber", final="amber")
    frozen = client.post(f"{ADMIN}/quarterlyreview/", action, follow=True)

    assert any("2021/22 Q2 is frozen" in m for m in messages_in(frozen))
    review.refresh_from_db()
    assert review.is_frozen
    assert review.frozen_at is not None and review.changes_at_freeze is not None
    assert review.history.latest().history_user == root


@pytest.mark.django_db
def test_the_admin_cannot_add_a_back_dated_or_frozen_quarter(client, root, frozen):
    client.force_login(root)
    earlier = {
        "plan": frozen.plan_id,
        "financial_year": 2019,
        "quarter": 1,
        "meeting_date": "2019-07-01",
        "state": "frozen",
    }

    refused = client.post(f"{ADMIN}/quarterlyreview/add/", earlier)

    assert refused.status_code == 200
    assert "The quarter must come after the latest review, 2021/22 Q2" in refused.content.decode()
    assert not QuarterlyReview.objects.filter(financial_year=2019).exists()

    later = earlier | {"financial_year": 2021, "quarter": 3, "meeting_date": "2022-01-20"}
    assert client.post(f"{ADMIN}/quarterlyreview/add/", later).status_code == 302
    added = QuarterlyReview.objects.get(financial_year=2021, quarter=3)
    assert (added.state, added.frozen_at) == ("open", None)


@pytest.mark.django_db
def test_a_shell_cannot_create_a_frozen_or_back_dated_quarter(frozen):
    with pytest.raises(ValidationError, match="cannot be created frozen"):
        QuarterlyReview.objects.create(
            plan=frozen.plan, financial_year=2022, quarter=1, state=QuarterlyReview.State.FROZEN
        )
    with pytest.raises(ValidationError, match="must come after the latest review, 2021/22 Q2"):
        QuarterlyReview.objects.create(plan=frozen.plan, financial_year=2020, quarter=4)
    assert list(QuarterlyReview.objects.values_list("financial_year", "quarter")) == [(2021, 2)]


# Rows of a frozen quarter: added, changed, deleted -------------------------------------------


@pytest.mark.django_db
def test_adding_a_rating_or_update_to_a_frozen_quarter_is_refused_in_the_form(
    client, root, frozen, owned
):
    client.force_login(root)
    rating = client.post(
        f"{ADMIN}/rating/add/",
        {
            "review": frozen.pk,
            "priority_area": PriorityArea.objects.get(number=1).pk,
            "proposed": "red",
            "proposed_reason": "",
            "final": "red",
            "rationale": "",
            "decided_by": root.pk,
        },
    )
    update = client.post(
        f"{ADMIN}/quarterlyupdate/add/",
        {
            "review": frozen.pk,
            "action": owned[1].pk,
            "rag": "red",
            "progress_note": "Late entry",
            "author": root.pk,
        },
    )

    for response in (rating, update):
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["review"]
    assert Rating.objects.filter(review=frozen).count() == 9
    assert QuarterlyUpdate.objects.filter(review=frozen).count() == 1


@pytest.mark.django_db
def test_a_frozen_quarters_rows_refuse_a_full_clean_in_words(frozen, owned, root):
    late = QuarterlyUpdate(
        review=frozen, action=owned[1], rag="red", progress_note="Late entry", author=root
    )
    with pytest.raises(ValidationError, match="2021/22 Q2 is frozen: nobody can change"):
        late.full_clean()


@pytest.mark.django_db
def test_delete_selected_with_a_frozen_row_answers_a_message_and_deletes_nothing(
    client, root, frozen
):
    client.force_login(root)
    rating = first_rating(frozen)

    for step in ({}, {"post": "yes"}):
        response = client.post(
            f"{ADMIN}/rating/",
            {"action": "delete_selected", "_selected_action": [rating.pk]} | step,
            follow=True,
        )
        assert response.redirect_chain == [(f"{ADMIN}/rating/", 302)]
        assert any(
            m.startswith("Nothing was deleted.") and "belongs to a frozen quarter" in m
            for m in messages_in(response)
        )
    assert Rating.objects.filter(pk=rating.pk).exists()


@pytest.mark.django_db
def test_deleting_a_frozen_rating_answers_a_message(client, root, frozen):
    client.force_login(root)
    rating = first_rating(frozen)

    response = client.post(f"{ADMIN}/rating/{rating.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.redirect_chain == [(f"{ADMIN}/rating/{rating.pk}/change/", 302)]
    assert any("belongs to a frozen quarter" in m for m in messages_in(response))
    assert Rating.objects.filter(pk=rating.pk).exists()


@pytest.mark.django_db
def test_deleting_an_action_would_take_a_frozen_update_with_it_so_it_is_protected(
    client, root, frozen, owned
):
    client.force_login(root)
    url = f"{ADMIN}/action/{owned[0].pk}/delete/"

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "protected related objects" in html
    assert "belongs to a frozen quarter" in html
    assert "your account doesn't have permission" not in html
    assert client.post(url, {"post": "yes"}).status_code == 200
    assert Action.objects.filter(pk=owned[0].pk).exists()
    assert QuarterlyUpdate.objects.filter(review=frozen).count() == 1


@pytest.mark.django_db
def test_a_shell_cannot_delete_a_frozen_quarter_or_its_rows_through_a_cascade(frozen, owned):
    # Each in its own savepoint, as a shell's autocommit would run it.
    with pytest.raises(FrozenReview), transaction.atomic():
        owned[0].delete()  # its update is in the frozen quarter
    with pytest.raises(FrozenReview), transaction.atomic():
        QuarterlyReview.objects.filter(pk=frozen.pk).delete()
    with pytest.raises(FrozenReview), transaction.atomic():
        Rating.objects.filter(review=frozen).delete()

    assert Action.objects.filter(pk=owned[0].pk).exists()
    assert QuarterlyUpdate.objects.filter(review=frozen).count() == 1
    assert Rating.objects.filter(review=frozen).count() == 9


@pytest.mark.django_db
def test_an_open_quarters_rows_are_still_deleted_in_the_admin(client, root, review):
    area = PriorityArea.objects.get(plan=review.plan, number=1)
    rating = Rating.objects.create(
        review=review, priority_area=area, proposed="amber", final="amber"
    )
    client.force_login(root)

    response = client.post(
        f"{ADMIN}/rating/",
        {"action": "delete_selected", "_selected_action": [rating.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Rating.objects.filter(pk=rating.pk).exists()


# Plan items with a quarterly record are retired, not deleted -----------------------------------


@pytest.fixture
def updated_in_open_quarter(review, owned, action_owner):
    """Bob's update for his action in the open 2021/22 Q2."""
    return QuarterlyUpdate.objects.create(
        review=review, action=owned[0], rag=Rag.GREEN, progress_note="On track", author=action_owner
    )


@pytest.mark.django_db
def test_the_admin_refuses_to_delete_an_action_with_an_update_in_an_open_quarter(
    client, root, updated_in_open_quarter
):
    action = updated_in_open_quarter.action
    client.force_login(root)
    url = f"{ADMIN}/action/{action.pk}/delete/"

    html = client.get(url).content.decode()
    assert "protected related objects" in html
    assert "retire the action or objective instead of deleting it" in html
    client.post(url, {"post": "yes"})
    response = client.post(
        f"{ADMIN}/action/",
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
        follow=True,
    )

    assert any("Nothing was deleted" in m for m in messages_in(response))
    assert Action.objects.filter(pk=action.pk).exists()
    assert QuarterlyUpdate.objects.filter(pk=updated_in_open_quarter.pk).exists()


@pytest.mark.django_db
def test_the_admin_refuses_to_delete_an_objective_or_area_whose_quarters_hold_a_record(
    client, root, updated_in_open_quarter
):
    objective = updated_in_open_quarter.action.objective
    client.force_login(root)
    for model, pk in (
        ("objective", objective.pk),
        ("priorityarea", objective.priority_area_id),
        ("plan", objective.priority_area.plan_id),
    ):
        html = client.get(f"{ADMIN}/{model}/{pk}/delete/").content.decode()
        assert "protected related objects" in html, model
        client.post(f"{ADMIN}/{model}/{pk}/delete/", {"post": "yes"})
    assert QuarterlyUpdate.objects.filter(pk=updated_in_open_quarter.pk).exists()


@pytest.mark.django_db
def test_a_shell_or_command_cannot_delete_an_action_with_updates(updated_in_open_quarter):
    from django.db.models import ProtectedError

    action = updated_in_open_quarter.action
    with pytest.raises(ProtectedError, match="retire it instead"), transaction.atomic():
        action.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Action.objects.filter(pk=action.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        action.objective.delete()  # the cascade reaches the action
    assert QuarterlyUpdate.objects.filter(pk=updated_in_open_quarter.pk).exists()


@pytest.mark.django_db
def test_an_action_without_updates_is_still_deleted_in_the_admin(client, root, plan):
    action = Action.objects.filter(objective__priority_area__plan=plan).first()
    client.force_login(root)
    response = client.post(f"{ADMIN}/action/{action.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


@pytest.mark.django_db
def test_the_admins_change_form_cannot_move_an_open_quarter_past_the_plans_end(
    client, root, review
):
    client.force_login(root)
    data = form_data(review, financial_year=2030, quarter=1)
    response = client.post(f"{ADMIN}/quarterlyreview/{review.pk}/change/", data)
    assert response.status_code == 200
    assert "no quarter can be opened on it" in response.content.decode()
    review.refresh_from_db()
    assert (review.financial_year, review.quarter) == (2021, 2)


@pytest.mark.django_db
def test_the_admin_cannot_add_a_quarter_after_the_plan_ends(client, root, bundled_plan):
    plan = bundled_plan
    client.force_login(root)
    data = {"plan": plan.pk, "financial_year": 2024, "quarter": 1, "meeting_date": "2024-07-01"}
    response = client.post(f"{ADMIN}/quarterlyreview/add/", data)
    assert "no quarter can be opened on it" in response.content.decode()
    assert not QuarterlyReview.objects.exists()


@pytest.mark.django_db
def test_a_shell_cannot_open_a_quarter_outside_the_plan(bundled_plan):
    plan = bundled_plan
    with pytest.raises(ValidationError, match="no quarter can be opened"), transaction.atomic():
        QuarterlyReview.objects.create(plan=plan, financial_year=2024, quarter=1)
    with pytest.raises(ValidationError, match="starts on 1 April 2020"), transaction.atomic():
        QuarterlyReview.objects.create(plan=plan, financial_year=2019, quarter=4)
    assert not QuarterlyReview.objects.exists()


@pytest.mark.django_db
def test_a_plans_period_keeps_its_reviewed_quarters(client, root, review):
    plan = review.plan
    client.force_login(root)
    response = client.post(
        f"{ADMIN}/plan/{plan.pk}/change/", form_data(plan, ends=date(2021, 6, 30))
    )
    assert "was reviewed after that date" in response.content.decode()
    plan.ends = plan.starts
    with pytest.raises(ValidationError, match="end after it starts"):
        plan.save()
