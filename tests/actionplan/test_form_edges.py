"""The plan's forms at their edges: text that shows nothing, "Not rated" at freezing, and the
same form sent twice (two tabs, a double click), one after the other and at the same moment."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from actionplan import workflow
from actionplan.models import Plan, PriorityArea, QuarterlyReview, QuarterlyUpdate, Rating
from indicators.vocabulary import Rag
from tests.actionplan.conftest import login
from tests.actionplan.freezing import freeze_with_every_area_rated
from tests.factories import ActionFactory, QuarterlyReviewFactory

# Each shows nothing on a page: zero-width characters, the byte-order mark, no-break and
# ideographic spaces, separators, a Hangul filler, and mixtures with ordinary white space.
INVISIBLE = [
    "\u200b",
    "\u200c\u200d",
    "\u2060",
    "\ufeff",
    "\u00a0",
    "\u3000",
    "\u2028\u2029",
    "\u3164",
    " \u200b\t\u200b\n",
]


# Blank text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", " ", "\t\r\n", *INVISIBLE])
def test_text_of_spaces_and_invisible_characters_is_blank(text):
    from actionplan.blank_text import is_blank

    assert is_blank(text)


@pytest.mark.parametrize("text", ["x", "\u200bx", "0", ".", "👍", "\u00e9", "  Funding cut  "])
def test_text_with_anything_visible_is_not_blank(text):
    from actionplan.blank_text import is_blank

    assert not is_blank(text)


@pytest.fixture
def small_plan(db):
    """A plan of one area, objective and action, and its open review: no snapshot needed."""
    action = ActionFactory(
        number="1.1.1",
        objective__priority_area__number=1,
        objective__priority_area__title="Safer sleep",
    )
    area = action.objective.priority_area
    review = QuarterlyReviewFactory(plan=area.plan, financial_year=2021, quarter=1)
    return review, area, action


@pytest.mark.django_db
@pytest.mark.parametrize("text", INVISIBLE)
def test_a_shell_cannot_store_an_invisible_rationale_or_progress_note(small_plan, text):
    review, area, action = small_plan
    rating = Rating(
        review=review, priority_area=area, proposed="amber", final="red", rationale=text
    )
    update = QuarterlyUpdate(review=review, action=action, rag="green", progress_note=text)

    with pytest.raises(ValidationError, match="Enter a rationale"):
        rating.full_clean()
    with pytest.raises(ValidationError, match="Enter a rationale"):
        rating.save()
    with pytest.raises(ValidationError, match="Enter a progress note"):
        update.full_clean()
    with pytest.raises(ValidationError, match="Enter a progress note"):
        update.save()
    assert not Rating.objects.exists()
    assert not QuarterlyUpdate.objects.exists()


@pytest.mark.django_db
def test_a_rationale_is_still_optional_when_the_final_rag_is_the_proposed_one(small_plan):
    review, area, _ = small_plan
    Rating.objects.create(review=review, priority_area=area, proposed="amber", final="amber")
    assert Rating.objects.get().rationale == ""


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["\u200b", "\u00a0\u200d\ufeff"])
def test_an_invisible_rationale_is_refused_on_the_rating_page(client, group_member, review, text):
    login(client, group_member)
    url = reverse("actionplan:rating", args=[review.pk, 1])
    proposed = client.get(url).context["form"].instance.proposed
    other = "red" if proposed != "red" else "green"

    response = client.post(url, {"area-1-final": other, "area-1-rationale": text})

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_area-1-rationale"' in html
    assert response.context["form"].errors["rationale"] == [
        f"Enter a rationale: the final RAG differs from the proposed RAG ({Rag(proposed).label})"
    ]
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_an_invisible_progress_note_is_refused_on_the_update_page(
    client, action_owner, review, owned
):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])

    response = client.post(url, {"rag": "green", "progress_note": "\u200b\u200b"})

    assert response.status_code == 200
    assert response.context["form"].errors["progress_note"] == ["Enter a progress note"]
    assert 'href="#id_progress_note"' in response.content.decode()
    assert not QuarterlyUpdate.objects.exists()


# "Not rated" is not a final RAG at freezing ------------------------------------------------------


def rate_every_area_directly(review, not_rated: int | None = None) -> None:
    for area in PriorityArea.objects.filter(plan=review.plan):
        if area.number == not_rated:
            fields = {"final": Rag.NOT_RATED, "rationale": "Not discussed"}
        else:
            fields = {"final": Rag.AMBER}
        Rating.objects.create(review=review, priority_area=area, proposed=Rag.AMBER, **fields)


@pytest.mark.django_db
def test_freezing_refuses_a_not_rated_final_rag_on_the_page(client, group_member, review):
    rate_every_area_directly(review, not_rated=3)
    login(client, group_member)
    area = PriorityArea.objects.get(plan=review.plan, number=3)

    detail = client.get(reverse("actionplan:review", args=[review.pk])).content.decode()
    assert "1 still has none" in detail
    response = client.post(reverse("actionplan:freeze", args=[review.pk]))

    assert response.status_code == 200
    assert (
        f"Set a final RAG for priority area 3: {area.title} (“Not rated” is not a final RAG)"
        in response.content.decode()
    )
    review.refresh_from_db()
    assert not review.is_frozen


@pytest.mark.django_db
def test_freezing_refuses_a_not_rated_final_rag_from_a_shell(review):
    rate_every_area_directly(review, not_rated=1)

    with pytest.raises(workflow.FrozenReviewError, match="“Not rated” is not a final RAG"):
        workflow.freeze(review)

    review.refresh_from_db()
    assert (review.state, review.frozen_at) == ("open", None)
    Rating.objects.filter(review=review, final=Rag.NOT_RATED).update(final=Rag.RED)
    workflow.freeze(review)
    review.refresh_from_db()
    assert review.is_frozen


# The same form sent twice, one after the other -------------------------------------------------


def version_in(response, prefix: str = "") -> str:
    """The hidden version the page's form carries ("" when it has none)."""
    found = re.search(rf'name="{prefix}version" value="([^"]*)"', response.content.decode())
    return found.group(1) if found else ""


