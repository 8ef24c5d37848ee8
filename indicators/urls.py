from django.urls import path

from indicators import browse, comparator_views, data_views, inequality_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("data/", data_views.data_sources, name="data"),
    path("indicators/", browse.indicator_index, name="indicator-index"),
    path("areas/", browse.area_index, name="area-index"),
    path("indicators/<int:fingertips_id>/", views.indicator_detail, name="indicator"),
    path(
        "indicators/<int:fingertips_id>/<slug:chart>.csv",
        views.indicator_csv,
        name="indicator-csv",
    ),
    path("areas/<str:code>/", views.area_profile, name="area"),
    path("areas/<str:code>/profile.csv", views.area_profile_csv, name="area-csv"),
    path("inequalities/", inequality_views.inequalities, name="inequalities"),
    path("methods/what-if/", comparator_views.whatif_method, name="whatif-method"),
    path(
        "indicators/<int:fingertips_id>/what-if/<slug:statement>.csv",
        comparator_views.whatif_csv,
        name="whatif-csv",
    ),
    path("inequalities/<slug:slug>.csv", inequality_views.inequality_csv, name="inequality-csv"),
]
