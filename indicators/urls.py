from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("data/", views.data_sources, name="data"),
]