def message_texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_the_same_update_sent_twice_is_saved_once(client, action_owner, review, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    data = {"rag": "green", "progress_note": "On track", "version": version_in(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain[0][1] == 302
    assert any(
        "was already saved by bob at" in m and "not saved twice" in m for m in message_texts(second)
    )
    update = QuarterlyUpdate.objects.get()
    assert (update.rag, update.progress_note) == ("green", "On track")
    assert update.history.count() == 1


@pytest.mark.django_db
def test_an_update_from_a_second_tab_is_shown_the_saved_one_before_replacing_it(
    client, action_owner, administrator, review, owned
):
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    login(client, action_owner)
    first_tab = version_in(client.get(url))
    other = Client()
    login(other, administrator)
    second_tab = version_in(other.get(url))
    assert client.post(url, {"rag": "amber", "progress_note": "Started", "version": first_tab})

    conflict = other.post(url, {"rag": "red", "progress_note": "Stuck", "version": second_tab})

    assert conflict.status_code == 200
    html = conflict.content.decode()
    assert "An update for this action in this quarter was saved by bob at" in html
    assert "RAG Amber, progress note “Started”" in html
    assert ">Stuck</textarea>" in html  # what they typed is kept
    assert QuarterlyUpdate.objects.get().progress_note == "Started"

    replaced = other.post(
        url, {"rag": "red", "progress_note": "Stuck", "version": version_in(conflict)}
    )
    assert replaced.status_code == 302
    update = QuarterlyUpdate.objects.get()
    assert (update.rag, update.progress_note, update.author) == ("red", "Stuck", administrator)
    assert update.history.count() == 2


@pytest.mark.django_db
def test_the_same_final_rag_sent_twice_is_saved_once(client, group_member, review):
    login(client, group_member)
    url = reverse("actionplan:rating", args=[review.pk, 1])
    page = client.get(url)
    proposed = page.context["form"].instance.proposed
    data = {
        "area-1-final": proposed,
        "area-1-rationale": "",
        "area-1-version": version_in(page, "area-1-"),
    }

    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)

    assert any("not saved twice" in m for m in message_texts(second))
    rating = Rating.objects.get()
    assert rating.history.count() == 1


@pytest.mark.django_db
def test_a_final_rag_from_a_second_tab_is_shown_the_saved_one_before_replacing_it(
    client, group_member, administrator, review
):
    url = reverse("actionplan:rating", args=[review.pk, 1])
    login(client, group_member)
    first_tab = version_in(client.get(url), "area-1-")
    other = Client()
    login(other, administrator)
    second_tab = version_in(other.get(url), "area-1-")
    client.post(
        url,
        {"area-1-final": "red", "area-1-rationale": "Funding cut", "area-1-version": first_tab},
    )

    mine = {"area-1-final": "green", "area-1-rationale": "Done early"}
    conflict = other.post(url, mine | {"area-1-version": second_tab})

    assert conflict.status_code == 200
    html = conflict.content.decode()
    assert "Final RAG for priority area 1 was saved by charlie at" in html
    assert "final RAG Red, rationale “Funding cut”" in html
    assert Rating.objects.get().final == "red"
    again = other.post(url, mine | {"area-1-version": version_in(conflict, "area-1-")})
    assert again.status_code == 302
    assert (Rating.objects.get().final, Rating.objects.get().decided_by) == ("green", administrator)


@pytest.mark.django_db
def test_the_review_pages_rating_forms_carry_the_version_each_was_opened_on(
    client, group_member, review
):
    login(client, group_member)
    url = reverse("actionplan:rating", args=[review.pk, 2])
    client.post(url, {"area-2-final": "red", "area-2-rationale": "Funding cut"})
    client.post(url, {"area-2-final": "green", "area-2-rationale": "Done early"})
    latest = Rating.objects.get().history.latest().history_id

    page = client.get(reverse("actionplan:review", args=[review.pk]))

    assert version_in(page, "area-1-") == "new"
    assert version_in(page, "area-2-") == str(latest)


@pytest.mark.django_db
def test_a_made_up_version_is_answered_never_a_server_error(client, action_owner, review, owned):
    login(client, action_owner)
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    client.post(url, {"rag": "amber", "progress_note": "Started"})

    for version in ("new", "0", "-1", "99999999999999999999", "x" * 3000, "\x00", "²"):
        data = {"rag": "red", "progress_note": "Stuck", "version": version}
        assert client.post(url, data).status_code == 200, version
    assert QuarterlyUpdate.objects.get().progress_note == "Started"


def _open(client, **overrides):
    data = {
        "financial_year": 2021,
        "quarter": 1,
        "meeting_day": 20,
        "meeting_month": 7,
        "meeting_year": 2021,
    } | overrides
    return client.post(reverse("actionplan:reviews"), data)


@pytest.mark.django_db
def test_opening_the_same_quarter_twice_lands_on_the_one_opened(client, group_member, plan):
    login(client, group_member)

    first = _open(client)
    second = _open(client)

    review = QuarterlyReview.objects.get()
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("actionplan:review", args=[review.pk])
    page = client.get(second.url)
    assert any("not opened twice" in m for m in message_texts(page))
    assert review.history.count() == 1
    # Another meeting date is another request: refused, with the reason.
    other = _open(client, meeting_day=21)
    assert other.status_code == 200
    assert "still open" in other.content.decode()


# The same form sent twice at the same moment (PostgreSQL: two real transactions) ---------------


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two transactions at once, one waiting on the other",
)


@contextmanager
def held_open(work: Callable[[], object]) -> Iterator[None]:
    """Run `work` in a transaction on another connection, committed when the block ends."""
    ready, release, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                work()
                ready.set()
                assert release.wait(timeout=60)
        except BaseException as error:
            failed.append(error)
            ready.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert ready.wait(timeout=60)
    try:
        if failed:
            raise failed[0]
        yield
    finally:
        release.set()
        holder.join(timeout=60)


def post_in_thread(client: Client, url: str, data: dict) -> Callable[[], object]:
    """Post from another thread (its own connection); returns a function that waits for the
    response, or the exception the request raised."""
    outcome: list = []

    def post():
        try:
            outcome.append(client.post(url, data))
        except BaseException as error:
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=post)
    thread.start()

    def result():
        thread.join(timeout=60)
        assert outcome, "the request did not finish"
        return outcome[0]

    return result


