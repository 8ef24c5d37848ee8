from django.apps import AppConfig


class ActionplanConfig(AppConfig):
    name = "actionplan"
    verbose_name = "Infant Mortality Reduction Plan"

    def ready(self):
        # The role map's system check, and the hold of password sign-ins at the code step.
        from imr_dashboard import sso, two_factor  # noqa: F401
