"""The board pack: one quarterly review as a PDF, read back with pypdf."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actionplan import boardpack, workflow
from actionplan.models import Action, PriorityArea, QuarterlyReview, QuarterlyUpdate, Rating
from indicators.configuration import areas_config

GENERATED = re.compile(r"Generated \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d \w+")
NOTE = "Awareness sessions held with two children's centres & the <b>housing</b> team."


@pytest.fixture
def plan(loaded_plan):
    from actionplan.presenters import current_plan

    return current_plan()


@pytest.fixture
def actions(plan):
    return list(Action.objects.filter(objective__priority_area__plan=plan).order_by("pk"))


def _rate_and_freeze(review, user):
    for area in PriorityArea.objects.filter(plan=review.plan):
        Rating.objects.create(
            review=review, priority_area=area, proposed="amber", final="amber", decided_by=user
        )
    workflow.freeze(review)


@pytest.fixture
def frozen_review(plan, group_member):
    """2021/22 Q1, rated Amber everywhere and frozen."""
    review = QuarterlyReview.objects.create(
        plan=plan, financial_year=2021, quarter=1, meeting_date=date(2021, 7, 21)
    )
    _rate_and_freeze(review, group_member)
    review.refresh_from_db()
    return review


@pytest.fixture
def open_review(frozen_review, plan, actions, action_owner, group_member):
    """2021/22 Q2, open: an overdue action, a rescheduled one, two updates and one final RAG."""
    overdue, rescheduled = actions[0], actions[1]
    overdue.status, overdue.due_date = "in_progress", date(2021, 8, 31)
    overdue.owner = action_owner
    overdue.save()
    rescheduled.status = "in_progress"
    rescheduled.original_due_date, rescheduled.due_date = date(2022, 3, 31), date(2022, 9, 30)
    rescheduled.owner = action_owner
    rescheduled.save()
    review = QuarterlyReview.objects.create(
        plan=plan, financial_year=2021, quarter=2, meeting_date=date(2021, 10, 20)
    )
    QuarterlyUpdate.objects.create(
        review=review, action=overdue, rag="red", progress_note=NOTE, author=action_owner
    )
    QuarterlyUpdate.objects.create(
        review=review,
        action=rescheduled,
        rag="amber",
        progress_note="Workshop moved to November.",
        author=action_owner,
    )
    first = PriorityArea.objects.get(plan=plan, number=1)
    Rating.objects.create(
        review=review,
        priority_area=first,
        proposed="amber",
        final="red",
        rationale="The housing partner withdrew in September.",
        decided_by=group_member,
    )
    return review


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text with runs of white space made one space, as a reader sees it."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def body(content: bytes) -> str:
    """The text after the cover, whose contents list repeats every section's heading."""
    return " ".join(pdf_pages(content)[1:])


def download(client, user, review):
    client.force_login(user)
    return client.get(reverse("actionplan:board_pack", args=[review.pk]))


@pytest.mark.django_db
def test_the_pack_is_a_pdf_with_every_area_the_quarter_exceptions_and_updates(
    client, board_member, open_review, actions
):
    response = download(client, board_member, open_review)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = body(response.content)
    for area in PriorityArea.objects.filter(plan=open_review.plan):
        assert area.title in text, area.title
    assert "2021/22 Q2" in text
    cover = pdf_pages(response.content)[0]
    assert "2021/22 Q2 (July to September 2021)" in cover
    assert "Meeting 20 October 2021" in cover
    # Exceptions: the overdue action and the rescheduled one, each with its reasons.
    exceptions = text.split("3. Exceptions", 1)[1].split("4. Key measures", 1)[0]
    assert f"{actions[0].number} " in exceptions and "Overdue" in exceptions
    assert f"{actions[1].number} " in exceptions and "Rescheduled" in exceptions
    assert "was 31 March 2022" in exceptions
    # The updates, the owner's RAG and the group's rationale, with user text printed as typed.
    assert NOTE in text
    assert "Workshop moved to November." in text
    assert "The housing partner withdrew in September." in text
    assert "bob" in text


