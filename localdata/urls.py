"""Pages of local data: the analysts' uploads, and the figures for every audience."""

from django.urls import path

from localdata import uploads, views

app_name = "localdata"

urlpatterns = [
    path("", views.index, name="index"),
    path("deprivation/", views.deprivation, name="deprivation"),
    path("deprivation.csv", views.deprivation_csv, name="deprivation-csv"),
    path("reviews/", views.reviews, name="reviews"),
    path("measures/", views.measures, name="measures"),
    path("measures.csv", views.measures_csv, name="measures-csv"),
    path("restricted/deprivation/", views.deprivation_restricted, name="deprivation-restricted"),
    path("upload/", uploads.index, name="upload-index"),
    path("upload/send/", uploads.upload, name="upload"),
    path("upload/<int:pk>/", uploads.preview, name="upload-preview"),
    path("upload/<int:pk>/commit/", uploads.commit, name="upload-commit"),
    path("upload/<int:pk>/restore/", uploads.restore, name="upload-restore"),
    path("upload/<int:pk>/purge/", uploads.purge, name="upload-purge"),
    path("upload/<int:pk>/original/", uploads.original, name="upload-original"),
    path("upload/history/", uploads.history, name="history"),
    path("upload/templates/<str:code>.csv", uploads.template_csv, name="template-csv"),
]
