"""The action plan's quarterly review in a real browser, persona by persona.

The plan comes from its fixture (`load_action_plan`), the roles from `setup_roles`, the figures
from the bundled snapshot. People sign in through the login page and work through the pages as
they would: a group member opens a quarter, an action owner enters an update, the group sets
final RAGs (one against the rule's proposal, with a rationale) and freezes the quarter, twice, and
a board member reads the result on the board view and downloads the board pack. Pages are
checked with axe at 1280 and 320 pixels, and the board view is printed to A4.

Screenshots of every step go to $PLAN_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from actionplan import roles, workflow
from actionplan.models import Action, PriorityArea, QuarterlyReview, QuarterlyUpdate, Rating
from actionplan.presenters import current_plan

pytestmark = pytest.mark.e2e

PASSWORD = "a-password-only-for-these-tests"
# The area whose final RAG the group moves from one quarter to the next, and the actions of two
# different owners in it.
AREA = 5  # Smoking in pregnancy
OWN_ACTION, OTHER_ACTION = "5.1.1", "5.2.1"
FIRST, SECOND, THIRD = (2025, 3), (2025, 4), (2026, 1)
WIDTHS = (1280, 320)
A4_WIDTH = 703  # pixels inside A4's 210 mm less the 12 mm margins plan.css sets for print


# Fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def plan_site(site, settings):
    """The live server with the snapshot, the plan and the five roles loaded.

    Passwords are hashed with a fast hasher: the server thread shares these settings, and
    sign-in through the login page works as it does with the slow default.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    # The bundled plan ended in March 2023 and no quarter opens after a plan ends: these
    # quarters are in 2025/26, so the plan's period is extended for them.
    current_plan().__class__.objects.update(ends=date(2027, 3, 31))
    return site


@pytest.fixture
def people(plan_site) -> dict[str, User]:
    """One person in each role the workflow needs; Bob and Frank own one action each."""
    members = {}
    for username, first, last, role in [
        ("bob", "Bob", "Okafor", roles.ACTION_OWNER),
        ("frank", "Frank", "Lee", roles.ACTION_OWNER),
        ("charlie", "Charlie", "Dunn", roles.GROUP_MEMBER),
        ("alice", "Alice", "Moss", roles.BOARD_MEMBER),
    ]:
        user = User.objects.create_user(
            username, password=PASSWORD, first_name=first, last_name=last
        )
        user.groups.add(Group.objects.get(name=role))
        members[username] = user
    plan = current_plan()
    for number, owner in [(OWN_ACTION, "bob"), (OTHER_ACTION, "frank")]:
        action = Action.objects.get(objective__priority_area__plan=plan, number=number)
        action.owner = members[owner]
        action.save()
    return members


@pytest.fixture
def shots(tmp_path) -> Path | None:
    """Where screenshots of each step go: $PLAN_SCREENSHOTS, or none when it is not set."""
    if not os.environ.get("PLAN_SCREENSHOTS"):
        return None
    directory = Path(os.environ["PLAN_SCREENSHOTS"])
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# Helpers ----------------------------------------------------------------------------------------


