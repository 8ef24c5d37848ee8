"""Action plan pages: the board view, the priority area pages and the quarterly reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import CreateView, DetailView, FormView, UpdateView

from actionplan import (
    boardpack,
    frozen_pack,
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
    SavedOnceForm,
    UpdateForm,
    saved_by,
    saved_version,
)
from actionplan.models import (
    Action,
    Plan,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from actionplan.roles import has_plan_role
from indicators.configuration import areas_config
from localdata.disclosure import Tier


def plan_role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The plan-role access rule, once for every plan page: anonymous users go to the login
    page; signed-in users without a plan role get 403 (`PlanRoleRequiredMixin` applies it)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not has_plan_role(request.user):
            raise PermissionDenied("You need a role in the plan to see it.")
        return view(request, *args, **kwargs)

    return wrapped


def _rules_context() -> dict:
    intro, sections = presenters.rules_sections()
    return {
        "rules_intro": intro,
        "rules_sections": sections,
        "rules_text": presenters.rules_text(),
        "region": areas_config().region,
    }


@plan_role_required
def board(request: HttpRequest) -> HttpResponse:
    """The board's one-screen view: each priority area's RAG, its measures and the exceptions."""
    plan = presenters.current_plan()
    status = presenters.plan_status(plan, today=timezone.localdate()) if plan else None
    if status:  # the board is members' (tier 1): disclosure-controlled local figures
        presenters.with_local_quarters(status, Tier.MEMBERS)
    changes = None
    if status and status.review:
        changes = review_changes.changes_for(status.review, status=status)
    return render(
        request,
        "actionplan/board.html",
        {
            "plan": plan,
            "status": status,
            "changes": changes,
            "rag_order": presenters.ACTION_COUNT_ORDER,
        }
        | _rules_context(),
    )


@plan_role_required
def priority_area(request: HttpRequest, number: int) -> HttpResponse:
    """One priority area: its objectives, actions, latest updates and measures, with RAGs."""
    plan = presenters.current_plan()
    if plan is None:
        raise Http404("No plan has been loaded.")
    status = presenters.plan_status(plan, today=timezone.localdate(), area_number=number)
    if not status.areas:
        raise Http404("No such priority area.")
    row = status.areas[0]
    objectives = []
    for objective in row.area.objectives.all():
        objectives.append(
            (objective, [a for a in row.actions if a.action.objective_id == objective.pk])
        )
    # The open quarter's update links, for the actions this user may update.
    review = workflow.open_review(plan)
    updatable: set[int] = set()
    updated: set[int] = set()
    if review is not None:
        everyone = workflow.is_administrator(request.user)
        updatable = {
            a.action.pk
            for a in row.actions
            if everyone
            or (
                a.action.owner_id == request.user.pk
                and workflow.can_update_action(request.user, a.action)
            )
        }
        updated = set(
            QuarterlyUpdate.objects.filter(review=review, action__in=updatable).values_list(
                "action_id", flat=True
            )
        )
    return render(
        request,
        "actionplan/priority_area.html",
        {
            "plan": plan,
            "status": status,
            "row": row,
            "objectives": objectives,
            "open_review": review,
            "updatable": updatable,
            "updated": updated,
            "measure_cards": presenters.measure_trend_cards(row.measures),
            "can_steward": stewardship.can_steward_area(request.user, row.area),
        }
        | _rules_context(),
    )


@plan_role_required
def board_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """One quarterly review's board pack as a PDF download: a frozen quarter's as stored."""
    review = get_object_or_404(QuarterlyReview.objects.select_related("plan"), pk=pk)
    if review.is_frozen:
        record = frozen_pack.stored(review)
        response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{record.filename}"'
        response["ETag"] = f'"{record.sha256}"'
        return response
    pack = boardpack.collect(review, today=timezone.localdate(), generated_at=timezone.localtime())
    response = HttpResponse(boardpack.render(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{boardpack.filename(pack)}"'
    return response


# The quarterly review workflow: class-based generic views over the forms in `actionplan.forms`;
# who may do what is decided in `actionplan.workflow`.


class PlanRoleRequiredMixin:
    """`plan_role_required` for class-based views (the rule is written once, there); a view
    sets itself up in `admitted`, which runs only once the rule has let the user in."""

    @method_decorator(plan_role_required)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = self.admitted(request, *args, **kwargs)
        return response or super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        """Set the view up for an admitted user; a response returned here is sent instead."""
        return None


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
        versions = {}
        if editable:
            versions = dict(
                Rating.history.filter(id__in=[r.pk for r in ratings.values()])
                .values_list("id")
                .annotate(latest=Max("history_id"))
            )
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
        own_actions = []
        if not review.is_frozen:
            entered = set(
                QuarterlyUpdate.objects.filter(review=review).values_list("action", flat=True)
            )
            own_actions = [
                (action, action.pk in entered)
                for action in Action.objects.filter(
                    owner=user, objective__priority_area__plan=review.plan
                ).order_by("objective__priority_area__number", "objective_id", "pk")
                if workflow.can_update_action(user, action)
            ]
        return super().get_context_data(
            rows=rows,
            editable=editable,
            can_freeze=not review.is_frozen and workflow.can_manage_reviews(user),
            unrated=[
                row.area
                for row in rows
                if row.rating is None or row.rating.final == rag.Rag.NOT_RATED.value
            ],
            own_actions=own_actions,
            completions=[] if review.is_frozen else stewardship.proposed_completions(review),
            steward_scope=stewardship.scope(user, review.plan),
            changes=review_changes.changes_for(review),
            **kwargs,
        )


class Saved(Enum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the same values were saved already: nothing written twice
    MEANWHILE = "meanwhile"  # someone saved other values after the form was opened


def save_once(
    form: SavedOnceForm,
    review: QuarterlyReview,
    stored: Callable[[], models.Model | None],
    signed: Callable[[models.Model], None],
) -> tuple[Saved, models.Model]:
    """Save a rating or update form once, holding the open review's row.

    The row is read again under the lock: a second submit of the same form (two tabs, a double
    click, at once or later) finds what the first saved, and is not written again or over it.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                ReviewWriteMixin.lock_open(review)
                saved = stored()
                if saved is None:
                    row = form.instance
                    if row.pk is not None:  # deleted since the form was opened
                        row.pk, row._state.adding = None, True
                    signed(row)
                    row.save()
                    return Saved.WRITTEN, row
                if form.same_as(saved):
                    return Saved.UNCHANGED, saved
                if form.opened_on() not in ("", saved_version(saved)):
                    return Saved.MEANWHILE, saved
                signed(form.copy_onto(saved))
                saved.save()
                return Saved.WRITTEN, saved
        except IntegrityError:
            # Written by a route that does not hold the review's row (the admin, a shell)
            # between the read and the insert: read it again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def sent_twice(form: SavedOnceForm, outcome: Saved, row: models.Model) -> bool:
    """The same values were saved by another submit after this form was opened."""
    return outcome is Saved.UNCHANGED and form.opened_on() not in ("", saved_version(row))


