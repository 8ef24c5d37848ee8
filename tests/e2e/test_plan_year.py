"""A year of the plan as the Best Start Strategic Group runs it, in a real browser.

The secretariat (a whole-plan steward) sets an action's owner, due date and status and a
measure's target; the owner enters the update and proposes Complete; the steward confirms it in
the review; the group sets final RAGs and freezes the quarter; the steward changes the plan for the
next quarter (rewords one action, retires another). The frozen quarter's board pack and its
"what changed" list still show the quarter exactly as it was frozen.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from actionplan import roles, stewardship
from actionplan.models import Action, PerformanceMeasure, PlanChange, QuarterlyReview
from actionplan.presenters import current_plan
from tests.e2e.test_plan_workflow import (  # noqa: F401 (fixtures used by name)
    PASSWORD,
    freeze,
    new_page,
    open_review,
    rate_the_rest_as_proposed,
    script_errors,
    sign_in,
)

pytestmark = pytest.mark.e2e

ACTION, RETIRED = "5.1.1", "5.2.1"
QUARTER = (2022, 1)


@pytest.fixture
def year_site(site, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    people = {}
    for username, role in [
        ("sally", roles.PLAN_STEWARD),
        ("bob", roles.ACTION_OWNER),
        ("charlie", roles.GROUP_MEMBER),
    ]:
        user = User.objects.create_user(username, password=PASSWORD, first_name=username.title())
        user.groups.add(Group.objects.get(name=role))
        people[username] = user
    stewardship.assign(current_plan(), people["sally"], None, by=None)
    return site, people


def test_a_year_of_the_plan(year_site, page, new_page):  # noqa: F811
    base, people = year_site
    plan = current_plan()
    action = Action.objects.get(objective__priority_area__plan=plan, number=ACTION)
    retired = Action.objects.get(objective__priority_area__plan=plan, number=RETIRED)
    measure = PerformanceMeasure.objects.filter(plan=plan, priority_area__number=5).first()

    # The secretariat sets the owner, due date and status, and the measure's target.
    steward = page
    sign_in(steward, base, "sally")
    steward.goto(f"{base}/plan/areas/5/")
    steward.locator(f"[id='action-{ACTION}']").get_by_test_id("edit-action").click()
    steward.get_by_label("Owner (a person)").select_option(label="Bob (bob)")
    steward.get_by_label("Due date").fill("2022-06-30")
    steward.get_by_role("radio", name="In progress").check()
    steward.get_by_role("button", name="Save the action").click()
    expect(steward.get_by_test_id("message")).to_contain_text(f"Action {ACTION} saved")
    steward.goto(f"{base}/plan/measures/{measure.pk}/edit/")
    steward.get_by_label("Target value").fill("120")  # a percentage: refused
    steward.get_by_role("button", name="Save the target").click()
    expect(steward.locator(".govuk-error-summary")).to_contain_text("Target must be 100 or less")
    steward.get_by_label("Target value").fill("6")
    steward.get_by_role("button", name="Save the target").click()
    expect(steward.get_by_test_id("plan-changes")).to_contain_text("Target value: none → 6.0")

    # The group opens the quarter; the owner proposes Complete.
    group = new_page()
    sign_in(group, base, "charlie")
    open_review(group, base, *QUARTER, date(2022, 7, 20))
    review = QuarterlyReview.objects.get(plan=plan, financial_year=QUARTER[0], quarter=QUARTER[1])
    owner = new_page()
    sign_in(owner, base, "bob")
    owner.goto(f"{base}/plan/my-actions/")
    expect(owner.get_by_test_id("my-actions")).to_contain_text(ACTION)
    owner.get_by_test_id("my-actions").get_by_role("link", name="enter it").first.click()
    owner.get_by_role("radio", name="Complete").check()
    owner.get_by_label("Progress note").fill("Training delivered to every midwifery team.")
    owner.get_by_role("button", name="Save the update").click()
    expect(
        owner.locator(f"[id='action-{ACTION}']").get_by_test_id("action-status")
    ).to_contain_text("Complete proposed")
    assert Action.objects.get(pk=action.pk).status == "in_progress"

    # The steward confirms it in the review.
    steward.goto(f"{base}/plan/reviews/{review.pk}/")
    expect(steward.get_by_test_id("completions")).to_contain_text(ACTION)
    steward.get_by_role("button", name=f"Confirm complete for action {ACTION}").click()
    expect(steward.get_by_test_id("message")).to_contain_text(
        f"Action {ACTION} is complete: confirmed"
    )
    assert Action.objects.get(pk=action.pk).status == "complete"

    # The group rates every area and freezes the quarter.
    rate_the_rest_as_proposed(group, base, review, skip=0)
    freeze(group)
    review.refresh_from_db()
    pack = review.frozen_pack
    stored_hash = hashlib.sha256(bytes(pack.pdf)).hexdigest()
    changes_before = group.get_by_test_id("changes").inner_text()

    # Between quarters the steward rewords one action and retires another.
    steward.goto(f"{base}/plan/actions/{action.pk}/edit/")
    steward.get_by_label("Text").fill("Train every midwifery team, and refresh it yearly.")
    steward.get_by_role("button", name="Save the action").click()
    steward.goto(f"{base}/plan/actions/{retired.pk}/retire/")
    steward.get_by_label("Why is the action retired?").fill("Merged into 5.1.1")
    steward.get_by_role("button", name="Retire the action").click()
    expect(steward.get_by_test_id("message")).to_contain_text(f"Action {RETIRED} retired")
    expect(steward.locator(f"[id='action-{RETIRED}']")).to_have_count(0)
    assert PlanChange.objects.filter(made_by=people["sally"]).count() >= 4

    # The frozen quarter still shows the old plan exactly.
    group.goto(f"{base}/plan/reviews/{review.pk}/")
    assert group.get_by_test_id("changes").inner_text() == changes_before
    response = group.request.get(f"{base}/plan/reviews/{review.pk}/board-pack.pdf")
    assert hashlib.sha256(response.body()).hexdigest() == stored_hash
    assert re.search(r"board-pack-2022-23-Q1\.pdf", response.headers["content-disposition"])
