from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actionplan import models


class ObjectiveInline(admin.TabularInline):
    model = models.Objective
    extra = 0


@admin.register(models.PriorityArea)
class PriorityAreaAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "plan"]
    inlines = [ObjectiveInline]


@admin.register(models.Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "text", "lead", "owner", "due_date", "status"]
    list_filter = ["status", "objective__priority_area"]
    search_fields = ["text", "lead", "partners"]


class FrozenReadOnlyAdmin(SimpleHistoryAdmin):
    """Updates and ratings of a frozen quarter are shown, never changed or deleted."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _frozen(obj)


def _frozen(obj) -> bool:
    review = obj if isinstance(obj, models.QuarterlyReview) else getattr(obj, "review", None)
    return bool(review and review.is_frozen)


for model in (models.Plan, models.Objective, models.PerformanceMeasure):
    admin.site.register(model, SimpleHistoryAdmin)
for model in (models.QuarterlyReview, models.QuarterlyUpdate, models.Rating):
    admin.site.register(model, FrozenReadOnlyAdmin)


@admin.register(models.UpdateReminder)
class UpdateReminderAdmin(admin.ModelAdmin):
    """The reminders sent: a record of what went to whom, never edited."""

    list_display = ["review", "owner", "sent_at"]
    list_filter = ["review"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
