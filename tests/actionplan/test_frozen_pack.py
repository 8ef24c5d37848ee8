"""The board pack with text of any length, and a frozen quarter's pack as the record.

A progress note of 5,000 characters (the form's maximum) flows across pages, as do long words,
markup characters and scripts the font cannot draw; a frozen quarter's pack is the one made when
it was frozen, served byte for byte whatever changes afterwards.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from actionplan import boardpack, workflow
from actionplan.forms import UpdateForm
from actionplan.models import (
    Action,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.rag import Rag
from indicators.configuration import areas_config
from indicators.models import Observation

MAXIMUM = 5000


def numbered_words(length: int, prefix: str = "w") -> str:
    """Words `w0001 w0002 …` up to `length` characters: each one findable in the PDF's text."""
    words, n = [], 0
    while len(" ".join(words)) < length - 6:
        n += 1
        words.append(f"{prefix}{n:04}")
    return " ".join(words)


def words_in(content: bytes, prefix: str) -> list[str]:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.findall(rf"\b{prefix}\d{{4}}\b", text)


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def download(client, user, review):
    client.force_login(user)
    return client.get(reverse("actionplan:board_pack", args=[review.pk]))


@pytest.fixture
def actions(plan):
    return list(Action.objects.filter(objective__priority_area__plan=plan).order_by("pk"))


def rate_every_area(review, user, final="amber"):
    for area in PriorityArea.objects.filter(plan=review.plan):
        Rating.objects.get_or_create(
            review=review,
            priority_area=area,
            defaults={"proposed": final, "final": final, "decided_by": user},
        )


# ------------------------------------------------------------------------------------------
# Long and strange text
# ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_note_and_a_rationale_of_the_maximum_length_flow_across_pages_in_full(
    client, board_member, review, actions, action_owner, group_member
):
    note, rationale = numbered_words(MAXIMUM, "n"), numbered_words(MAXIMUM, "r")
    assert len(note) <= MAXIMUM and len(note) > MAXIMUM - 10
    QuarterlyUpdate.objects.create(
        review=review, action=actions[0], rag="red", progress_note=note, author=action_owner
    )
    Rating.objects.create(
        review=review,
        priority_area=actions[0].objective.priority_area,
        proposed="amber",
        final="red",
        rationale=rationale,
        decided_by=group_member,
    )
    response = download(client, board_member, review)
    assert response.status_code == 200
    # Every word of both, once and in order: nothing is cut off at a page's foot.
    assert words_in(response.content, "n") == note.split()
    assert words_in(response.content, "r") == rationale.split()


@pytest.mark.django_db
def test_a_note_longer_than_a_page_in_a_table_cell_renders(
    client, board_member, review, actions, action_owner
):
    # Before: a note of about 2,800 characters made a table row taller than the page.
    QuarterlyUpdate.objects.create(
        review=review,
        action=actions[0],
        rag="amber",
        progress_note=numbered_words(3000, "n"),
        author=action_owner,
    )
    assert download(client, board_member, review).status_code == 200


ODD_TEXT = (
    "https://example.org/" + "very-long-path-segment/" * 60 + "?a=1&b=2 "
    "<b>not bold</b> & <br/> &amp; <font color='red'>not red</font> ]]> <para> "
    "שלום עולם مرحبا بالعالم 👍🏽👨‍👩‍👧 ✅ 中文文本没有空格中文文本没有空格 "
    # (No NUL: PostgreSQL refuses it in text; the pure test below draws it.)
    "tab\there\x01start\x07bell\x1bescape\u2028line\u2029para\r\nwindows\rmac "
    "zero\u200bwidth e\u0301 " + "x" * 3000
)


@pytest.mark.django_db
def test_odd_text_in_the_plan_and_the_updates_renders_and_markup_is_printed_as_typed(
    client, board_member, review, actions, action_owner
):
    # An action's own text is long too: it is printed in the exceptions table as well.
    actions[0].text = ODD_TEXT
    actions[0].status, actions[0].due_date = "in_progress", date(2021, 8, 31)
    actions[0].save()
    QuarterlyUpdate.objects.create(
        review=review, action=actions[0], rag="red", progress_note=ODD_TEXT, author=action_owner
    )
    response = download(client, board_member, review)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "<b>not bold</b> &" in text
    assert "<font color='red'>not red</font>" in text
    assert "very-long-path-segment" in text


# One word in each script the bundled font (DejaVu Sans) draws beyond Latin. Hebrew and Arabic are
# drawn unshaped, in the order typed, left to right (no bidirectional reordering); pypdf reads a
# right-to-left run back reversed, so either order of their letters counts as present.
RIGHT_TO_LEFT = {"Hebrew", "Arabic"}
SCRIPTS = {
    "Greek": "Καλημέρα",
    "Cyrillic": "Привет",
    "Hebrew": "שלום",
    "Arabic": "مرحبا",
}


