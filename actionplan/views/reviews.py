"""The quarterly reviews: the list (opening the next quarter), one review with each area's
proposed and final RAG, a final RAG's form, and freezing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, FormView, UpdateView

from actionplan import (
    presenters,
    rag,
    review_changes,
    stewardship,
    workflow,
)
from actionplan.forms import (
    FreezeForm,
    RatingForm,
    ReviewForm,
    saved_by,
)
from actionplan.models import (
    Action,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.views.access import PlanRoleRequiredMixin
from actionplan.views.saving import ReviewWriteMixin, Saved, save_once, sent_twice

# The quarterly review workflow: class-based generic views over the forms in `actionplan.forms`;
# who may do what is decided in `actionplan.workflow`.


def _current_plan_or_404() -> Plan:
    plan = presenters.current_plan()
    if plan is None:
        raise Http404("No plan has been loaded.")
    return plan


class ReviewListView(PlanRoleRequiredMixin, CreateView):
    """The plan's quarterly reviews; group members and administrators open the next one."""

    template_name = "actionplan/reviews.html"
    form_class = ReviewForm

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        self.plan = _current_plan_or_404()
        self.can_manage = workflow.can_manage_reviews(request.user)
        if request.method == "POST" and not self.can_manage:
            raise PermissionDenied("Only the group opens a quarterly review.")
        return None

    def get_form(self, form_class=None):
        return super().get_form(form_class) if self.can_manage else None

    def get_form_kwargs(self) -> dict:
        return super().get_form_kwargs() | {"plan": self.plan}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            plan=self.plan,
            reviews=QuarterlyReview.objects.filter(plan=self.plan).order_by(
                "-financial_year", "-quarter"
            ),
            open_review=workflow.open_review(self.plan),
            can_manage=self.can_manage,
            **kwargs,
        )

    def form_valid(self, form: ReviewForm) -> HttpResponse:
        try:
            with transaction.atomic():
                self.object = form.save()
        except (IntegrityError, ValidationError):
            # Another request opened a quarter after this form was checked (the same form sent
            # twice at once, or another member): check it again against what is now stored.
            form = self.get_form()
            if form.is_valid():
                form.add_error(
                    None,
                    "The reviews changed while this quarter was being opened: check the list "
                    "below and try again.",
                )
            return self.form_invalid(form)
        messages.success(self.request, f"{self.object} is open: owners can enter their updates")
        return redirect(self.get_success_url())

    def form_invalid(self, form: ReviewForm) -> HttpResponse:
        if form.already_open is not None:
            review = form.already_open
            messages.success(
                self.request,
                f"{review} is open: it was opened by {saved_by(review)}, and not opened twice",
            )
            return redirect(reverse("actionplan:review", args=[review.pk]))
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        return reverse("actionplan:review", args=[self.object.pk])


@dataclass(slots=True)
class ReviewRow:
    area: PriorityArea
    proposed: rag.Rag
    reason: str
    rating: Rating | None
    form: RatingForm | None
    actions: int
    updates: int

    @property
    def final(self) -> rag.Rag | None:
        return rag.parse_rag(self.rating.final) if self.rating else None


def _proposals(review: QuarterlyReview) -> dict[int, tuple[rag.Rag, str]]:
    """Each priority area's proposed RAG: stored once frozen, the rule's proposal today if open."""
    if review.is_frozen:
        return {
            r.priority_area_id: (rag.parse_rag(r.proposed), r.proposed_reason)
            for r in Rating.objects.filter(review=review)
        }
    status = presenters.plan_status(review.plan, today=timezone.localdate())
    return {row.area.pk: (row.proposal.rag, row.proposal.reason) for row in status.areas}


def _rating_for(review: QuarterlyReview, area: PriorityArea, proposal: tuple[rag.Rag, str]):
    """The area's rating in the review, or a new one; an open review's proposal is refreshed."""
    rating = Rating.objects.filter(review=review, priority_area=area).first() or Rating(
        review=review, priority_area=area
    )
    if not review.is_frozen:
        rating.proposed, rating.proposed_reason = proposal[0].value, proposal[1]
    return rating


class ReviewDetailView(PlanRoleRequiredMixin, DetailView):
    """One review: each area's proposed RAG beside the final one; the group's forms while open."""

    template_name = "actionplan/review.html"
    context_object_name = "review"

    def get_queryset(self):
        return QuarterlyReview.objects.select_related("plan")

    def get_context_data(self, **kwargs) -> dict:
        review: QuarterlyReview = self.object
        user = self.request.user
        editable = not review.is_frozen and workflow.can_rate(user)
        rows = _review_rows(review, editable=editable)
        return super().get_context_data(
            rows=rows,
            editable=editable,
            can_freeze=not review.is_frozen and workflow.can_manage_reviews(user),
            unrated=[
                row.area
                for row in rows
                if row.rating is None or row.rating.final == rag.Rag.NOT_RATED.value
            ],
            own_actions=_own_actions(review, user),
            completions=[] if review.is_frozen else stewardship.proposed_completions(review),
            steward_scope=stewardship.scope(user, review.plan),
            changes=review_changes.changes_for(review),
            **kwargs,
        )


