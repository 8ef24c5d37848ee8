from django.urls import path

from indicators import api, whatif_api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("indicators/", api.indicators, name="indicators"),
    path("areas/", api.areas, name="areas"),
    path("observations/", api.observations, name="observations"),
    path("schema/", api.schema, name="schema"),
    path("whatif/", whatif_api.whatif, name="whatif"),
]
