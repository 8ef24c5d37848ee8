from django.apps import AppConfig


class LocaldataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "localdata"
    verbose_name = "Local data"