def fonts_drawn(content: bytes) -> dict[str, str]:
    """Each font's base name (without the subset prefix) and the text drawn in it."""
    drawn: dict[str, str] = defaultdict(str)

    def visit(text, _cm, _tm, font, _size):
        if font is not None and text.strip():
            drawn[str(font["/BaseFont"]).lstrip("/").split("+")[-1]] += text

    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    return dict(drawn)


@pytest.mark.django_db
def test_greek_cyrillic_hebrew_and_arabic_in_a_note_print_in_the_bundled_dejavu_font(
    client, board_member, review, actions, action_owner
):
    note = "Progress: " + " ".join(SCRIPTS.values()) + " done."
    actions[0].status = "in_progress"
    actions[0].save()
    QuarterlyUpdate.objects.create(
        review=review, action=actions[0], rag="amber", progress_note=note, author=action_owner
    )
    response = download(client, board_member, review)
    assert response.status_code == 200
    text = pdf_text(response.content)
    for script, word in SCRIPTS.items():
        assert word in text or (script in RIGHT_TO_LEFT and word[::-1] in text), script
    # Every letter on every page is drawn in the bundled DejaVu Sans (ReportLab's Vera and the
    # standard Helvetica have none of these letters); its bold and oblique faces too.
    drawn = fonts_drawn(response.content)
    assert set(drawn) <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}, set(drawn)
    assert "Привет" in drawn["DejaVuSans"] and "Καλημέρα" in drawn["DejaVuSans"]


