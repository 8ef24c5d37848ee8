"""Forms of the quarterly review workflow: open a review, set a final RAG, enter an update."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from actionplan.models import Plan, QuarterlyReview, QuarterlyUpdate, Rating
from actionplan.models.reviews import TEXT_MAX_LENGTH
from actionplan.workflow import open_review
from indicators.vocabulary import Rag

QUARTER_CHOICES = [
    (1, "Q1 (April to June)"),
    (2, "Q2 (July to September)"),
    (3, "Q3 (October to December)"),
    (4, "Q4 (January to March)"),
]


class ReviewForm(forms.ModelForm):
    """Open a review for a financial quarter; the meeting date is a GOV.UK date input."""

    financial_year = forms.IntegerField(
        label="Financial year",
        help_text="The year the financial year starts: 2020 for 2020/21.",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the financial year",
            "invalid": "Financial year must be a year, like 2020",
            "min_value": "Financial year must be 2000 or later",
            "max_value": "Financial year must be 2100 or earlier",
        },
    )
    quarter = forms.TypedChoiceField(
        label="Quarter",
        choices=QUARTER_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the quarter"},
    )
    meeting_day = forms.IntegerField(required=False, min_value=1, max_value=31)
    meeting_month = forms.IntegerField(required=False, min_value=1, max_value=12)
    meeting_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    class Meta:
        model = QuarterlyReview
        fields = ["financial_year", "quarter"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.already_open: QuarterlyReview | None = None

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(f"meeting_{p}") for p in ("day", "month", "year")]
        date_errors = any(self.has_error(f"meeting_{p}") for p in ("day", "month", "year"))
        if date_errors or None in parts:
            self.add_error("meeting_day", "Enter the meeting date as a real date, like 27 6 2024")
        else:
            day, month, year = parts
            try:
                cleaned["meeting_date"] = date(year, month, day)
            except ValueError:
                self.add_error("meeting_day", "Meeting date must be a real date")
        # The same quarter and meeting, already open: this form was sent twice (a double click,
        # a second tab); the view lands on the open review instead of refusing.
        current = open_review(self.plan)
        asked = (cleaned.get("financial_year"), cleaned.get("quarter"), cleaned.get("meeting_date"))
        if current is not None and asked == (
            current.financial_year,
            current.quarter,
            current.meeting_date,
        ):
            self.already_open = current
        # Which quarter may be opened (one open at a time, each after the last, never frozen) is
        # the model's rule, `QuarterlyReview.clean()`, which the admin's forms follow too.
        return cleaned

    def save(self, commit: bool = True) -> QuarterlyReview:
        self.instance.meeting_date = self.cleaned_data["meeting_date"]
        self.instance.state = QuarterlyReview.State.OPEN
        return super().save(commit=commit)


def saved_version(row: models.Model) -> str:
    """Which saved version of a row a form was opened on: "new", or its latest history id."""
    if row.pk is None:
        return "new"
    latest = row.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


def saved_by(row: models.Model) -> str:
    """Who saved the row last, and when: "bob at 14:02 on 3 March 2025"."""
    latest = row.history.order_by("-history_id").select_related("history_user").first()
    if latest is None:
        return "someone"
    user = latest.history_user
    who = (user.get_full_name() or user.get_username()) if user else "someone"
    when = timezone.localtime(latest.history_date)
    return f"{who} at {when:%H:%M} on {when.day} {when:%B %Y}"


class SavedOnceForm(forms.ModelForm):
    """A form that says which saved version it was opened on, so a second submit is caught.

    Two tabs, or a double click, send the same form twice: the second finds the row the first
    saved. `compared` names what makes two saves the same (then nothing is written twice);
    otherwise the second is shown again with what was saved, never written over it unseen.
    A post without a version (not from these pages) is saved over the row, as before.
    """

    compared: tuple[str, ...] = ()

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" not in self.initial:  # a page of many forms reads them in one query
            self.initial["version"] = saved_version(self.instance)

    def opened_on(self) -> str:
        return self.cleaned_data.get("version") or ""

    def same_as(self, saved: models.Model) -> bool:
        return all(getattr(saved, name) == getattr(self.instance, name) for name in self.compared)

    def copy_onto(self, saved: models.Model) -> models.Model:
        for name in self.compared:
            setattr(saved, name, getattr(self.instance, name))
        return saved

    def saved_meanwhile(self, saved: models.Model, what: str) -> None:
        """Show the form again with the newer saved row; saving again replaces it."""
        self.add_error(
            None,
            f"{what} was saved by {saved_by(saved)}, after you opened this page: "
            f"{self.describe(saved)}. Yours is below: save it again to replace it, "
            "or change it first.",
        )
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = saved_version(saved)

    def describe(self, saved: models.Model) -> str:
        raise NotImplementedError


class LimitedText(forms.CharField):
    """Text with a maximum length that the page states (a GOV.UK character count).

    The model's validator refuses longer text, with its own message; the field adds no second
    check, so a long note gets one error, not "too long" and "enter a note" together.
    """

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(**kwargs)
        self.character_limit = limit


class RatingForm(SavedOnceForm):
    """A priority area's final RAG; one that differs from the rule's proposal needs a rationale."""

    compared = ("final", "rationale", "proposed", "proposed_reason")

    final = forms.ChoiceField(
        label="Final RAG",
        # A priority area is never complete while the plan runs (rag.py): not offered.
        choices=[(c, label) for c, label in Rag.choices if c != Rag.COMPLETE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the final RAG"},
    )
    rationale = LimitedText(
        label="Rationale",
        help_text="Required when the final RAG differs from the proposed one.",
        required=False,
        limit=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Rating
        fields = ["final", "rationale"]

    # A rationale that is only spaces or invisible characters is refused by `Rating.clean()`.

    def describe(self, saved: Rating) -> str:
        text = f"final RAG {saved.get_final_display()}"
        if saved.rationale:
            text += f", rationale “{Truncator(saved.rationale).chars(200)}”"
        return text


class UpdateForm(SavedOnceForm):
    """An action owner's update for the open quarter."""

    compared = ("rag", "progress_note")

    rag = forms.ChoiceField(
        label="RAG",
        choices=[(c, label) for c, label in Rag.choices if c != Rag.NOT_RATED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's RAG"},
    )
    # Not required here: `QuarterlyUpdate.clean()` refuses an empty note, or one that is only
    # spaces or invisible characters, with one message for both.
    progress_note = LimitedText(
        label="Progress note",
        help_text="What has happened this quarter, what is next and anything that is stuck.",
        required=False,
        limit=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = QuarterlyUpdate
        fields = ["rag", "progress_note"]

    def describe(self, saved: QuarterlyUpdate) -> str:
        note = Truncator(saved.progress_note).chars(200)
        return f"RAG {saved.get_rag_display()}, progress note “{note}”"


class FreezeForm(forms.Form):
    """No fields: freezing is refused while a priority area has no final RAG ("Not rated" is
    not one)."""

    def __init__(self, *args, review: QuarterlyReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean(self):
        problems = self.review.freeze_problems()
        if problems:
            raise forms.ValidationError([forms.ValidationError(p) for p in problems])
        return super().clean()
