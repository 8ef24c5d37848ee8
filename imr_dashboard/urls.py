from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def _statement(template: str):
    def view(request: HttpRequest) -> HttpResponse:
        return render(
            request,
            template,
            {
                "contact": settings.CONTACT_EMAIL,
                "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            },
        )

    return view


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
    # Required of public-sector sites; linked from every page's footer.
    path(
        "accessibility/",
        _statement("pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", _statement("pages/privacy.html"), name="privacy"),
]