def watch_scripts(page: Page, errors: list[str]) -> None:
    """Record console errors and uncaught exceptions; a refused request's console line aside,
    since these tests provoke 403s on purpose and check their status themselves."""

    def console(message) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(f"console on {page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"page error on {page.url}: {error}"))


@pytest.fixture
def script_errors(page) -> list[str]:
    """Script errors seen by `page` and by every page `new_page` makes (a blocked script too)."""
    errors: list[str] = []
    watch_scripts(page, errors)
    return errors


@pytest.fixture
def new_page(browser: Browser, script_errors):
    """Another person's browser: a page in a context of its own, closed after the test."""
    contexts = []

    def make(**options) -> Page:
        contexts.append(browser.new_context(**options))
        page = contexts[-1].new_page()
        page.set_default_timeout(10_000)
        watch_scripts(page, script_errors)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    """Go to the plan, get sent to the login page, sign in and land back on the plan."""
    page.goto(base + "/plan/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/plan/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/plan/")
    expect(page.locator("h1")).to_contain_text("board view")


def post_as(page: Page, url: str, data: dict | None = None):
    """A POST with the page's session and CSRF token, as a hand-made request would send it."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(url, form=data or {}, headers={"X-CSRFToken": token}, max_redirects=0)


def shot(page: Page, directory: Path | None, name: str) -> None:
    if directory is not None:
        page.screenshot(path=directory / f"{name}.png", full_page=True)


def main_forms(page: Page):
    return page.locator("main form")


def open_review(page: Page, base: str, year: int, quarter: int, meeting: date) -> None:
    """A group member opens a review for a financial quarter on the reviews page."""
    page.goto(base + "/plan/")
    page.get_by_role("link", name="Quarterly reviews").click()
    page.get_by_label("Financial year").fill(str(year))
    page.get_by_role("radio", name=re.compile(rf"^Q{quarter} ")).check()
    page.get_by_label("Day").fill(str(meeting.day))
    page.get_by_label("Month").fill(str(meeting.month))
    page.get_by_label("Year", exact=True).fill(str(meeting.year))
    page.get_by_role("button", name="Open the review").click()
    label = f"{year}/{(year + 1) % 100:02} Q{quarter}"
    expect(page.locator("h1")).to_have_text(f"Quarterly review {label}")
    expect(page.get_by_test_id("review-state")).to_have_text("Open")


def area_card(page: Page, number: int):
    return page.get_by_test_id(f"review-area-{number}")


def proposed_label(page: Page, number: int) -> str:
    return area_card(page, number).locator(".rag").first.inner_text().strip()


def rate(page: Page, number: int, final: str, rationale: str = "") -> None:
    """Set a priority area's final RAG from its card on the review page."""
    card = area_card(page, number)
    card.get_by_role("radio", name=final, exact=True).check()
    if rationale:
        card.get_by_label("Rationale").fill(rationale)
    card.get_by_role("button", name=f"Save final RAG for priority area {number}").click()
    expect(page).to_have_url(re.compile(rf"/plan/reviews/\d+/#area-{number}$"))
    expect(page.get_by_test_id(f"final-{number}")).to_contain_text(f"{final} final")


def rate_the_rest_as_proposed(page: Page, base: str, review: QuarterlyReview, skip: int) -> None:
    """The group agrees every other area's proposal: the same POST each card's form sends."""
    page.goto(f"{base}/plan/reviews/{review.pk}/")
    numbers = [n for n in range(1, 10) if n != skip]
    for number in numbers:
        value = proposed_label(page, number).lower().replace(" ", "_")
        url = f"{base}/plan/reviews/{review.pk}/areas/{number}/rating/"
        assert post_as(page, url, {f"area-{number}-final": value}).status == 302, number
    page.reload()
    for number in numbers:
        expect(page.get_by_test_id(f"final-{number}")).to_contain_text(
            f"{proposed_label(page, number)} final"
        )


def freeze(page: Page) -> None:
    page.get_by_role("button", name="Freeze this quarter").click()
    expect(page.get_by_test_id("review-state")).to_have_text("Frozen")
    expect(main_forms(page)).to_have_count(0)


def serious(page: Page) -> list[str]:
    """axe-core violations with impact serious or critical, one line per rule."""
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(str(node["target"][0]) if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


# The workflow -----------------------------------------------------------------------------------


def test_quarterly_review_from_owner_update_to_board_arrow(
    plan_site, people, page, new_page, shots, script_errors
):
    base = plan_site
    plan = current_plan()
    own = Action.objects.get(objective__priority_area__plan=plan, number=OWN_ACTION)
    other = Action.objects.get(objective__priority_area__plan=plan, number=OTHER_ACTION)
    own_url = f"{base}/plan/actions/{own.pk}/update/"
    other_url = f"{base}/plan/actions/{other.pk}/update/"

    # A group member opens the first quarter through the reviews page.
    group = page
    sign_in(group, base, "charlie")
    open_review(group, base, *FIRST, date(2026, 1, 21))
    first = QuarterlyReview.objects.get(plan=plan, financial_year=FIRST[0], quarter=FIRST[1])
    shot(group, shots, "01-group-opened-review")

    # The action owner signs in, finds their action on the open review and enters an update.
    owner = new_page()
    sign_in(owner, base, "bob")
    owner.get_by_role("link", name="Quarterly reviews").click()
    owner.get_by_role("link", name=str(first)).click()
    yours = owner.locator("#your-actions + ul")
    expect(yours.get_by_role("link")).to_have_count(1)  # Frank's action is not offered
    expect(yours).to_contain_text(OWN_ACTION)
    expect(yours).not_to_contain_text(OTHER_ACTION)
    expect(yours).to_contain_text("Not entered")
    shot(owner, shots, "02-owner-review")
    yours.get_by_role("link", name=f"Enter the update for action {OWN_ACTION}").click()
    expect(owner.locator("h1")).to_have_text(f"Update for action {OWN_ACTION}")
    owner.get_by_role("radio", name="Amber", exact=True).check()
    note = "Leaflets agreed with the maternity unit; the stop-smoking referral pathway is late."
    owner.get_by_label("Progress note").fill(note)
    shot(owner, shots, "03-owner-update-form")
    owner.get_by_role("button", name="Save the update").click()
    expect(owner).to_have_url(re.compile(rf"/plan/areas/{AREA}/#action-{re.escape(OWN_ACTION)}$"))
    card = owner.locator(f"[id='action-{OWN_ACTION}']")
    expect(card).to_contain_text(note)
    expect(card).to_contain_text(f"{first}: Amber owner's RAG")
    expect(card).to_contain_text("Bob Okafor")
    # No quarter is frozen yet: the change is said once, in words.
    expect(owner.locator("dt:text-is('Change') + dd")).to_have_text(
        "New: no final RAG for the last frozen quarter"
    )
    shot(owner, shots, "04-owner-update-saved")
    owner.goto(f"{base}/plan/reviews/{first.pk}/")
    expect(owner.locator("#your-actions + ul")).to_contain_text("Entered")
    expect(owner.locator("#your-actions + ul")).not_to_contain_text("Not entered")
    stored = QuarterlyUpdate.objects.get(review=first, action=own)
    assert (stored.rag, stored.progress_note, stored.author) == ("amber", note, people["bob"])

    # Frank's action is out of Bob's reach: no page, and a hand-made POST is refused (the same
    # request to Bob's own action goes through, so the refusal is about the action, not the POST).
    assert owner.goto(other_url).status == 403
    update = {"rag": "red", "progress_note": "Not my action"}
    assert post_as(owner, other_url, update).status == 403
    assert post_as(owner, own_url, {"rag": "amber", "progress_note": note}).status == 302
    assert not QuarterlyUpdate.objects.filter(action=other).exists()

    # The group member reviews the quarter: proposed beside final, for every area.
    group.goto(f"{base}/plan/reviews/{first.pk}/")
    for number in range(1, 10):
        expect(area_card(group, number)).to_contain_text("Proposed RAG")
        expect(group.get_by_test_id(f"final-{number}")).to_have_text("Not set")
        # Nine forms on one page: each control's name says which area it is for.
        area = f"for priority area {number}"
        expect(group.get_by_role("group", name=f"Final RAG {area}", exact=True)).to_have_count(1)
        expect(group.get_by_role("textbox", name=f"Rationale {area}", exact=True)).to_have_count(1)
        expect(
            group.get_by_role("button", name=f"Save final RAG {area}", exact=True)
        ).to_have_count(1)
    proposed = proposed_label(group, AREA)
    assert proposed not in {"Red", "Green"}, f"the test moves area {AREA} from Red to Green"
    shot(group, shots, "05-group-review-open")

    # A final RAG that differs from the proposal, without a rationale: the error summary.
    card = area_card(group, AREA)
    card.get_by_role("radio", name="Red", exact=True).check()
    card.get_by_role("button", name=f"Save final RAG for priority area {AREA}").click()
    expect(group).to_have_title(re.compile(r"^Error: Final RAG for priority area 5"))
    summary = group.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("Enter a rationale"))
    expect(link).to_have_text(
        f"Enter a rationale: the final RAG differs from the proposed RAG ({proposed})"
    )
    expect(group.get_by_role("radio", name="Red", exact=True)).to_be_checked()  # kept
    shot(group, shots, "06-rating-error-summary")
    link.click()
    rationale = group.get_by_label("Rationale")
    expect(rationale).to_be_focused()
    expect(rationale).to_have_attribute("aria-describedby", re.compile(r"-error"))
    assert not Rating.objects.filter(review=first).exists()

    # With a rationale it is saved, and the review page shows it.
    why = "Referrals fell this quarter while the pathway was rebuilt."
    rationale.fill(why)
    group.get_by_role("button", name=f"Save final RAG for priority area {AREA}").click()
    expect(group).to_have_url(re.compile(rf"#area-{AREA}$"))
    expect(group.get_by_test_id(f"final-{AREA}")).to_contain_text("Red final")
    expect(group.get_by_test_id(f"final-{AREA}")).to_contain_text(f"Rationale: {why}")
    expect(group.get_by_test_id(f"final-{AREA}")).to_contain_text("Charlie Dunn")
    rate_the_rest_as_proposed(group, base, first, skip=AREA)
    shot(group, shots, "07-group-review-rated")
    freeze(group)
    shot(group, shots, "08-group-review-frozen")

    # The next quarter: the same area moves from Red to Green.
    open_review(group, base, *SECOND, date(2026, 4, 22))
    second = QuarterlyReview.objects.get(plan=plan, financial_year=SECOND[0], quarter=SECOND[1])
    better = "Smoking at delivery referrals recovered once the pathway reopened."
    rate(group, AREA, "Green", better)
    rate_the_rest_as_proposed(group, base, second, skip=AREA)
    freeze(group)

    # The board member reads the board: Green, its rationale, and an arrow that compares the
    # rule's ratings (Amber both quarters: "same"), with both overrides shown beside it, so a
    # change of the group's mind never reads as an improvement.
    board = new_page()
    sign_in(board, base, "alice")
    row = board.get_by_test_id(f"area-{AREA}")
    expect(board.locator("main")).to_contain_text(f"Quarter {second} (frozen")
    expect(board.locator("main")).to_contain_text(f"Arrows compare with {first}")
    expect(row.locator("td").first.locator(".rag")).to_have_text("Green")
    expect(row).to_contain_text("Green final")
    arrow = row.locator("td.movement")
    expect(arrow.locator("[aria-hidden=true]")).to_have_text("→")
    expect(arrow).to_contain_text("same as the rule's Amber last frozen quarter")
    # The overrides and the reason: once, in the row under the area's.
    note = board.get_by_test_id(f"override-{AREA}")
    expect(note).to_contain_text("Last frozen quarter, the group set Red over the rule's Amber")
    expect(note).to_contain_text("This quarter, the group set Green over the rule's Amber")
    expect(note).to_contain_text(better)
    # The other areas kept their proposals from one quarter to the next.
    for number in set(range(1, 10)) - {AREA}:
        expect(board.get_by_test_id(f"area-{number}").locator("td.movement")).to_contain_text(
            "same as"
        )
    expect(main_forms(board)).to_have_count(0)
    shot(board, shots, "09-board-arrow")

    # The board member downloads the quarter's board pack: a PDF naming every priority area.
    with board.expect_download() as info:
        board.get_by_role("link", name=f"Download board pack (PDF) for {second}").click()
    assert info.value.suggested_filename.endswith(".pdf")
    pack = Path(info.value.path()).read_bytes()
    if shots is not None:
        (shots / "board-pack.pdf").write_bytes(pack)
    assert pack.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pack)).pages).split())
    for area in PriorityArea.objects.filter(plan=plan):
        assert area.title in text, area.title
    assert better in text
    row.get_by_role("link").first.click()
    change = board.locator("dt:text-is('Change') + dd")
    expect(change).to_contain_text("→ Same as the rule's Amber last frozen quarter")
    expect(change).to_contain_text("This quarter, the group set Green over the rule's Amber")
    expect(board.locator("main")).to_contain_text(better)
    expect(main_forms(board)).to_have_count(0)
    shot(board, shots, "10-board-area")

    # A frozen quarter is read-only for everyone: no forms, and writes are refused.
    for view in (group, owner, board):
        for review in (first, second):
            view.goto(f"{base}/plan/reviews/{review.pk}/")
            expect(view.get_by_test_id("review-state")).to_have_text("Frozen")
            expect(view.locator(".govuk-inset-text")).to_contain_text("frozen")
            expect(main_forms(view)).to_have_count(0)
            expect(view.locator("main").get_by_role("button")).to_have_count(0)
        expect(view.locator("#your-actions")).to_have_count(0)
    shot(owner, shots, "11-owner-frozen-review")
    rating_url = f"{base}/plan/reviews/{first.pk}/areas/{AREA}/rating/"
    assert group.goto(rating_url).status == 403
    assert post_as(group, rating_url, {f"area-{AREA}-final": "green"}).status == 403
    assert post_as(group, f"{base}/plan/reviews/{first.pk}/freeze/").status == 403
    owner.goto(own_url)  # no quarter open
    expect(owner.locator(".govuk-inset-text")).to_contain_text("No quarter is open")
    expect(main_forms(owner)).to_have_count(0)
    assert post_as(owner, own_url, {"rag": "green", "progress_note": "late"}).status == 403
    assert Rating.objects.get(review=first, priority_area__number=AREA).final == "red"

    # With a quarter open, the board member still has no controls and every write is refused,
    # while the same requests from the group and the owner go through.
    open_review(group, base, *THIRD, date(2026, 7, 15))
    third = QuarterlyReview.objects.get(plan=plan, financial_year=THIRD[0], quarter=THIRD[1])
    board.goto(f"{base}/plan/reviews/{third.pk}/")
    expect(board.get_by_test_id("review-state")).to_have_text("Open")
    expect(main_forms(board)).to_have_count(0)
    expect(board.locator("main").get_by_role("button")).to_have_count(0)
    board.goto(f"{base}/plan/reviews/")
    expect(main_forms(board)).to_have_count(0)
    shot(board, shots, "12-board-open-review")
    rating_url = f"{base}/plan/reviews/{third.pk}/areas/{AREA}/rating/"
    freeze_url = f"{base}/plan/reviews/{third.pk}/freeze/"
    rating = {f"area-{AREA}-final": "green", f"area-{AREA}-rationale": "Board says so"}
    assert board.goto(rating_url).status == 403
    assert board.goto(freeze_url).status == 403
    assert board.goto(own_url).status == 403
    assert post_as(board, rating_url, rating).status == 403
    assert post_as(board, freeze_url).status == 403
    assert post_as(board, own_url, {"rag": "green", "progress_note": "Board"}).status == 403
    assert post_as(board, f"{base}/plan/reviews/", {"financial_year": "2026"}).status == 403
    assert not Rating.objects.filter(review=third).exists()
    assert not QuarterlyUpdate.objects.filter(review=third).exists()
    assert post_as(group, rating_url, rating).status == 302
    assert post_as(owner, own_url, {"rag": "green", "progress_note": note}).status == 302
    assert script_errors == []