def wait_until_waiting_on_locks(count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f"{count} requests never waited on a lock")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lock_review(review) -> Callable[[], object]:
    return lambda: QuarterlyReview.objects.select_for_update().get(pk=review.pk)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_identical_update_posts_at_once_save_one_update(action_owner, review, owned):
    url = reverse("actionplan:action_update", args=[owned[0].pk])
    data = {"rag": "green", "progress_note": "On track", "version": "new"}

    # Both requests read "no update yet" and then wait for the review's row, held here.
    with held_open(lock_review(review)):
        first = post_in_thread(signed_in(action_owner), url, data)
        second = post_in_thread(signed_in(action_owner), url, data)
        wait_until_waiting_on_locks(2)
    responses = [first(), second()]

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    update = QuarterlyUpdate.objects.get()
    assert (update.rag, update.progress_note) == ("green", "On track")
    assert update.history.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_different_final_rags_at_once_keep_the_first_and_show_it_to_the_second(
    group_member, administrator, review
):
    url = reverse("actionplan:rating", args=[review.pk, 1])
    red = {"area-1-final": "red", "area-1-rationale": "Funding cut", "area-1-version": "new"}
    green = {"area-1-final": "green", "area-1-rationale": "Done early", "area-1-version": "new"}

    with held_open(lock_review(review)):
        first = post_in_thread(signed_in(group_member), url, red)
        wait_until_waiting_on_locks(1)
        second = post_in_thread(signed_in(administrator), url, green)
        wait_until_waiting_on_locks(2)
    saved, shown = first(), second()

    assert getattr(saved, "status_code", saved) == 302
    assert getattr(shown, "status_code", shown) == 200
    assert "was saved by charlie at" in shown.content.decode()
    rating = Rating.objects.get()
    assert (rating.final, rating.rationale, rating.decided_by) == (
        "red",
        "Funding cut",
        group_member,
    )
    assert rating.history.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_posts_opening_the_same_quarter_at_once_open_it_once(group_member, plan):
    url = reverse("actionplan:reviews")
    data = {
        "financial_year": 2021,
        "quarter": 1,
        "meeting_day": 20,
        "meeting_month": 7,
        "meeting_year": 2021,
    }

    # Both pass every check, then wait to insert (a new review holds a share lock on its plan).
    with held_open(lambda: Plan.objects.select_for_update().get(pk=plan.pk)):
        first = post_in_thread(signed_in(group_member), url, data)
        second = post_in_thread(signed_in(group_member), url, data)
        wait_until_waiting_on_locks(2)
    responses = [first(), second()]

    review = QuarterlyReview.objects.get()
    expected = reverse("actionplan:review", args=[review.pk])
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    assert [r.url for r in responses] == [expected, expected]
    assert review.history.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_quarter_opened_by_another_transaction_meanwhile_is_named_not_a_server_error(
    group_member, review
):
    """The page's checks pass, then its insert meets the row another transaction is writing
    (the admin, a shell): the database's unique index refuses it once that one commits."""
    freeze_with_every_area_rated(review)
    url = reverse("actionplan:reviews")
    data = {
        "financial_year": 2021,
        "quarter": 3,
        "meeting_day": 20,
        "meeting_month": 1,
        "meeting_year": 2022,
    }

    def open_it_elsewhere():
        QuarterlyReview.objects.create(
            plan=review.plan, financial_year=2021, quarter=3, meeting_date=date(2022, 1, 27)
        )

    with held_open(open_it_elsewhere):
        response = post_in_thread(signed_in(group_member), url, data)
        wait_until_waiting_on_locks(1)
    answer = response()

    assert getattr(answer, "status_code", answer) == 200
    html = answer.content.decode()
    assert "There is already a review for that quarter" in html
    assert "2021/22 Q3 is still open: freeze it before opening another quarter." in html
    assert QuarterlyReview.objects.filter(financial_year=2021, quarter=3).count() == 1
    assert QuarterlyReview.objects.get(quarter=3).meeting_date == date(2022, 1, 27)
