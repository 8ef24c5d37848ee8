from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; it touches nothing, so it is also the speed baseline."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", include("indicators.urls")),
    path("api/v1/local/", include("localdata.api_urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("local/", include("localdata.urls")),
    path("plan/", include("actionplan.urls")),
    path("accounts/", include("imr_dashboard.accounts")),
    path("accounts/", include("imr_dashboard.two_factor")),
    path("accounts/sso/", include("imr_dashboard.sso")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