# Accessibility and print ------------------------------------------------------------------------


def rate_every_area(review: QuarterlyReview, decided_by: User, finals: dict[int, str]) -> None:
    """The group's final RAGs, stored directly: these tests look at pages, not the workflow."""
    for area in PriorityArea.objects.filter(plan=review.plan):
        final = finals.get(area.number, "amber")
        Rating.objects.create(
            review=review,
            priority_area=area,
            proposed="amber",
            proposed_reason="Most rated actions are Amber.",
            final=final,
            rationale="" if final == "amber" else f"{final.title()} after the group's discussion",
            decided_by=decided_by,
        )


def two_frozen_quarters(people: dict[str, User]) -> tuple[QuarterlyReview, QuarterlyReview]:
    """Area 5 Red in the first quarter and Green in the second, both frozen."""
    plan = current_plan()
    reviews = []
    for (year, quarter), final in [(FIRST, "red"), (SECOND, "green")]:
        review = QuarterlyReview.objects.create(plan=plan, financial_year=year, quarter=quarter)
        rate_every_area(review, people["charlie"], {AREA: final})
        workflow.freeze(review)
        review.refresh_from_db()
        reviews.append(review)
    return reviews[0], reviews[1]


def check_accessible(page: Page, width: int, shots: Path, name: str) -> list[str]:
    """axe's serious and critical findings, and any sideways scroll at this width."""
    found = [f"{name}: {line}" for line in serious(page)]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        found.append(f"{name}: scrolls sideways ({scroll} px wide at {width} px)")
    shot(page, shots, f"axe-{width}-{name}")
    return found


