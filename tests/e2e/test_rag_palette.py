"""The board's RAG tags in a real browser, at 1280 and 375 px (issue 12): each is drawn in the
vocabulary's colour and ink (one palette with the board pack, told apart under colour-vision
deficiency: tests/test_palette_vision.py) and says its rating in words, never colour alone."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from indicators.vocabulary import Rag
from tests.e2e.test_pages import serious

PASSWORD = "rag-palette-test-password"


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def board_site(site, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    member = User.objects.create_user("board.reader", password=PASSWORD)
    member.groups.add(Group.objects.get(name="Board member"))
    return site


@pytest.mark.parametrize("width", [1280, 375])
def test_every_rag_tag_on_the_board_has_its_word_and_the_palettes_colours(
    board_site, page, problems, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(board_site + "/accounts/login/?next=/plan/")
    page.get_by_label("Username").fill("board.reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("board view")

    tags = page.evaluate(
        """() => [...document.querySelectorAll('.rag')].map(t => ({
            classes: t.className, text: t.textContent.trim(),
            fill: getComputedStyle(t).backgroundColor, ink: getComputedStyle(t).color,
            visible: t.getBoundingClientRect().width > 0}))"""
    )
    assert len(tags) > 10
    by_label = {rag.label: rag for rag in Rag}
    seen = set()
    for tag in tags:
        rag = by_label.get(tag["text"])
        assert rag is not None, f"a RAG tag without its word: {tag}"
        assert f"rag--{rag.tone}" in tag["classes"], tag
        assert (tag["fill"], tag["ink"]) == (_rgb(rag.colour), _rgb(rag.ink)), tag
        assert tag["visible"], tag
        seen.add(rag)
    assert {Rag.AMBER, Rag.NOT_RATED} <= seen  # the bundled plan's proposals
    assert serious(page) == []
    assert problems == []
