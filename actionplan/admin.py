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


for model in (
    models.Plan,
    models.Objective,
    models.PerformanceMeasure,
    models.QuarterlyReview,
    models.QuarterlyUpdate,
    models.Rating,
):
    admin.site.register(model, SimpleHistoryAdmin)
