from django.urls import path

from actionplan import views

app_name = "actionplan"

urlpatterns = [
    path("", views.board, name="board"),
    path("areas/<int:number>/", views.priority_area, name="area"),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review"),
    path(
        "reviews/<int:pk>/areas/<int:number>/rating/",
        views.RatingView.as_view(),
        name="rating",
    ),
    path("reviews/<int:pk>/freeze/", views.FreezeView.as_view(), name="freeze"),
    path("reviews/<int:pk>/board-pack.pdf", views.board_pack, name="board_pack"),
    path("actions/<int:pk>/update/", views.ActionUpdateView.as_view(), name="action_update"),
]
