from django.apps import AppConfig


class LocaldataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "localdata"
    verbose_name = "Local data"

    def ready(self) -> None:
        from indicators import api
        from localdata.api import schema_paths

        if schema_paths not in api.SCHEMA_EXTENSIONS:  # the API schema lists /api/v1/local/…
            api.SCHEMA_EXTENSIONS.append(schema_paths)
