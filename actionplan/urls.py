from django.urls import path

from actionplan import people_views, plan_file_views, plan_views, steward_views
from actionplan.views import board, reviews, updates

app_name = "actionplan"

urlpatterns = [
    path("", board.board, name="board"),
    path("areas/<int:number>/", board.priority_area, name="area"),
    path("reviews/", reviews.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review"),
    path(
        "reviews/<int:pk>/areas/<int:number>/rating/",
        reviews.RatingView.as_view(),
        name="rating",
    ),
    path("reviews/<int:pk>/freeze/", reviews.FreezeView.as_view(), name="freeze"),
    path("reviews/<int:pk>/board-pack.pdf", board.board_pack, name="board_pack"),
    path("actions/<int:pk>/update/", updates.ActionUpdateView.as_view(), name="action_update"),
    path("actions/<int:pk>/edit/", steward_views.edit_action, name="action_edit"),
    path("actions/<int:pk>/retire/", steward_views.retire_action, name="action_retire"),
    path("measures/<int:pk>/edit/", steward_views.edit_measure, name="measure_edit"),
    path("changes/", steward_views.changes_log, name="changes_log"),
    path("my-actions/", steward_views.my_actions, name="my_actions"),
    path("stewards/", steward_views.stewards, name="stewards"),
    path("people/", people_views.people_page, name="people"),
    path("plans/", plan_views.plans, name="plans"),
    path("plans/successor/", plan_views.start_successor, name="successor"),
    path("teams/", plan_views.team_list, name="teams"),
    path("spreadsheet/", plan_file_views.spreadsheet, name="plan_spreadsheet"),
    path("spreadsheet/commit/", plan_file_views.commit, name="plan_spreadsheet_commit"),
    path("spreadsheet/plan.xlsx", plan_file_views.download, name="plan_spreadsheet_download"),
    path(
        "reviews/<int:pk>/actions/<int:action_pk>/confirm-complete/",
        steward_views.confirm_complete,
        name="confirm_complete",
    ),
]
