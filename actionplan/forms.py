"""Forms of the quarterly review workflow: open a review, set a final RAG, enter an update."""

from __future__ import annotations

from datetime import date

from django import forms

from actionplan.models import Plan, QuarterlyReview, QuarterlyUpdate, Rag, Rating
from actionplan.workflow import latest_review, open_review, unrated_areas

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
        current = open_review(self.plan)
        if current is not None:
            raise forms.ValidationError(
                f"{current} is still open: freeze it before opening another quarter."
            )
        year, quarter = cleaned.get("financial_year"), cleaned.get("quarter")
        if year is not None and quarter is not None:
            if QuarterlyReview.objects.filter(
                plan=self.plan, financial_year=year, quarter=quarter
            ).exists():
                self.add_error("quarter", "There is already a review for that quarter")
            else:
                latest = latest_review(self.plan)
                if latest and (year, quarter) < (latest.financial_year, latest.quarter):
                    self.add_error(
                        "financial_year",
                        f"The quarter must come after the latest review, {latest}",
                    )
        return cleaned

    def save(self, commit: bool = True) -> QuarterlyReview:
        self.instance.meeting_date = self.cleaned_data["meeting_date"]
        self.instance.state = QuarterlyReview.State.OPEN
        return super().save(commit=commit)


class RatingForm(forms.ModelForm):
    """A priority area's final RAG; one that differs from the rule's proposal needs a rationale."""

    final = forms.ChoiceField(
        label="Final RAG",
        # A priority area is never complete while the plan runs (rag.py): not offered.
        choices=[(c, label) for c, label in Rag.choices if c != Rag.COMPLETE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the final RAG"},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Required when the final RAG differs from the proposed one.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Rating
        fields = ["final", "rationale"]

    def clean(self):
        cleaned = super().clean()
        final = cleaned.get("final")
        if final and final != self.instance.proposed and not cleaned.get("rationale"):
            proposed = Rag(self.instance.proposed).label
            self.add_error(
                "rationale",
                f"Enter a rationale: the final RAG differs from the proposed RAG ({proposed})",
            )
        return cleaned


class UpdateForm(forms.ModelForm):
    """An action owner's update for the open quarter."""

    rag = forms.ChoiceField(
        label="RAG",
        choices=[(c, label) for c, label in Rag.choices if c != Rag.NOT_RATED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's RAG"},
    )
    progress_note = forms.CharField(
        label="Progress note",
        help_text="What has happened this quarter, what is next and anything that is stuck.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter a progress note"},
    )

    class Meta:
        model = QuarterlyUpdate
        fields = ["rag", "progress_note"]


class FreezeForm(forms.Form):
    """No fields: freezing is refused while a priority area has no final RAG."""

    def __init__(self, *args, review: QuarterlyReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean(self):
        missing = unrated_areas(self.review)
        if missing:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        f"Set a final RAG for priority area {a.number}: {a.title}"
                    )
                    for a in missing
                ]
            )
        return super().clean()
