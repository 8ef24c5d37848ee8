from django.urls import path

from actionplan import views

app_name = "actionplan"

urlpatterns = [
    path("", views.board, name="board"),
    path("areas/<int:number>/", views.priority_area, name="area"),
]