# Any characters, markup among them; a long text is a drawn piece repeated up to the maximum
# (a long word, when the piece has no space), which draws far faster than 5,000 characters one
# by one.
short_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("<>&;/'\" \n\t\x0b\x00")), max_size=60
)
long_text = st.builds(
    lambda piece, size: (piece * (MAXIMUM // max(len(piece), 1) + 1))[:size],
    st.one_of(short_text, st.sampled_from(["x", "word ", "<b>&amp;</b>", "שלום 👍🏽", "\n\n"])),
    st.integers(0, MAXIMUM),
)
FIELDS = 41  # the pack below has this many text fields


@st.composite
def packs(draw) -> boardpack.BoardPack:
    """A pack whose text fields are each drawn on their own, a few of them up to the maximum."""
    long_ones = draw(st.sets(st.integers(0, FIELDS - 1), min_size=1, max_size=4))
    drawn = itertools.count()

    def t() -> str:
        return draw(long_text if next(drawn) in long_ones else short_text)

    measure = boardpack.MeasureLine(t(), t(), t(), t(), t(), t(), t(), Rag.AMBER, t(), t())
    update = boardpack.UpdateLine(t(), t(), Rag.RED, t(), t(), date(2021, 10, 1))
    section = boardpack.AreaSection(
        1, t(), Rag.RED, True, Rag.AMBER, t(), t(), t(), 3, (measure,), (update,)
    )
    return boardpack.BoardPack(
        plan_title=t(),
        county=t(),
        region=t(),
        quarter="2021/22 Q2",
        quarter_months="July to September 2021",
        meeting_date=date(2021, 10, 20),
        frozen=draw(st.booleans()),
        generated_at=datetime(2021, 10, 1, 9, 0, tzinfo=UTC),
        read_at=date(2021, 9, 30),
        read_at_words=t(),
        previous_quarter=t(),
        areas=(boardpack.AreaSummary(1, t(), Rag.RED, True, "up", t(), ((Rag.RED, 2),)),),
        exceptions=(
            boardpack.ExceptionLine(
                1, t(), t(), (t(),), date(2021, 8, 31), date(2021, 6, 30), Rag.RED, t()
            ),
        ),
        plan_measures=(measure,),
        sections=(section,),
        changes=boardpack.ChangeList(t(), ((t(), (t(),)),)),
        sources=(boardpack.SourceLine(t(), 92196, t(), t(), t(), t()),),
        plan_source=t(),
        rules_intro=t(),
        rules=((t(), t(), (t(),)),),
    )


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pack=packs())
def test_any_text_up_to_the_maximum_in_every_field_renders_a_pdf(pack):
    content = boardpack.render(pack)
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2


# ------------------------------------------------------------------------------------------
# The maximum, stated and kept on every write path
# ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_note_over_the_maximum_is_refused_by_the_form_and_the_model(review, actions):
    form = UpdateForm(
        data={"rag": "amber", "progress_note": "a" * (MAXIMUM + 1)},
        instance=QuarterlyUpdate(review=review, action=actions[0]),
    )
    assert not form.is_valid()
    assert form.errors["progress_note"] == ["Progress note must be 5,000 characters or less"]
    update = QuarterlyUpdate(
        review=review, action=actions[0], rag="amber", progress_note="a" * (MAXIMUM + 1)
    )
    with pytest.raises(Exception, match="5,000 characters or less"):
        update.full_clean()
    rating = Rating(
        review=review,
        priority_area=actions[0].objective.priority_area,
        proposed="amber",
        final="red",
        rationale="a" * (MAXIMUM + 1),
    )
    with pytest.raises(Exception, match="Rationale must be 5,000 characters or less"):
        rating.full_clean()


@pytest.mark.django_db
def test_the_update_form_states_the_maximum(client, action_owner, review, owned):
    client.force_login(action_owner)
    html = client.get(reverse("actionplan:action_update", args=[owned[0].pk])).content.decode()
    assert 'data-module="govuk-character-count" data-maxlength="5000"' in html
    assert "You can enter up to 5,000 characters" in html


# ------------------------------------------------------------------------------------------
# The frozen record
# ------------------------------------------------------------------------------------------


@pytest.fixture
def frozen(review, actions, action_owner, group_member):
    """2021/22 Q2 with an action in progress and its update, every area rated, frozen."""
    actions[0].status, actions[0].due_date = "in_progress", date(2022, 3, 31)
    actions[0].owner = action_owner
    actions[0].save()
    QuarterlyUpdate.objects.create(
        review=review,
        action=actions[0],
        rag="amber",
        progress_note="Started with two children's centres.",
        author=action_owner,
    )
    rate_every_area(review, group_member)
    workflow.freeze(review)
    review.refresh_from_db()
    return review


@pytest.mark.django_db
def test_a_frozen_pack_is_byte_identical_after_actions_figures_and_people_change(
    client, board_member, frozen, actions, action_owner
):
    first = download(client, board_member, frozen)
    assert first.status_code == 200

    # After the meeting: the action is completed, a figure is revised, the owner is renamed.
    actions[0].status = "complete"
    actions[0].save()
    home = areas_config().home.code
    revised = Observation.objects.filter(area__code=home, value__isnull=False).update(
        value=F("value") + 1
    )
    assert revised
    action_owner.first_name, action_owner.last_name = "Robert", "Renamed"
    action_owner.save()

    # Made afresh, the pack would now differ …
    now = timezone.localtime()
    fresh = boardpack.render(boardpack.collect(frozen, today=now.date(), generated_at=now))
    assert "Robert Renamed" in pdf_text(fresh)
    # … but the frozen quarter's pack is the one the board saw, byte for byte.
    second = download(client, board_member, frozen)
    assert second.content == first.content
    assert hashlib.sha256(second.content).hexdigest() == frozen.frozen_pack.sha256
    assert second["ETag"] == f'"{frozen.frozen_pack.sha256}"'
    assert second["Content-Disposition"] == 'attachment; filename="board-pack-2021-22-Q2.pdf"'
    assert "Robert Renamed" not in pdf_text(second.content)


@pytest.mark.django_db
def test_the_pack_is_stored_at_freezing_with_everything_it_shows(frozen):
    from actionplan import frozen_pack

    record = frozen.frozen_pack
    assert record.captured == "freezing"
    assert record.captured_at >= frozen.frozen_at
    assert hashlib.sha256(bytes(record.pdf)).hexdigest() == record.sha256
    pack = frozen_pack.from_plain(record.content)
    # The stored values are the pack: they render to the very bytes stored beside them.
    assert boardpack.render(pack) == bytes(record.pdf)
    assert frozen_pack.to_plain(pack) == record.content
    assert pack.frozen and pack.generated_at == timezone.localtime(frozen.frozen_at)
    assert [s.rag for s in pack.sections] == [Rag.AMBER] * len(pack.sections)
    assert pack.sections[0].updates[0].progress_note == "Started with two children's centres."
    cover = pdf_text(bytes(record.pdf)).split("Contents")[0]
    assert "stored when the quarter was frozen" in cover


@pytest.mark.django_db
def test_a_freeze_whose_pack_cannot_be_stored_leaves_the_quarter_open(
    review, actions, group_member
):
    from actionplan.models import FrozenBoardPack

    rate_every_area(review, group_member)
    # A stray pack row already there: storing the real one fails, and so does the freeze.
    FrozenBoardPack.objects.create(
        review=review,
        content={},
        pdf=b"",
        sha256="",
        filename="",
        captured="freezing",
        captured_at=timezone.now(),
    )
    with pytest.raises(IntegrityError):
        workflow.freeze(review)
    review.refresh_from_db()
    assert not review.is_frozen and review.frozen_at is None


@pytest.mark.django_db
def test_an_open_quarters_pack_is_made_afresh_and_nothing_is_stored(client, board_member, review):
    from actionplan.models import FrozenBoardPack

    assert download(client, board_member, review).status_code == 200
    assert not FrozenBoardPack.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_quarters_frozen_before_the_upgrade_get_their_pack_at_migration(plan, group_member):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from actionplan.models import FrozenBoardPack

    before = [("actionplan", "0004_protect_frozen_authors")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # As the old code froze a quarter: its rows and the frozen state, no stored pack.
    review = QuarterlyReview.objects.create(plan=plan, financial_year=2021, quarter=1)
    rate_every_area(review, group_member)
    QuarterlyReview.objects.filter(pk=review.pk).update(state="frozen", frozen_at=timezone.now())
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    record = FrozenBoardPack.objects.get(review=review)
    assert record.captured == "upgrade"
    cover = pdf_text(bytes(record.pdf)).split("Contents")[0]
    assert "when no board pack was stored" in cover
