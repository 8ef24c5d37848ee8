"""The Content Security Policy in a real browser: enforced, and nothing the site does breaks it.

Every public page, the sign-in page, the plan's pages and the admin load with the policy enforced
and not one violation (the `securitypolicyviolation` event and Chromium's console both watched),
and every chart still draws, with Plotly's own stylesheet applied.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from actionplan.models import Action, QuarterlyReview
from tests.actionplan.plans import running_plan
from tests.e2e.test_pages import AREA, CARDS, IMR, PAGES, SNAPSHOT_POINTS, chart, open_page, plotted

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-9241"
WATCH_JS = """() => document.addEventListener("securitypolicyviolation", e => window.reportCsp(
  [e.effectiveDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | ")
))"""
# Plotly's rules (e.g. the mode bar's absolute position) reach the page only if the policy lets
# its <style> element through; a blocked one leaves charts drawn but unstyled.
MODEBAR_POSITIONS_JS = """() => [...document.querySelectorAll(".modebar")]
  .map(m => getComputedStyle(m).position)"""


class Violations(list):
    """Every CSP violation a page reports, from the DOM event and from the console."""

    def watch(self, page: Page) -> Violations:
        page.expose_function("reportCsp", lambda text: self.append(f"event: {text}"))
        page.add_init_script(f"({WATCH_JS})()")
        page.on("console", self._console)
        return self

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.append(f"console {message.type}: {message.text}")


@pytest.fixture
def violations(page) -> Violations:
    return Violations().watch(page)


@pytest.fixture
def policies(page) -> dict[str, dict[str, str]]:
    """The policy headers of every HTML document the page loads, by URL."""
    seen: dict[str, dict[str, str]] = {}

    def record(response):
        if response.request.resource_type == "document":
            headers = response.headers
            seen[response.url] = {
                "enforced": headers.get("content-security-policy", ""),
                "report_only": headers.get("content-security-policy-report-only", ""),
            }

    page.on("response", record)
    return seen


@pytest.fixture
def plan_site(site):
    """The live site with the plan loaded and a superuser who can see the plan and the admin."""
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    User.objects.create_superuser("root", password=PASSWORD)
    QuarterlyReview.objects.create(plan=running_plan(), financial_year=2025, quarter=1)
    return site


def sign_in(page: Page, site: str, next_path: str) -> None:
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}{next_path}")


def assert_enforced(policies: dict[str, dict[str, str]]) -> None:
    assert policies, "no HTML document was loaded"
    for url, policy in policies.items():
        enforced = policy["enforced"]
        assert "script-src 'self'" in enforced, url
        assert "'unsafe-inline'" not in enforced.split("script-src")[1].split(";")[0], url
        assert "'unsafe-eval'" not in enforced, url
        for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
            assert directive in enforced, (url, directive)
        assert policy["report_only"] == "", url


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_load_without_a_violation_and_charts_draw(
    site, page, problems, violations, policies, path
):
    open_page(page, site + path)
    page.wait_for_load_state("networkidle")

    assert violations == []
    assert problems == []
    assert_enforced(policies)
    # GOV.UK Frontend's snippet ran (allowed by its hash) and its module started the components.
    assert "js-enabled" in page.evaluate("document.body.className")
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    expected = {slug for p, slug in CARDS if p == path}
    for slug in expected:
        data = chart(page, slug)
        assert plotted(data["traces"]) == data["marks"] == SNAPSHOT_POINTS[slug], slug
    # Every chart's toolbar is styled (the stylesheet was allowed), the checked cards' included;
    # pages also draw charts outside the cards (the what-if interval, the decile chart).
    positions = page.evaluate(MODEBAR_POSITIONS_JS)
    assert len(positions) >= len(expected)
    assert set(positions) <= {"absolute"}, positions


def test_plan_and_admin_pages_load_without_a_violation(
    plan_site, page, problems, violations, policies
):
    sign_in(page, plan_site, "/plan/")
    expect(page.locator("h1")).to_have_count(1)
    review = QuarterlyReview.objects.get().pk
    action = Action.objects.order_by("pk").first().pk
    for path in (
        "/plan/",
        "/plan/areas/1/",
        "/plan/reviews/",
        f"/plan/reviews/{review}/",
        f"/plan/reviews/{review}/areas/1/rating/",
        f"/plan/reviews/{review}/freeze/",
        f"/plan/actions/{action}/update/",
        "/admin/",
        "/admin/actionplan/action/",
    ):
        page.goto(plan_site + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1").first).to_be_visible()
    page.goto(plan_site + "/admin/actionplan/action/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#action_form")).to_be_visible()

    assert violations == []
    # Django's admin pages name no icon, so Chromium asks for /favicon.ico (404); nothing else.
    assert [p for p in problems if "/favicon.ico" not in p] == []
    assert_enforced(policies)
    assert len(policies) >= 12


def test_the_lockout_page_loads_without_a_violation(site, page, problems, violations, policies):
    for _ in range(5):
        page.goto(site + "/accounts/login/")
        page.get_by_label("Username").fill("somebody")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Sign-in locked for 15 minutes")
    assert violations == []
    # The lockout answers 429, which the problems watch records; nothing else may appear.
    assert [p for p in problems if "HTTP 429" not in p and "status of 429" not in p] == []
    assert_enforced(policies)


def test_chart_pages_draw_with_the_policy_after_a_cached_load(
    site, page, problems, violations, policies
):
    """The second load is served from the whole-page cache: the policy still fits it."""
    for _ in range(2):
        for path in (IMR, AREA):
            open_page(page, site + path)
    assert violations == []
    assert problems == []
    assert_enforced(policies)


def test_an_injected_inline_script_is_blocked_and_reported(site, page, violations):
    """The watch above would see a violation: an inline script added to a page is refused."""
    open_page(page, site + "/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("script-src-elem" in v for v in violations), violations


def test_plotlys_download_as_png_works_under_the_policy(site, page, problems, violations):
    """Plotly draws the PNG through an image of the SVG (a data: URL, which img-src allows)."""
    open_page(page, site + IMR)
    chart_div = page.locator("#compare div.chart[data-figure]")
    chart_div.hover()
    with page.expect_download() as download:
        chart_div.locator(".modebar-btn[data-title^='Download plot']").click()
    assert download.value.suggested_filename.endswith(".png")
    with open(download.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert violations == []
    assert problems == []