def test_plan_pages_have_no_serious_accessibility_violations(
    plan_site, people, page, new_page, shots, script_errors
):
    """Each page of the workflow at 1280 and 320 pixels wide, forms with errors included."""
    base = plan_site
    plan = current_plan()
    review = QuarterlyReview.objects.create(plan=plan, financial_year=FIRST[0], quarter=FIRST[1])
    own = Action.objects.get(objective__priority_area__plan=plan, number=OWN_ACTION)
    QuarterlyUpdate.objects.create(
        review=review,
        action=own,
        rag="amber",
        progress_note="Leaflets agreed.",
        author=people["bob"],
    )
    group, owner = page, new_page()
    sign_in(group, base, "charlie")
    sign_in(owner, base, "bob")
    review_url = f"{base}/plan/reviews/{review.pk}/"
    rating_url = f"{review_url}areas/{AREA}/rating/"

    def rating_with_error(view: Page) -> None:
        view.goto(rating_url)
        view.get_by_role("radio", name="Red", exact=True).check()
        view.get_by_role("button", name=re.compile("Save final RAG")).click()
        expect(view.locator(".govuk-error-summary")).to_be_visible()

    def update_with_error(view: Page) -> None:
        view.goto(f"{base}/plan/actions/{own.pk}/update/")
        expect(view.get_by_label("Progress note")).to_have_value("Leaflets agreed.")
        view.get_by_label("Progress note").fill("")
        view.get_by_role("button", name="Save the update").click()
        expect(view.locator(".govuk-error-summary")).to_be_visible()

    pages = [
        ("board", group, f"{base}/plan/"),
        ("area", group, f"{base}/plan/areas/{AREA}/"),
        ("review", group, review_url),
        ("rating", group, rating_url),
        ("rating-error", group, rating_with_error),
        ("freeze-unrated", group, f"{review_url}freeze/"),
        ("update", owner, f"{base}/plan/actions/{own.pk}/update/"),
        ("update-error", owner, update_with_error),
    ]
    found = []
    for width in WIDTHS:
        for view in (group, owner):
            view.set_viewport_size({"width": width, "height": 900})
        for name, view, target in pages:
            if isinstance(target, str):
                view.goto(target)
            else:
                target(view)
            found += check_accessible(view, width, shots, name)

    # The freeze page once every area has a final RAG: its button shows.
    rate_every_area(review, people["charlie"], {AREA: "red"})
    for width in WIDTHS:
        group.set_viewport_size({"width": width, "height": 900})
        group.goto(f"{review_url}freeze/")
        expect(group.get_by_role("button", name="Freeze this quarter")).to_be_visible()
        found += check_accessible(group, width, shots, "freeze")

    assert found == []
    assert script_errors == []