class ReviewWriteMixin(PlanRoleRequiredMixin):
    """A view that changes an open review: refused (403) once it is frozen, for everyone."""

    def load_review(self) -> QuarterlyReview:
        review = get_object_or_404(
            QuarterlyReview.objects.select_related("plan"), pk=self.kwargs["pk"]
        )
        if review.is_frozen:
            raise PermissionDenied(f"{review} is frozen: nobody can change it.")
        return review

    @staticmethod
    def lock_open(review: QuarterlyReview) -> None:
        """Inside a transaction: hold the review's row and refuse if it was frozen meanwhile."""
        if QuarterlyReview.objects.select_for_update().get(pk=review.pk).is_frozen:
            raise PermissionDenied(f"{review} is frozen: nobody can change it.")


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


class ActionUpdateView(PlanRoleRequiredMixin, UpdateView):
    """An action's owner (or an administrator for them) enters its update for the open review."""

    template_name = "actionplan/update_form.html"
    form_class = UpdateForm

    def admitted(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        self.action = get_object_or_404(
            Action.objects.select_related("objective__priority_area__plan", "owner"),
            pk=kwargs["pk"],
        )
        if not workflow.can_update_action(request.user, self.action):
            raise PermissionDenied("Only the action's owner enters its update.")
        self.review = workflow.open_review(self.action.objective.priority_area.plan)
        if self.review is None:
            if request.method == "POST":
                raise PermissionDenied("No quarter is open: updates cannot be changed.")
            return render(request, self.template_name, {"action": self.action, "review": None})
        return None

    def get_object(self, queryset=None) -> QuarterlyUpdate:
        return QuarterlyUpdate.objects.filter(
            review=self.review, action=self.action
        ).first() or QuarterlyUpdate(review=self.review, action=self.action)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            action=self.action,
            review=self.review,
            on_behalf=self.action.owner_id != self.request.user.pk,
            **kwargs,
        )

    def form_valid(self, form: UpdateForm) -> HttpResponse:
        def signed(update: QuarterlyUpdate) -> None:
            update.author = self.request.user

        outcome, self.object = save_once(
            form,
            self.review,
            lambda: QuarterlyUpdate.objects.filter(review=self.review, action=self.action).first(),
            signed,
        )
        if outcome is Saved.MEANWHILE:
            form.saved_meanwhile(self.object, "An update for this action in this quarter")
            return self.form_invalid(form)
        if sent_twice(form, outcome, self.object):
            text = (
                f"Update for action {self.action.number} for {self.review} was already saved by "
                f"{saved_by(self.object)}: not saved twice"
            )
        else:
            text = f"Update for action {self.action.number} saved for {self.review}"
        messages.success(self.request, text)
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:
        area = self.action.objective.priority_area
        url = reverse("actionplan:area", args=[area.number])
        return f"{url}#action-{self.action.number}"