@pytest.mark.django_db
def test_the_filename_names_the_quarter(client, board_member, open_review):
    response = download(client, board_member, open_review)
    assert response["Content-Disposition"] == 'attachment; filename="board-pack-2021-22-Q2.pdf"'


@pytest.mark.django_db
def test_every_page_names_the_quarter_and_is_numbered(client, board_member, open_review):
    pages = pdf_pages(download(client, board_member, open_review).content)
    assert len(pages) >= 4
    for number, page in enumerate(pages, 1):
        assert "Quarter 2021/22 Q2" in page, number
        assert f"Page {number} of {len(pages)}" in page, number


@pytest.mark.django_db
def test_an_open_quarter_is_marked_draft_on_every_page_and_proposals_are_labelled(
    client, board_member, open_review
):
    pages = pdf_pages(download(client, board_member, open_review).content)
    assert all("DRAFT — review not yet frozen" in page for page in pages)
    summary = next(page for page in pages[1:] if "2. RAG summary" in page)
    assert "1 of 9 priority areas have the group's final RAG" in summary
    # Area 1 has the group's final Red; the others show the rule's proposal, labelled so.
    assert re.search(r"1\. Wider determinants Red final", summary)
    assert summary.count("proposed") >= 8


@pytest.mark.django_db
def test_a_frozen_quarter_is_marked_frozen_with_arrows_against_the_one_before(
    client, board_member, open_review, group_member
):
    for area in PriorityArea.objects.filter(plan=open_review.plan).exclude(number=1):
        Rating.objects.create(
            review=open_review, priority_area=area, proposed="amber", final="amber"
        )
    workflow.freeze(open_review)
    pages = pdf_pages(download(client, board_member, open_review).content)
    text = " ".join(pages)
    assert "DRAFT" not in text
    assert "State Frozen" in pages[0]
    summary = next(page for page in pages[1:] if "2. RAG summary" in page)
    # Area 1's final Red was the group's, over the rule's Amber (as in Q1): the arrow compares
    # the rule's RAGs, so it is the same, and the override is printed beside it.
    assert "Worse than" not in summary
    assert "Same as" in summary
    assert "the group set Red over the rule's Amber" in summary


@pytest.mark.django_db
def test_measures_and_sources_come_from_the_configuration_and_the_import_runs(
    client, board_member, open_review
):
    from indicators.models import ImportRun

    text = body(download(client, board_member, open_review).content)
    config = areas_config()
    assert f"{config.home.name}'s latest figure" in text
    assert f"Compared with {config.region.name}" in text
    assert "Rate of infant mortality" in text
    sources = text.split("6. Data sources and dates", 1)[1]
    assert "92196" in sources
    run = ImportRun.objects.latest_success()
    loaded = timezone.localtime(run.finished_at).date()
    assert f"{run.get_source_display()}, {loaded.day} {loaded:%B %Y}" in sources
    assert "Infant Mortality Reduction Plan 2020–2023" in sources  # the plan's source report


@pytest.mark.django_db
def test_what_changed_lists_the_moves_since_the_last_frozen_quarter(
    client, board_member, open_review
):
    text = body(download(client, board_member, open_review).content)
    changed = text.split("1. What changed since the last meeting", 1)[1].split("2. RAG summary")[0]
    assert "Since 2021/22 Q1 was frozen" in changed
    assert (
        "1. Wider determinants: the rule's RAG Amber to Amber, same. 2021/22 Q2: the group set "
        "Red over the rule's Amber: The housing partner withdrew in September." in changed
    )


@pytest.mark.django_db
def test_an_earlier_quarters_pack_reads_no_later_quarters_updates(
    client, board_member, frozen_review, open_review, actions
):
    # 2021/22 Q2's Red update on the first action must not reach 2021/22 Q1's pack, read now …
    moment = timezone.localtime()
    pack = boardpack.collect(frozen_review, today=moment.date(), generated_at=moment)
    text = body(boardpack.render(pack))
    exceptions = text.split("3. Exceptions", 1)[1].split("4. Key measures", 1)[0]
    assert f"{actions[1].number} " in exceptions  # rescheduled now, whatever the quarter
    assert f"{actions[0].number} " not in exceptions
    assert NOTE not in text
    assert "1 of 9" not in text and "9 of 9 priority areas have the group's final RAG" in text
    # … and the pack stored when Q1 was frozen shows neither change made after it.
    stored = body(download(client, board_member, frozen_review).content)
    exceptions = stored.split("3. Exceptions", 1)[1].split("4. Key measures", 1)[0]
    assert "No actions are Red, overdue or rescheduled." in exceptions
    assert NOTE not in stored