def _review_rows(review: QuarterlyReview, *, editable: bool) -> list[ReviewRow]:
    """Each priority area's row: proposed and final RAG, its actions and updates counted, and
    the group's rating form when the review is editable."""
    proposals = _proposals(review)
    ratings = {
        r.priority_area_id: r
        for r in Rating.objects.filter(review=review).select_related("decided_by")
    }
    actions = Counter(
        Action.objects.filter(objective__priority_area__plan=review.plan).values_list(
            "objective__priority_area", flat=True
        )
    )
    updates = Counter(
        QuarterlyUpdate.objects.filter(review=review).values_list(
            "action__objective__priority_area", flat=True
        )
    )
    versions = _rating_versions(ratings.values()) if editable else {}
    rows = []
    for area in PriorityArea.objects.filter(plan=review.plan).order_by("number"):
        proposed, reason = proposals.get(area.pk, (rag.Rag.NOT_RATED, ""))
        rating = ratings.get(area.pk)
        form = None
        if editable:
            form = RatingForm(
                instance=_rating_for(review, area, (proposed, reason)),
                prefix=f"area-{area.number}",
                initial={"version": str(versions.get(rating.pk, "")) if rating else "new"},
            )
        rows.append(
            ReviewRow(area, proposed, reason, rating, form, actions[area.pk], updates[area.pk])
        )
    return rows


def _rating_versions(ratings: Iterable[Rating]) -> dict[int, int]:
    """Each rating's latest history id: the version its form is opened on."""
    return dict(
        Rating.history.filter(id__in=[r.pk for r in ratings])
        .values_list("id")
        .annotate(latest=Max("history_id"))
    )


def _own_actions(review: QuarterlyReview, user) -> list[tuple[Action, bool]]:
    """The user's actions in an open review's plan that they may update, each with whether its
    update is entered; none once the review is frozen."""
    if review.is_frozen:
        return []
    entered = set(QuarterlyUpdate.objects.filter(review=review).values_list("action", flat=True))
    return [
        (action, action.pk in entered)
        for action in Action.objects.filter(
            owner=user, objective__priority_area__plan=review.plan
        ).order_by("objective__priority_area__number", "objective_id", "pk")
        if workflow.can_update_action(user, action)
    ]


class RatingView(ReviewWriteMixin, UpdateView):
    """A group member sets a priority area's final RAG, with a rationale when it differs."""

    template_name = "actionplan/rating_form.html"
    form_class = RatingForm

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        if not workflow.can_rate(request.user):
            raise PermissionDenied("Only the group sets a final RAG.")
        self.review = self.load_review()
        self.area = get_object_or_404(PriorityArea, plan=self.review.plan, number=kwargs["number"])
        return None

    def get_object(self, queryset=None) -> Rating:
        proposal = _proposals(self.review).get(self.area.pk, (rag.Rag.NOT_RATED, ""))
        return _rating_for(self.review, self.area, proposal)

    def get_prefix(self) -> str:
        return f"area-{self.area.number}"

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            review=self.review,
            area=self.area,
            proposed=rag.parse_rag(self.object.proposed),
            **kwargs,
        )

    def form_valid(self, form: RatingForm) -> HttpResponse:
        def signed(rating: Rating) -> None:
            rating.decided_by = self.request.user

        outcome, self.object = save_once(
            form,
            self.review,
            lambda: Rating.objects.filter(review=self.review, priority_area=self.area).first(),
            signed,
        )
        what = f"Final RAG for priority area {self.area.number}"
        if outcome is Saved.MEANWHILE:
            form.saved_meanwhile(self.object, what)
            return self.form_invalid(form)
        final = self.object.get_final_display()
        if sent_twice(form, outcome, self.object):
            text = f"{what} was saved as {final} by {saved_by(self.object)}: not saved twice"
        else:
            text = f"{what} saved: {final}"
        messages.success(self.request, text)
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        url = reverse("actionplan:review", args=[self.review.pk])
        return f"{url}#area-{self.area.number}"


class FreezeView(ReviewWriteMixin, FormView):
    """The group freezes the review once every priority area has a final RAG."""

    template_name = "actionplan/freeze.html"
    form_class = FreezeForm

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        if not workflow.can_manage_reviews(request.user):
            raise PermissionDenied("Only the group freezes a quarter.")
        self.review = self.load_review()
        return None

    def get_form_kwargs(self) -> dict:
        return super().get_form_kwargs() | {"review": self.review}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            review=self.review, unrated=workflow.unrated_areas(self.review), **kwargs
        )

    def form_valid(self, form: FreezeForm) -> HttpResponse:
        try:
            workflow.freeze(self.review)
        except workflow.FrozenReviewError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"{self.review} is frozen: its updates and RAGs are final")
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        return reverse("actionplan:review", args=[self.review.pk])
