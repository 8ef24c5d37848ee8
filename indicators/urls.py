from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("data/", views.data_sources, name="data"),
    path("inequalities/", views.inequalities, name="inequalities"),
    path("inequalities/<slug:slug>.csv", views.inequality_csv, name="inequality-csv"),
]