@pytest.mark.django_db
def test_a_frozen_packs_downloads_are_the_same_bytes_generated_at_freezing(
    client, board_member, frozen_review
):
    first = download(client, board_member, frozen_review).content
    second = download(client, board_member, frozen_review).content
    assert first == second
    # The pack was made when the quarter was frozen, and says so.
    frozen = timezone.localtime(frozen_review.frozen_at)
    generated = GENERATED.search(pdf_pages(first)[0]).group()
    assert generated == f"Generated {frozen.day} {frozen:%B %Y} at {frozen:%H:%M %Z}"


@pytest.mark.django_db
def test_a_frozen_pack_does_not_drift_with_the_date_it_is_made(frozen_review, actions):
    # Due after the quarter: on time at its end, overdue by the later day.
    actions[0].status, actions[0].due_date = "in_progress", date(2022, 3, 31)
    actions[0].save()
    moment = timezone.make_aware(datetime(2026, 1, 5, 9, 30))
    soon = boardpack.collect(frozen_review, today=date(2021, 11, 1), generated_at=moment)
    later = boardpack.collect(frozen_review, today=date(2031, 11, 1), generated_at=moment)
    assert soon == later
    assert boardpack.render(soon) == boardpack.render(later)


@pytest.mark.django_db
def test_actions_are_read_at_the_quarters_last_day_once_it_has_ended(open_review):
    assert boardpack.reading_date(open_review, date(2026, 11, 27)) == date(2021, 9, 30)
    assert boardpack.reading_date(open_review, date(2021, 8, 15)) == date(2021, 8, 15)
    q4 = QuarterlyReview(plan=open_review.plan, financial_year=2021, quarter=4)
    assert boardpack.quarter_end(q4) == date(2022, 3, 31)
    q3 = QuarterlyReview(plan=open_review.plan, financial_year=2021, quarter=3)
    assert boardpack.quarter_end(q3) == date(2021, 12, 31)
    assert boardpack.quarter_end(q3) + timedelta(days=1) == date(2022, 1, 1)


def test_anonymous_visitors_are_sent_to_sign_in(client, open_review):
    url = reverse("actionplan:board_pack", args=[open_review.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_signed_in_users_without_a_plan_role_are_refused(client, outsider, open_review):
    assert download(client, outsider, open_review).status_code == 403


@pytest.mark.django_db
def test_an_unknown_review_is_not_found(client, board_member, plan):
    client.force_login(board_member)
    assert client.get(reverse("actionplan:board_pack", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_review_page_and_the_board_link_to_the_pack(client, board_member, open_review):
    client.force_login(board_member)
    url = reverse("actionplan:board_pack", args=[open_review.pk])
    for page in (reverse("actionplan:review", args=[open_review.pk]), reverse("actionplan:board")):
        html = client.get(page).content.decode()
        assert f'href="{url}"' in html, page
        assert "Download board pack (PDF)" in html, page


@pytest.mark.django_db
def test_the_board_has_no_pack_link_before_any_review(client, board_member, plan):
    client.force_login(board_member)
    assert "Download board pack" not in client.get(reverse("actionplan:board")).content.decode()


@pytest.mark.django_db
def test_the_pack_reads_the_plan_in_a_bounded_number_of_queries(
    client, board_member, open_review, django_assert_max_num_queries
):
    client.force_login(board_member)
    # 25 for the plan, 20 for the four what-if statements of smoking at delivery (each reads
    # its outcome, factor and comparator figures): bounded by the statements held; and 1 for the
    # latest quarters of the local measures the plan's measures link to.
    with django_assert_max_num_queries(46):
        client.get(reverse("actionplan:board_pack", args=[open_review.pk]))
