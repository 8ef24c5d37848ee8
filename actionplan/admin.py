"""The plan in Django's admin: the same rules as the plan's own pages.

Every write the admin makes goes through the models' `clean()` and `save()` (which hold the rules
of `actionplan.workflow`); a frozen quarter and its rows are shown read-only, and whatever would
change them (a change form, a delete, a bulk action, the history's "revert") answers with a
message saying why, never a server error.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import NestedObjects, unquote
from django.core.exceptions import PermissionDenied
from django.db import router
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from actionplan import models, workflow


def frozen_row(obj) -> bool:
    """Whether a review, update or rating belongs to a frozen quarter, as stored now.

    A historical version (the history pages) may show a review as open that is frozen now.
    """
    if isinstance(obj, models.QuarterlyReview):
        review_id = obj.pk
    elif isinstance(obj, models.InFrozenQuarterGuard):
        review_id = obj.review_id
    else:
        return False
    if review_id is None:
        return False
    return models.QuarterlyReview.objects.filter(
        pk=review_id, state=models.QuarterlyReview.State.FROZEN
    ).exists()


def _frozen_message(obj) -> str:
    if not frozen_row(obj):
        return (
            f"“{obj}” is in the quarterly record (an open quarter): retire the action or "
            "objective instead of deleting it, so its updates and final RAGs stay."
        )
    if isinstance(obj, models.QuarterlyReview):
        return f"{obj} is frozen: nobody can change or delete it, here or on the plan's pages."
    return (
        f"“{obj}” belongs to a frozen quarter: nobody can change or delete it, here or on the "
        "plan's pages."
    )


class PlanAdmin(SimpleHistoryAdmin):
    """A plan model in the admin: a revert is a change, and frozen rows cannot be deleted."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a revert for anyone who may view the history; a revert
        # writes the row, so it needs the change permission on the row as it is now.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is not None and frozen_row(current):
                self.message_user(request, _frozen_message(current), messages.ERROR)
                return HttpResponseRedirect(self._history_url(object_id))
            allowed = (
                self.has_add_permission(request)
                if current is None
                else self.has_change_permission(request, current)
            )
            if not allowed:
                raise PermissionDenied("Reverting to an earlier version needs change permission.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        if obj is not None and frozen_row(obj):
            return True
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and frozen_row(obj):
            self.message_user(request, _frozen_message(obj), messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj.pk))
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """Rows of a frozen quarter that a delete would take with it are listed as protected."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = self._frozen_in_cascade(objs)
        if frozen:
            # Django would call them "types of objects your account may not delete"; they are
            # protected for everyone, and the page says which and why.
            frozen_names = {obj._meta.verbose_name for obj in frozen}
            perms_needed = {name for name in perms_needed if name not in frozen_names}
            protected = [*protected, *(_frozen_message(obj) for obj in frozen)]
        return deleted, counts, perms_needed, protected

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (PlanAdmin.delete_unfrozen, name, description)
        return actions

    @staticmethod
    def delete_unfrozen(modeladmin, request, queryset):
        """Django's "delete selected", refused with a message when a frozen row is involved."""
        frozen = modeladmin._frozen_in_cascade(queryset)
        if frozen:
            more = f" (and {len(frozen) - 1} more)" if len(frozen) > 1 else ""
            modeladmin.message_user(
                request,
                "Nothing was deleted. " + _frozen_message(frozen[0]) + more,
                messages.ERROR,
            )
            return None
        return delete_selected(modeladmin, request, queryset)

    def _frozen_in_cascade(self, objs) -> list:
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        frozen_reviews = set(
            models.QuarterlyReview.objects.filter(
                state=models.QuarterlyReview.State.FROZEN
            ).values_list("pk", flat=True)
        )
        found = []
        # A plan item (plan, area, objective, action) is retired, not deleted, once a quarter has
        # recorded anything about it, open or frozen (`models.record.refuse_to_delete_the_record`).
        structure = self.model in (
            models.Plan,
            models.PriorityArea,
            models.Objective,
            models.Action,
        )
        for instances in collector.data.values():
            for obj in instances:
                if isinstance(obj, models.QuarterlyReview):
                    review_id = obj.pk
                elif isinstance(obj, models.InFrozenQuarterGuard):
                    review_id = obj.review_id
                else:
                    break  # a model that is not part of a quarter
                if review_id in frozen_reviews or structure:
                    found.append(obj)
        return found

    def _history_url(self, object_id) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
            args=[object_id],
        )

    def _change_url(self, pk) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[pk]
        )


class ObjectiveInline(admin.TabularInline):
    model = models.Objective
    extra = 0


@admin.register(models.PriorityArea)
class PriorityAreaAdmin(PlanAdmin):
    list_display = ["number", "title", "plan"]
    inlines = [ObjectiveInline]


@admin.register(models.Action)
class ActionAdmin(PlanAdmin):
    list_display = ["number", "text", "lead", "owner", "due_date", "status"]
    list_filter = ["status", "objective__priority_area"]
    search_fields = ["text", "lead", "partners"]


class FrozenReadOnlyAdmin(PlanAdmin):
    """Reviews, updates and ratings: a frozen quarter's are shown, never changed or deleted."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and frozen_row(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and frozen_row(obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django answers a change posted to a read-only row with a bare 403; say why instead.
        if request.method == "POST" and object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and frozen_row(obj):
                self.message_user(request, _frozen_message(obj), messages.ERROR)
                return HttpResponseRedirect(self._change_url(obj.pk))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An update or rating is entered for an open quarter only.
        if db_field.name == "review":
            kwargs["queryset"] = models.QuarterlyReview.objects.filter(
                state=models.QuarterlyReview.State.OPEN
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.QuarterlyReview)
class QuarterlyReviewAdmin(FrozenReadOnlyAdmin):
    list_display = ["__str__", "plan", "meeting_date", "state", "frozen_at"]
    list_filter = ["state"]
    # A quarter is frozen by `workflow.freeze` only (the review page, or the action below).
    readonly_fields = ["state", "frozen_at"]
    actions = ["freeze_selected"]

    @admin.action(description="Freeze the selected quarter", permissions=["change"])
    def freeze_selected(self, request, queryset):
        for review in queryset.order_by("financial_year", "quarter"):
            try:
                workflow.freeze(review)
            except workflow.FrozenReviewError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(request, f"{review} is frozen: its updates and RAGs are final")


for model in (models.QuarterlyUpdate, models.Rating):
    admin.site.register(model, FrozenReadOnlyAdmin)
for model in (models.Plan, models.Objective, models.PerformanceMeasure):
    admin.site.register(model, PlanAdmin)


@admin.register(models.UpdateReminder)
class UpdateReminderAdmin(admin.ModelAdmin):
    """The reminders sent: a record of what went to whom, never edited."""

    list_display = ["review", "owner", "sent_at"]
    list_filter = ["review"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
