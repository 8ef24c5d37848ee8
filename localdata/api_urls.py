"""Read-only API of disclosure-controlled local data: `/api/v1/local/…` (always tier 2)."""

from django.urls import path

from localdata import api

app_name = "localdata-api"

urlpatterns = [
    path("deprivation/", api.deprivation, name="deprivation"),
    path("reviews/", api.reviews, name="reviews"),
    path("measures/", api.measures, name="measures"),
]