def test_board_view_prints_on_a4(plan_site, people, page, shots, script_errors):
    _, second = two_frozen_quarters(people)
    sign_in(page, plan_site, "alice")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
    # The page is set in the bundled font, not in whatever the machine has: the page breaks
    # below are the same on every machine (with DejaVu Sans alone the board took three pages).
    loaded = page.evaluate(
        "document.fonts.ready.then(fs => [...fs].filter(f => f.status === 'loaded')"
        ".map(f => f.family.replace(/[\"']/g, '') + ' ' + f.weight))"
    )
    assert {"Arimo 400", "Arimo 700"} <= set(loaded), loaded
    families = page.evaluate(
        "[...document.querySelectorAll('main h1, main th, main td, main p')]"
        ".map(e => getComputedStyle(e).fontFamily.split(',')[0].trim())"
    )
    assert families and set(families) == {"Arimo"}, set(families)
    shot(page, shots, "print-board")

    main = page.locator("main")
    expect(page.locator("h1")).to_be_visible()
    expect(main).to_contain_text(f"Quarter {second} (frozen")
    for number in range(1, 10):
        row = page.get_by_test_id(f"area-{number}")
        expect(row).to_be_visible()
        expect(row.locator("td").first.locator(".rag")).to_be_visible()
        expect(row.locator("td.movement [aria-hidden=true]")).to_be_visible()
    area = page.get_by_test_id(f"area-{AREA}")
    # The arrow compares the rule's ratings; the group's override and its reason are printed
    # once, in a row under the area's (not again beside the RAG and the arrow).
    expect(area.locator("td.movement")).to_contain_text("→")
    expect(area.locator("td.movement")).not_to_contain_text("the group set")
    note = page.get_by_test_id(f"override-{AREA}")
    expect(note).to_contain_text("the group set Green over the rule's")
    expect(note).to_contain_text("Green after the group's discussion")
    assert (
        page.get_by_test_id("board-areas").inner_text().count("Green after the group's discussion")
        == 1
    )
    expect(page.get_by_test_id("board-measures")).to_be_visible()
    expect(page.get_by_test_id("exceptions")).to_be_visible()
    # Navigation and footer are not printed; nothing in the page is wider than the paper.
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    if shots is not None:
        (shots / "print-board.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    # Two pages: each override and its reason print once, under its area's row (printed in the
    # RAG and the Change columns both, they took three); with a machine's own fonts, more.
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(p.extract_text() for p in reader.pages)
    for area in PriorityArea.objects.filter(plan=current_plan()):
        assert area.title in text.replace("\n", " "), area.title
    assert script_errors == []
