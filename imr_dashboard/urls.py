from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("indicators.urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("admin/", admin.site.urls),
]
