from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators and data"

    def ready(self) -> None:
        from imr_dashboard import checks  # noqa: F401  (registers the system checks)
